import { HybridAiConfigError } from "../errors";
import { ACCELERATOR_MODELS } from "./devices";
import type { TpuType } from "./types";

/** The slice rules of one TPU generation on GKE. */
export interface TpuGeneration {
  /** The accelerator type. */
  type: TpuType;
  /** Single-host topologies and the machine type that hosts each whole slice on one node. */
  singleHost: Readonly<Record<string, string>>;
  /** Multi-host topologies, all built from nodes of `multiHostMachineType`. */
  multiHost: readonly string[];
  /** The machine type of every node of a multi-host slice. */
  multiHostMachineType: string;
  /** TPU chips on each node of a multi-host slice. */
  chipsPerHost: number;
}

/**
 * TPU topologies per generation, from GKE's TPU documentation ("Plan TPUs in GKE": v5e and v6e
 * 2D slices up to 16x16, v5p 3D slices; multi-host slices use 4-chip hosts), compiled 2026-11-26.
 */
export const TPU_GENERATIONS: Readonly<Record<TpuType, TpuGeneration>> = {
  "tpu-v5e": {
    type: "tpu-v5e",
    singleHost: { "1x1": "ct5lp-hightpu-1t", "2x2": "ct5lp-hightpu-4t", "2x4": "ct5lp-hightpu-8t" },
    multiHost: ["4x4", "4x8", "8x8", "8x16", "16x16"],
    multiHostMachineType: "ct5lp-hightpu-4t",
    chipsPerHost: 4,
  },
  "tpu-v5p": {
    type: "tpu-v5p",
    singleHost: { "2x2x1": "ct5p-hightpu-4t" },
    multiHost: [
      "2x2x2",
      "2x2x4",
      "2x4x4",
      "4x4x4",
      "4x4x8",
      "4x8x8",
      "8x8x8",
      "8x8x16",
      "8x16x16",
      "16x16x16",
      "16x16x24",
    ],
    multiHostMachineType: "ct5p-hightpu-4t",
    chipsPerHost: 4,
  },
  "tpu-v6e": {
    type: "tpu-v6e",
    singleHost: { "1x1": "ct6e-standard-1t", "2x2": "ct6e-standard-4t", "2x4": "ct6e-standard-8t" },
    multiHost: ["4x4", "4x8", "8x8", "8x16", "16x16"],
    multiHostMachineType: "ct6e-standard-4t",
    chipsPerHost: 4,
  },
};

/** A resolved TPU slice: what GKE needs to create a node pool for it. */
export interface TpuSlice {
  /** The TPU generation. */
  type: TpuType;
  /** The slice topology, e.g. `2x4`. */
  topology: string;
  /** TPU chips in the whole slice. */
  chips: number;
  /** Machine type of every node in the slice. */
  machineType: string;
  /** TPU chips on each node. */
  chipsPerNode: number;
  /** Nodes in one slice (1 for single-host). */
  nodeCount: number;
  /** Whether the slice spans several hosts (GKE needs a placement policy with the topology). */
  multiHost: boolean;
  /** GKE's accelerator type string for node selectors, e.g. `tpu-v5-lite-podslice`. */
  gkeAcceleratorType: string;
}

/** Every valid topology of a TPU generation, single-host first. */
export function tpuTopologies(type: TpuType): string[] {
  const generation = TPU_GENERATIONS[type];
  return [...Object.keys(generation.singleHost), ...generation.multiHost];
}

/** Chips in a topology string such as `2x2x4`. */
export function topologyChips(topology: string): number {
  return topology.split("x").reduce((product, dim) => product * Number(dim), 1);
}

/**
 * Resolves a TPU generation and topology to its slice: machine type, chips and node count.
 * Throws {@link HybridAiConfigError} listing the valid topologies when the topology does not fit.
 */
export function tpuSlice(type: TpuType, topology: string, component = "tpuSlice"): TpuSlice {
  const generation = TPU_GENERATIONS[type];
  if (!generation) {
    throw new HybridAiConfigError(
      component,
      "accelerator.type",
      type,
      Object.keys(TPU_GENERATIONS),
    );
  }
  const chips = topologyChips(topology);
  const gkeAcceleratorType = ACCELERATOR_MODELS[type].gkeAcceleratorType as string;
  const singleHostMachine = generation.singleHost[topology];
  if (singleHostMachine) {
    return {
      type,
      topology,
      chips,
      machineType: singleHostMachine,
      chipsPerNode: chips,
      nodeCount: 1,
      multiHost: false,
      gkeAcceleratorType,
    };
  }
  if (generation.multiHost.includes(topology)) {
    return {
      type,
      topology,
      chips,
      machineType: generation.multiHostMachineType,
      chipsPerNode: generation.chipsPerHost,
      nodeCount: chips / generation.chipsPerHost,
      multiHost: true,
      gkeAcceleratorType,
    };
  }
  throw new HybridAiConfigError(
    component,
    "accelerator.topology",
    topology,
    `for ${type}: ${tpuTopologies(type).join(", ")}`,
  );
}

/** The single-host slice with exactly `chips` chips, or an error listing the single-host counts. */
export function singleHostTpuSlice(type: TpuType, chips: number, component = "tpuSlice"): TpuSlice {
  const generation = TPU_GENERATIONS[type];
  const topology = Object.keys(generation.singleHost).find((t) => topologyChips(t) === chips);
  if (!topology) {
    const counts = Object.keys(generation.singleHost).map(topologyChips);
    throw new HybridAiConfigError(
      component,
      "accelerator.count",
      chips,
      `for single-host ${type}: ${counts.join(", ")} chips; or give accelerator.topology (${tpuTopologies(type).join(", ")})`,
    );
  }
  return tpuSlice(type, topology, component);
}
