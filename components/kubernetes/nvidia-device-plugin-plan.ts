import type { ReleaseArgs } from "@pulumi/kubernetes/helm/v3";
import { ACCELERATOR_MODELS, ACCELERATOR_TYPES, type AcceleratorType } from "../accelerators";
import { HybridAiConfigError } from "../errors";
import { assertOneOf, assertWholeNumber } from "../validate";
import { acceleratorTaint, LABELS, tolerationFor } from "./labels";
import {
  MIG_STRATEGIES,
  type MigStrategy,
  type NvidiaDevicePluginArgs,
} from "./nvidia-device-plugin-args";
import { assertHelmReleaseName, assertNamespace } from "./validate";

const COMPONENT = "NvidiaDevicePlugin";

/** The NVIDIA device plugin's Helm chart, pinned. */
export const NVIDIA_DEVICE_PLUGIN_CHART = {
  chart: "nvidia-device-plugin",
  version: "0.18.2",
  repo: "https://nvidia.github.io/k8s-device-plugin",
} as const;

/** The NVIDIA GPU types hybridai knows. */
export const NVIDIA_GPU_TYPES: readonly AcceleratorType[] = ACCELERATOR_TYPES.filter(
  (t) => ACCELERATOR_MODELS[t].vendor === "nvidia",
);

/** The plugin's config file (`config.map.default` in the chart values). */
function pluginConfig(migStrategy: MigStrategy, replicas: number | undefined): string {
  const lines = ["version: v1", "flags:", `  migStrategy: ${migStrategy}`];
  if (replicas !== undefined) {
    lines.push(
      "sharing:",
      "  timeSlicing:",
      "    renameByDefault: false",
      "    failRequestsGreaterThanOne: true",
      "    resources:",
      "      - name: nvidia.com/gpu",
      `        replicas: ${replicas}`,
    );
  }
  return `${lines.join("\n")}\n`;
}

/**
 * Validates the arguments (and `name`, the Helm release name) and returns the Helm release: the pinned chart, scheduled only on
 * nodes labelled with one of the chosen NVIDIA types and tolerating the GPU taint, with the MIG
 * strategy and time-slicing in the plugin config. Throws {@link HybridAiConfigError} for an
 * unknown or non-NVIDIA type, MIG on a type without MIG, time-slicing on a type without sharing,
 * time-slicing replicas out of range, or a bad namespace or chart version.
 */
export function planNvidiaDevicePlugin(
  name: string,
  args: NvidiaDevicePluginArgs = {},
): ReleaseArgs {
  assertHelmReleaseName(COMPONENT, name);
  const namespace = args.namespace ?? "kube-system";
  assertNamespace(COMPONENT, "namespace", namespace);
  const accelerators = args.accelerators ?? [...NVIDIA_GPU_TYPES];
  if (!Array.isArray(accelerators) || accelerators.length === 0) {
    throw new HybridAiConfigError(
      COMPONENT,
      "accelerators",
      accelerators,
      `a non-empty list of ${NVIDIA_GPU_TYPES.join(", ")}`,
    );
  }
  for (const [i, type] of accelerators.entries()) {
    assertOneOf(COMPONENT, `accelerators[${i}]`, type, NVIDIA_GPU_TYPES);
  }
  const migStrategy = args.migStrategy ?? "none";
  assertOneOf(COMPONENT, "migStrategy", migStrategy, MIG_STRATEGIES);
  if (migStrategy !== "none") {
    const withoutMig = accelerators.filter((t) => ACCELERATOR_MODELS[t].migPartitions.length === 0);
    if (withoutMig.length > 0) {
      throw new HybridAiConfigError(
        COMPONENT,
        "migStrategy",
        migStrategy,
        `"none" for ${withoutMig.join(", ")} (no MIG); MIG needs ${NVIDIA_GPU_TYPES.filter((t) => ACCELERATOR_MODELS[t].migPartitions.length > 0).join(", ")}`,
      );
    }
  }
  if (args.timeSlicingReplicas !== undefined) {
    assertWholeNumber(COMPONENT, "timeSlicingReplicas", args.timeSlicingReplicas, 2, 48);
    const unshared = accelerators.filter((t) => !ACCELERATOR_MODELS[t].supportsSharing);
    if (unshared.length > 0) {
      throw new HybridAiConfigError(
        COMPONENT,
        "timeSlicingReplicas",
        args.timeSlicingReplicas,
        `unset for ${unshared.join(", ")} (no sharing)`,
      );
    }
  }
  const version = args.chartVersion ?? NVIDIA_DEVICE_PLUGIN_CHART.version;
  if (!/^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/.test(version)) {
    throw new HybridAiConfigError(
      COMPONENT,
      "chartVersion",
      version,
      "an exact chart version such as 0.18.2",
    );
  }
  return {
    name,
    namespace,
    chart: NVIDIA_DEVICE_PLUGIN_CHART.chart,
    version,
    repositoryOpts: { repo: NVIDIA_DEVICE_PLUGIN_CHART.repo },
    atomic: true,
    cleanupOnFail: true,
    values: {
      migStrategy,
      priorityClassName: "system-node-critical",
      config: {
        map: { default: pluginConfig(migStrategy, args.timeSlicingReplicas) },
        default: "default",
      },
      affinity: {
        nodeAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: {
            nodeSelectorTerms: [
              {
                matchExpressions: [
                  { key: LABELS.accelerator, operator: "In", values: accelerators },
                ],
              },
            ],
          },
        },
      },
      tolerations: [
        tolerationFor(acceleratorTaint(accelerators[0])),
        { key: LABELS.capacityType, operator: "Exists", effect: "NoSchedule" },
        { key: "cloud.google.com/gke-spot", operator: "Exists", effect: "NoSchedule" },
        { key: "CriticalAddonsOnly", operator: "Exists" },
      ],
    },
  };
}
