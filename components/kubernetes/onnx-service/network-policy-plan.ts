import type { NetworkPolicyArgs } from "@pulumi/kubernetes/networking/v1";
import type * as inputs from "@pulumi/kubernetes/types/input";
import type * as pulumi from "@pulumi/pulumi";
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

/** The serving pods' NetworkPolicy: who it selects, their ports and its egress rules. */
export interface NetworkPolicySpec {
  /** The component, for errors. */
  component: string;
  /** Policy name. */
  name: string;
  /** Namespace. */
  namespace: string;
  /** Labels of the policy. */
  labels: Record<string, string>;
  /** Labels of the pods it applies to. */
  podSelector: Record<string, string>;
  /** The HTTP inference port. */
  port: number;
  /** The gRPC port, when gRPC is on. */
  grpcPort?: number;
  /** The metrics port. */
  metricsPort: number;
  /** The service's `networkPolicy`. */
  policy?: ServingNetworkPolicy;
  /** Egress rules ({@link planEgressRules}); absent when egress stays open. */
  egress?: pulumi.Input<inputs.networking.v1.NetworkPolicyEgressRule[]>;
}

/**
 * The serving pods' rules: inference traffic to the HTTP port (and the gRPC port, when gRPC is
 * on) only from the allowed peers (default: pods of the same namespace); `/metrics`, on its own
 * port, only from the monitoring namespace; every other ingress denied. Egress as planned by
 * `planEgressRules` (DNS, 443 out of the cluster, the model's endpoints), or open when that
 * plan is absent.
 */
export function planNetworkPolicy(spec: NetworkPolicySpec): NetworkPolicyArgs {
  const { component, policy = {} } = spec;
  const allowFrom = policy.allowFrom ?? [{}];
  allowFrom.forEach((peer, i) => {
    if (peer.namespace !== undefined)
      assertNamespace(component, `networkPolicy.allowFrom[${i}].namespace`, peer.namespace);
  });
  const monitoring = policy.monitoringNamespace ?? "monitoring";
  assertNamespace(component, "networkPolicy.monitoringNamespace", monitoring);
  const ports = [{ protocol: "TCP", port: spec.port }];
  return {
    metadata: { name: spec.name, namespace: spec.namespace, labels: spec.labels },
    spec: {
      podSelector: { matchLabels: spec.podSelector },
      policyTypes: spec.egress === undefined ? ["Ingress"] : ["Ingress", "Egress"],
      ingress: [
        {
          from: allowFrom.map(peerOf),
          ports:
            spec.grpcPort === undefined
              ? ports
              : [...ports, { protocol: "TCP", port: spec.grpcPort }],
        },
        {
          from: [{ namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: monitoring } } }],
          ports: [{ protocol: "TCP", port: spec.metricsPort }],
        },
      ],
      ...(spec.egress === undefined ? {} : { egress: spec.egress }),
    },
  };
}
