import type { AcceleratorType } from "./types";

/** Who makes the device and which node software it needs. */
export type AcceleratorVendor = "nvidia" | "aws-neuron" | "google-tpu";

/** Facts about one accelerator model, independent of the cloud that offers it. */
export interface AcceleratorModel {
  /** Device vendor family. */
  vendor: AcceleratorVendor;
  /** Device memory per device, GiB (HBM or GDDR). */
  memoryGiB: number;
  /** The Kubernetes extended resource a pod requests, e.g. `nvidia.com/gpu`. */
  resourceName: "nvidia.com/gpu" | "aws.amazon.com/neuron" | "google.com/tpu";
  /** NVIDIA Multi-Instance GPU partition sizes the device supports (empty when none). */
  migPartitions: readonly string[];
  /** Whether GPU time-sharing and MPS sharing are supported. */
  supportsSharing: boolean;
  /** GKE's accelerator type string, when GKE offers it. */
  gkeAcceleratorType?: string;
}

/** The facts of every accelerator model hybridai knows. */
export const ACCELERATOR_MODELS: Readonly<Record<AcceleratorType, AcceleratorModel>> = {
  "nvidia-t4": {
    vendor: "nvidia",
    memoryGiB: 16,
    resourceName: "nvidia.com/gpu",
    migPartitions: [],
    supportsSharing: true,
    gkeAcceleratorType: "nvidia-tesla-t4",
  },
  "nvidia-a10g": {
    vendor: "nvidia",
    memoryGiB: 24,
    resourceName: "nvidia.com/gpu",
    migPartitions: [],
    supportsSharing: true,
  },
  "nvidia-l4": {
    vendor: "nvidia",
    memoryGiB: 24,
    resourceName: "nvidia.com/gpu",
    migPartitions: [],
    supportsSharing: true,
    gkeAcceleratorType: "nvidia-l4",
  },
  "nvidia-l40s": {
    vendor: "nvidia",
    memoryGiB: 48,
    resourceName: "nvidia.com/gpu",
    migPartitions: [],
    supportsSharing: true,
  },
  "nvidia-a100-40gb": {
    vendor: "nvidia",
    memoryGiB: 40,
    resourceName: "nvidia.com/gpu",
    migPartitions: ["1g.5gb", "2g.10gb", "3g.20gb", "7g.40gb"],
    supportsSharing: true,
    gkeAcceleratorType: "nvidia-tesla-a100",
  },
  "nvidia-a100-80gb": {
    vendor: "nvidia",
    memoryGiB: 80,
    resourceName: "nvidia.com/gpu",
    migPartitions: ["1g.10gb", "2g.20gb", "3g.40gb", "7g.80gb"],
    supportsSharing: true,
    gkeAcceleratorType: "nvidia-a100-80gb",
  },
  "nvidia-h100-80gb": {
    vendor: "nvidia",
    memoryGiB: 80,
    resourceName: "nvidia.com/gpu",
    migPartitions: ["1g.10gb", "1g.20gb", "2g.20gb", "3g.40gb", "7g.80gb"],
    supportsSharing: true,
    gkeAcceleratorType: "nvidia-h100-80gb",
  },
  "aws-inferentia2": {
    vendor: "aws-neuron",
    memoryGiB: 32,
    resourceName: "aws.amazon.com/neuron",
    migPartitions: [],
    supportsSharing: false,
  },
  "tpu-v5e": {
    vendor: "google-tpu",
    memoryGiB: 16,
    resourceName: "google.com/tpu",
    migPartitions: [],
    supportsSharing: false,
    gkeAcceleratorType: "tpu-v5-lite-podslice",
  },
  "tpu-v5p": {
    vendor: "google-tpu",
    memoryGiB: 95,
    resourceName: "google.com/tpu",
    migPartitions: [],
    supportsSharing: false,
    gkeAcceleratorType: "tpu-v5p-slice",
  },
  "tpu-v6e": {
    vendor: "google-tpu",
    memoryGiB: 32,
    resourceName: "google.com/tpu",
    migPartitions: [],
    supportsSharing: false,
    gkeAcceleratorType: "tpu-v6e-slice",
  },
};
