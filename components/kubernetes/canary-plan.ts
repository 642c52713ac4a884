import type { CustomResourceArgs } from "@pulumi/kubernetes/apiextensions";
import { HybridAiConfigError } from "../errors";
import type { ServingCanary } from "./onnx-service-args";
import { assertDns1035, assertNamespace, assertWholeNumber } from "./validate";

/** Checks a canary spec: name room for `-canary`, URI scheme, weight 0–100, replicas, gateway. */
export function checkCanary(
  component: string,
  name: string,
  canary: ServingCanary,
  checkUri: (field: string, uri: ServingCanary["uri"]) => void,
): void {
  assertDns1035(component, "name (with a canary, plus -canary)", `${name}-canary`);
  checkUri("canary.uri", canary.uri);
  assertWholeNumber(component, "canary.weight", canary.weight, 0, 100);
  assertWholeNumber(component, "canary.replicas", canary.replicas ?? 1, 1, 100);
  if (!canary.gateway?.name) {
    throw new HybridAiConfigError(
      component,
      "canary.gateway.name",
      canary.gateway?.name,
      "the name of a Gateway API Gateway",
    );
  }
  if (canary.gateway.namespace !== undefined) {
    assertNamespace(component, "canary.gateway.namespace", canary.gateway.namespace);
  }
}

/**
 * The Gateway API HTTPRoute that splits traffic: `100 - weight` percent to the stable Service,
 * `weight` percent to the canary Service (`<name>-canary`).
 */
export function planCanaryRoute(
  name: string,
  namespace: string,
  labels: Record<string, string>,
  port: number,
  canary: ServingCanary,
): CustomResourceArgs {
  const canaryName = `${name}-canary`;
  return {
    apiVersion: "gateway.networking.k8s.io/v1",
    kind: "HTTPRoute",
    metadata: { name, namespace, labels },
    spec: {
      parentRefs: [
        {
          group: "gateway.networking.k8s.io",
          kind: "Gateway",
          name: canary.gateway.name,
          namespace: canary.gateway.namespace ?? namespace,
          ...(canary.gateway.sectionName ? { sectionName: canary.gateway.sectionName } : {}),
        },
      ],
      ...(canary.hostnames ? { hostnames: canary.hostnames } : {}),
      rules: [
        {
          matches: [{ path: { type: "PathPrefix", value: "/" } }],
          backendRefs: [
            { group: "", kind: "Service", name, port, weight: 100 - canary.weight },
            { group: "", kind: "Service", name: canaryName, port, weight: canary.weight },
          ],
        },
      ],
    },
  };
}
