import type { CustomResourceArgs } from "@pulumi/kubernetes/apiextensions";
import type { ServingServiceMonitor } from "./onnx-service-args";

/** A Prometheus Operator ServiceMonitor scraping `/metrics` on the Service's `metrics` port. */
export function planServiceMonitor(
  name: string,
  namespace: string,
  labels: Record<string, string>,
  selector: Record<string, string>,
  monitor: ServingServiceMonitor,
): CustomResourceArgs {
  return {
    apiVersion: "monitoring.coreos.com/v1",
    kind: "ServiceMonitor",
    metadata: { name, namespace, labels: { ...labels, ...monitor.labels } },
    spec: {
      selector: { matchLabels: selector },
      namespaceSelector: { matchNames: [namespace] },
      endpoints: [{ port: "metrics", path: "/metrics", interval: monitor.interval ?? "30s" }],
    },
  };
}
