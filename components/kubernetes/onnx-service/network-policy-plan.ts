import type { NetworkPolicyArgs } from "@pulumi/kubernetes/networking/v1";
import type * as inputs from "@pulumi/kubernetes/types/input";
import { assertNamespace } from "../validate";
import type { IngressPeer, ServingNetworkPolicy } from "./onnx-service-args";

/** The label every namespace carries with its own name (Kubernetes ≥ 1.22). */
const NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name";

function peerOf(peer: IngressPeer): inputs.networking.v1.NetworkPolicyPeer {
  return {
    ...(peer.namespace !== undefined
      ? { namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: peer.namespace } } }
      : {}),
    ...(peer.podLabels !== undefined || peer.namespace === undefined
      ? { podSelector: { matchLabels: peer.podLabels ?? {} } }
      : {}),
  };
}

/**
 * Ingress rules of the serving pods: inference traffic to the HTTP port (and the gRPC port, when
 * gRPC is on) only from the allowed peers (default: pods of the same namespace), and `/metrics`
 * (HTTP port) from the monitoring namespace. Everything else is denied; egress stays open for the
 * model pull.
 */
export function planNetworkPolicy(
  component: string,
  name: string,
  namespace: string,
  labels: Record<string, string>,
  podSelector: Record<string, string>,
  port: number,
  policy: ServingNetworkPolicy = {},
  grpcPort?: number,
): NetworkPolicyArgs {
  const allowFrom = policy.allowFrom ?? [{}];
  allowFrom.forEach((peer, i) => {
    if (peer.namespace !== undefined)
      assertNamespace(component, `networkPolicy.allowFrom[${i}].namespace`, peer.namespace);
  });
  const monitoring = policy.monitoringNamespace ?? "monitoring";
  assertNamespace(component, "networkPolicy.monitoringNamespace", monitoring);
  const ports = [{ protocol: "TCP", port }];
  return {
    metadata: { name, namespace, labels },
    spec: {
      podSelector: { matchLabels: podSelector },
      policyTypes: ["Ingress"],
      ingress: [
        {
          from: allowFrom.map(peerOf),
          ports: grpcPort === undefined ? ports : [...ports, { protocol: "TCP", port: grpcPort }],
        },
        {
          from: [{ namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: monitoring } } }],
          ports,
        },
      ],
    },
  };
}
