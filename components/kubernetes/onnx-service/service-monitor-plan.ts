import type { CustomResourceArgs } from "@pulumi/kubernetes/apiextensions";
import type { ServingServiceMonitor } from "./onnx-service-args";

/**
 * A Prometheus Operator ServiceMonitor scraping `/metrics` on the Service's port named `port`
 * (`metrics`, the runtime's own metrics port, unless the server shares its HTTP port).
 */
export function planServiceMonitor(
  name: string,
  namespace: string,
  labels: Record<string, string>,
  selector: Record<string, string>,
  monitor: ServingServiceMonitor,
  port = "metrics",
): CustomResourceArgs {
  return {
    apiVersion: "monitoring.coreos.com/v1",
    kind: "ServiceMonitor",
    metadata: { name, namespace, labels: { ...labels, ...monitor.labels } },
    spec: {
      selector: { matchLabels: selector },
      namespaceSelector: { matchNames: [namespace] },
      endpoints: [{ port, path: "/metrics", interval: monitor.interval ?? "30s" }],
    },
  };
}
