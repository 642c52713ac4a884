/** The clouds hybridai provisions accelerators on. */
export type Cloud = "aws" | "gcp";

/** Every cloud hybridai knows, in a stable order for messages. */
export const CLOUDS: readonly Cloud[] = ["aws", "gcp"];

/**
 * Cloud-neutral accelerator models, by name. In TypeScript, pass the value (`"nvidia-l4"`); the
 * object gives other languages an enum (`AcceleratorType.NvidiaL4` in the package schema).
 */
export const AcceleratorType = {
  /** NVIDIA T4, 16 GB. */
  NvidiaT4: "nvidia-t4",
  /** NVIDIA A10G, 24 GB. */
  NvidiaA10g: "nvidia-a10g",
  /** NVIDIA L4, 24 GB. */
  NvidiaL4: "nvidia-l4",
  /** NVIDIA L40S, 48 GB. */
  NvidiaL40s: "nvidia-l40s",
  /** NVIDIA A100, 40 GB. */
  NvidiaA100_40gb: "nvidia-a100-40gb",
  /** NVIDIA A100, 80 GB. */
  NvidiaA100_80gb: "nvidia-a100-80gb",
  /** NVIDIA H100, 80 GB. */
  NvidiaH100_80gb: "nvidia-h100-80gb",
  /** AWS Inferentia2. */
  AwsInferentia2: "aws-inferentia2",
  /** Google Cloud TPU v5e. */
  TpuV5e: "tpu-v5e",
  /** Google Cloud TPU v5p. */
  TpuV5p: "tpu-v5p",
  /** Google Cloud TPU v6e (Trillium). */
  TpuV6e: "tpu-v6e",
} as const;

/** A cloud-neutral accelerator model name, e.g. `nvidia-l4` or `tpu-v5e`. */
export type AcceleratorType = (typeof AcceleratorType)[keyof typeof AcceleratorType];

/** Every cloud-neutral accelerator model, in the catalog's order. */
export const ACCELERATOR_TYPES: readonly AcceleratorType[] = Object.values(AcceleratorType);

/** The TPU generations, by name: the TPUs of {@link AcceleratorType}. */
export const TpuType = {
  /** Google Cloud TPU v5e. */
  TpuV5e: "tpu-v5e",
  /** Google Cloud TPU v5p. */
  TpuV5p: "tpu-v5p",
  /** Google Cloud TPU v6e (Trillium). */
  TpuV6e: "tpu-v6e",
} as const;

/** The TPU generations, a subset of {@link AcceleratorType}. */
export type TpuType = Extract<AcceleratorType, (typeof TpuType)[keyof typeof TpuType]>;

/**
 * The cloud-neutral accelerator spec: what a workload needs, not which instance provides it.
 *
 * For GPUs and Inferentia, `count` is the number of devices on one node. For TPUs, either give a
 * `topology` (a slice, e.g. `2x4` for v5e or `2x2x2` for v5p) or a `count` of chips on one
 * single-host node.
 */
export interface AcceleratorSpec {
  /** The accelerator model. */
  type: AcceleratorType;
  /** Devices (GPUs, Inferentia chips, TPU chips) per node. Default 1, or derived from `topology`. */
  count?: number;
  /** TPU slice topology, e.g. `2x2`, `4x8`, `2x2x4`. TPUs only. */
  topology?: string;
}

/** How many on-demand nodes to keep before spot, and the on-demand share above that. */
export interface SpotSpec {
  /** Nodes that are always on-demand, filled first. Default 0. */
  onDemandBase?: number;
  /** Percentage (0–100) of nodes above the base that are on-demand; the rest are spot. Default 0. */
  onDemandPercentAboveBase?: number;
}

/**
 * Node capacity for an accelerator pool. Without `spot`, every node is on-demand.
 * For multi-host TPU slices, the numbers count slices, not nodes.
 */
export interface CapacitySpec {
  /** Minimum nodes (or TPU slices). */
  min: number;
  /** Maximum nodes (or TPU slices); at least `min` and at least 1. */
  max: number;
  /** Initial desired nodes; between `min` and `max`. Default `min`. */
  desired?: number;
  /** Use spot capacity above an on-demand floor. */
  spot?: SpotSpec;
}

/** A node's capacity type, with hybridai's label values. */
export type CapacityType = "spot" | "on-demand";
