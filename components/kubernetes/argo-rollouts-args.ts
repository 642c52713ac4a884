import type { Provider } from "@pulumi/kubernetes/provider";

/** Arguments of {@link ArgoRollouts}; plain values, validated before anything registers. */
export interface ArgoRolloutsArgs {
  /** The Kubernetes provider of the target cluster. Default: the ambient provider. */
  provider?: Provider;
  /** Namespace of the controller (created when missing). Default `argo-rollouts`. */
  namespace?: string;
  /** Controller replicas (one leads, the others stand by). Default 2. */
  replicas?: number;
  /** Gateway API plugin image tag. Default {@link GATEWAY_API_PLUGIN}'s pinned version. */
  pluginVersion?: string;
}
