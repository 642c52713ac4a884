import {
  ACCELERATOR_MODELS,
  ACCELERATOR_TYPES,
  type AcceleratorSpec,
  type AcceleratorType,
  assertAcceleratorType,
  isTpu,
  MACHINE_TYPES,
  type MachineType,
  singleHostTpuSlice,
  type TpuSlice,
  tpuSlice,
  tpuTopologies,
} from "../../accelerators";
import { HybridAiConfigError } from "../../errors";
import { assertWholeNumber } from "../../validate";
import type { ServingAccelerator } from "../scheduling";

/** GKE's node label naming a TPU node's accelerator, e.g. `tpu-v5-lite-podslice`. */
export const GKE_TPU_ACCELERATOR_LABEL = "cloud.google.com/gke-tpu-accelerator";

/** GKE's node label naming a TPU node's slice topology, e.g. `2x4`. */
export const GKE_TPU_TOPOLOGY_LABEL = "cloud.google.com/gke-tpu-topology";

/**
 * The vLLM images, pinned to one vLLM release (the same flags and metrics on both): the
 * OpenAI-compatible server for NVIDIA GPUs (`vllm/vllm-openai`, Docker Hub) and the TPU build
 * (`vllm/vllm-tpu`, built from vllm-project/tpu-inference). Sources in docs/llm-serving.md.
 */
export const VLLM_IMAGES = {
  /** vLLM release both images are built from. */
  version: "v0.29.0",
  /** NVIDIA GPUs (CUDA). */
  nvidia: "docker.io/vllm/vllm-openai:v0.29.0",
  /** Google Cloud TPUs. */
  tpu: "docker.io/vllm/vllm-tpu:v0.29.0",
} as const;

/** The accelerators of one vLLM replica, resolved. */
export interface LlmAccelerator extends ServingAccelerator {
  /** `nvidia` or `tpu`: which image, loader and placement. */
  family: "nvidia" | "tpu";
  /** vLLM `--tensor-parallel-size`: the GPUs of the pod, or the chips of the TPU slice. */
  tensorParallelSize: number;
  /** Accelerator memory of the pod, GiB. */
  memoryGiB: number;
  /** The TPU slice, on TPUs. */
  slice?: TpuSlice;
  /** The smallest node type that carries the pod's accelerators (for default resources). */
  node: MachineType;
}

function smallestNode(type: AcceleratorType, count: number): MachineType {
  const fits = [...MACHINE_TYPES.aws, ...MACHINE_TYPES.gcp]
    .filter((m) => m.accelerator === type && m.acceleratorCount >= count)
    .sort((a, b) => a.acceleratorCount - b.acceleratorCount || a.memoryGiB - b.memoryGiB);
  return fits[0] as MachineType;
}

function tpuOf(component: string, spec: AcceleratorSpec): TpuSlice {
  const type = spec.type as Parameters<typeof tpuSlice>[0];
  const slice =
    spec.topology !== undefined
      ? tpuSlice(type, spec.topology, component)
      : singleHostTpuSlice(type, spec.count ?? 1, component);
  if (spec.topology !== undefined && spec.count !== undefined && spec.count !== slice.chips) {
    throw new HybridAiConfigError(
      component,
      "accelerator.count",
      spec.count,
      `${slice.chips} (the chips of a ${slice.topology} slice) or leave it out`,
    );
  }
  if (slice.multiHost) {
    const single = tpuTopologies(type).filter((t) => !tpuSlice(type, t).multiHost);
    throw new HybridAiConfigError(
      component,
      "accelerator.topology",
      slice.topology,
      `a single-host ${type} slice (${single.join(", ")}): a ${slice.topology} slice spans ${slice.nodeCount} hosts, which needs one pod per host started together (LeaderWorkerSet) and vLLM's Ray-based multi-host serving; LlmService does not support that yet`,
    );
  }
  return slice;
}

/**
 * Checks the accelerator spec for vLLM: an NVIDIA GPU (1–8 on one node) or a single-host TPU
 * slice; Inferentia is refused. Tensor parallelism is the pod's GPUs or the slice's chips.
 */
export function llmAccelerator(component: string, spec: AcceleratorSpec): LlmAccelerator {
  assertAcceleratorType(spec, component);
  const model = ACCELERATOR_MODELS[spec.type];
  if (isTpu(spec.type)) {
    const slice = tpuOf(component, spec);
    return {
      type: spec.type,
      family: "tpu",
      count: slice.chipsPerNode,
      resourceName: model.resourceName,
      tensorParallelSize: slice.chips,
      memoryGiB: slice.chips * model.memoryGiB,
      slice,
      node: smallestNode(spec.type, slice.chipsPerNode),
    };
  }
  if (model.vendor !== "nvidia") {
    const served = ACCELERATOR_TYPES.filter(
      (t) => ACCELERATOR_MODELS[t].vendor === "nvidia" || isTpu(t),
    );
    throw new HybridAiConfigError(
      component,
      "accelerator.type",
      spec.type,
      `an NVIDIA GPU or a TPU (vLLM's images here are CUDA and TPU builds): ${served.join(", ")}`,
    );
  }
  if (spec.topology !== undefined) {
    throw new HybridAiConfigError(
      component,
      "accelerator.topology",
      spec.topology,
      "only for TPU types; leave it out",
    );
  }
  const count = spec.count ?? 1;
  assertWholeNumber(component, "accelerator.count", count, 1, 8);
  return {
    type: spec.type,
    family: "nvidia",
    count,
    resourceName: model.resourceName,
    tensorParallelSize: count,
    memoryGiB: count * model.memoryGiB,
    node: smallestNode(spec.type, count),
  };
}

/**
 * The node labels a replica must match: GKE's TPU accelerator and topology labels (set by GKE on
 * every TPU node, equal to what `gcp.TpuNodePool` creates for the same spec), or hybridai's
 * accelerator label on GPUs; `nodeSelector` replaces them.
 */
export function llmNodeSelector(
  accelerator: LlmAccelerator,
  hybridaiSelector: Record<string, string>,
  nodeSelector: Record<string, string> | undefined,
): Record<string, string> {
  if (nodeSelector) return nodeSelector;
  if (accelerator.slice) {
    return {
      [GKE_TPU_ACCELERATOR_LABEL]: accelerator.slice.gkeAcceleratorType,
      [GKE_TPU_TOPOLOGY_LABEL]: accelerator.slice.topology,
    };
  }
  return hybridaiSelector;
}
