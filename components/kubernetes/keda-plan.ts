import type { ReleaseArgs } from "@pulumi/kubernetes/helm/v3";
import { HybridAiConfigError } from "../errors";
import { assertWholeNumber } from "../validate";
import type { KedaArgs } from "./keda-args";
import { assertHelmReleaseName, assertNamespace } from "./validate";

const COMPONENT = "Keda";

/**
 * The KEDA Helm chart, pinned: chart 2.20.2 ships KEDA 2.20.2 with its CRDs
 * (`keda/templates/crds/crd-scaledobjects.yaml` at tag v2.20.2 of kedacore/charts), whose
 * ScaledObject schema the tests validate every ScaledObject against.
 */
export const KEDA_CHART = {
  chart: "keda",
  version: "2.20.2",
  appVersion: "2.20.2",
  repo: "https://kedacore.github.io/charts",
} as const;

/** Everything {@link Keda} creates. */
export interface KedaPlan {
  /** Namespace of the operator. */
  namespace: string;
  /** The pinned chart with its CRDs, operator, metrics server and admission webhooks. */
  release: ReleaseArgs;
}

/**
 * Validates the arguments (and `name`, the Helm release name) and returns the pinned KEDA chart
 * with its CRDs. Throws {@link HybridAiConfigError} for a bad name, namespace or replica count.
 */
export function planKeda(name: string, args: KedaArgs = {}): KedaPlan {
  assertHelmReleaseName(COMPONENT, name);
  const namespace = args.namespace ?? "keda";
  assertNamespace(COMPONENT, "namespace", namespace);
  const replicas = args.replicas ?? 1;
  assertWholeNumber(COMPONENT, "replicas", replicas, 1, 5);
  return {
    namespace,
    release: {
      name,
      namespace,
      createNamespace: true,
      chart: KEDA_CHART.chart,
      version: KEDA_CHART.version,
      repositoryOpts: { repo: KEDA_CHART.repo },
      atomic: true,
      cleanupOnFail: true,
      values: { crds: { install: true }, operator: { replicaCount: replicas } },
    },
  };
}
