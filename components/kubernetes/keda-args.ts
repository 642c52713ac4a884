import type { Provider } from "@pulumi/kubernetes/provider";

/** Arguments of {@link Keda}; plain values, validated before anything registers. */
export interface KedaArgs {
  /** The Kubernetes provider of the target cluster. Default: the ambient provider. */
  provider?: Provider;
  /** Namespace of the operator (created when missing). Default `keda`. */
  namespace?: string;
  /** Operator replicas (one leads, the others stand by). Default 1. */
  replicas?: number;
}
