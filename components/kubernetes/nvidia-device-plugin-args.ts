import type { Provider } from "@pulumi/kubernetes/provider";
import type { AcceleratorType } from "../accelerators";

/** How the plugin exposes Multi-Instance GPU partitions, by name. */
export const MigStrategy = {
  /** Whole GPUs. */
  None: "none",
  /** One partition size a node, as `nvidia.com/gpu`. */
  Single: "single",
  /** `nvidia.com/mig-<size>` resources. */
  Mixed: "mixed",
} as const;

/** A MIG strategy: `none` (whole GPUs), `single` (one partition size a node, as `nvidia.com/gpu`), `mixed` (`nvidia.com/mig-<size>` resources). */
export type MigStrategy = (typeof MigStrategy)[keyof typeof MigStrategy];

/** How the plugin exposes Multi-Instance GPU partitions. */
export const MIG_STRATEGIES: readonly MigStrategy[] = Object.values(MigStrategy);

/** Arguments of {@link NvidiaDevicePlugin}; plain values, validated before anything registers. */
export interface NvidiaDevicePluginArgs {
  /** The Kubernetes provider of the target cluster. Default: the ambient provider. */
  provider?: Provider;
  /** Namespace of the release. Default `kube-system`. */
  namespace?: string;
  /** GPU types whose nodes run the plugin (matched on `hybridai.dev/accelerator`). Default: every NVIDIA type. */
  accelerators?: AcceleratorType[];
  /** Time-slicing: each GPU is advertised this many times (2–48). Default: none (one pod a GPU). */
  timeSlicingReplicas?: number;
  /** Multi-Instance GPU strategy. Default `none`. `single`/`mixed` need MIG-capable types (A100, H100). */
  migStrategy?: MigStrategy;
  /** Chart version. Default {@link NVIDIA_DEVICE_PLUGIN_CHART}'s pinned version. */
  chartVersion?: string;
}
