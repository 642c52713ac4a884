import { HybridAiConfigError } from "../errors";
import { assertOneOf, assertWholeNumber } from "../validate";
import { assertCloud, MACHINE_TYPES } from "./catalog";
import type { MachineType } from "./machine-type";
import { singleHostTpuSlice, type TpuSlice, tpuSlice } from "./tpu";
import { ACCELERATOR_TYPES, type AcceleratorSpec, type Cloud, type TpuType } from "./types";

/** An accelerator spec with every default applied and checked. */
export interface ResolvedAcceleratorSpec {
  /** The accelerator model. */
  type: AcceleratorSpec["type"];
  /** Devices per node (for a TPU slice, chips per node). */
  count: number;
  /** The TPU slice, for TPU specs. */
  tpu?: TpuSlice;
}

/** Whether an accelerator type is a TPU generation. */
export function isTpu(type: string): type is TpuType {
  return type.startsWith("tpu-");
}

/** The clouds that offer an accelerator type. */
export function cloudsOffering(type: AcceleratorSpec["type"]): Cloud[] {
  return (Object.keys(MACHINE_TYPES) as Cloud[]).filter((cloud) =>
    MACHINE_TYPES[cloud].some((m) => m.accelerator === type),
  );
}

/** The accelerator types a cloud offers, in catalog order. */
export function typesOffered(cloud: Cloud): AcceleratorSpec["type"][] {
  return ACCELERATOR_TYPES.filter((type) => cloudsOffering(type).includes(cloud));
}

/**
 * Checks that a spec names a known accelerator type, throwing an error that lists the types
 * otherwise: those `cloud` offers when a cloud is given (an AWS fleet never lists TPUs), else all.
 */
export function assertAcceleratorType(
  spec: AcceleratorSpec | undefined,
  component: string,
  cloud?: Cloud,
): asserts spec is AcceleratorSpec {
  if (!(ACCELERATOR_TYPES as readonly string[]).includes(spec?.type as string)) {
    throw new HybridAiConfigError(
      component,
      "accelerator.type",
      spec?.type,
      cloud ? typesOffered(cloud) : ACCELERATOR_TYPES,
    );
  }
}

/**
 * Checks an accelerator spec against a cloud's catalog and applies defaults. Throws
 * {@link HybridAiConfigError} for an unknown type, a type the cloud does not offer, a count no
 * machine of that cloud has, a topology on a GPU, or a TPU topology the generation lacks.
 */
export function resolveAcceleratorSpec(
  spec: AcceleratorSpec,
  cloud: Cloud,
  component = "resolveAccelerator",
): ResolvedAcceleratorSpec {
  assertCloud(cloud, component);
  assertAcceleratorType(spec, component, cloud);
  const offeredOn = cloudsOffering(spec.type);
  if (!offeredOn.includes(cloud)) {
    const alternatives = typesOffered(cloud);
    throw new HybridAiConfigError(
      component,
      "accelerator.type",
      spec.type,
      `${spec.type} is offered on ${offeredOn.join(", ")} only; on ${cloud}: ${alternatives.join(", ")}`,
    );
  }
  if (spec.count !== undefined) assertWholeNumber(component, "accelerator.count", spec.count, 1);
  if (isTpu(spec.type)) {
    const tpu =
      spec.topology !== undefined
        ? tpuSlice(spec.type, spec.topology, component)
        : singleHostTpuSlice(spec.type, spec.count ?? 1, component);
    if (
      spec.topology !== undefined &&
      spec.count !== undefined &&
      spec.count !== tpu.chipsPerNode
    ) {
      throw new HybridAiConfigError(
        component,
        "accelerator.count",
        spec.count,
        `${tpu.chipsPerNode} (chips per node of a ${spec.topology} ${spec.type} slice), or leave it out`,
      );
    }
    return { type: spec.type, count: tpu.chipsPerNode, tpu };
  }
  if (spec.topology !== undefined) {
    throw new HybridAiConfigError(
      component,
      "accelerator.topology",
      spec.topology,
      "only for TPU types",
    );
  }
  const count = spec.count ?? 1;
  const counts = validCounts(spec.type, cloud);
  assertOneOf(
    component,
    "accelerator.count",
    count,
    counts,
    `for ${spec.type} on ${cloud}: ${counts.join(", ")}`,
  );
  return { type: spec.type, count };
}

/** The device counts per node that a cloud's machines offer for an accelerator type, ascending. */
export function validCounts(type: AcceleratorSpec["type"], cloud: Cloud): number[] {
  const counts = MACHINE_TYPES[cloud]
    .filter((m) => m.accelerator === type)
    .map((m) => m.acceleratorCount);
  return [...new Set(counts)].sort((a, b) => a - b);
}

/**
 * The machine types that satisfy an accelerator spec on a cloud, cheapest on-demand first.
 * Several candidates (sizes of the same family) let spot capacity diversify across pools; a TPU
 * spec resolves to the one machine type of its slice.
 */
export function resolveAccelerator(
  spec: AcceleratorSpec,
  cloud: Cloud,
  component = "resolveAccelerator",
): MachineType[] {
  const resolved = resolveAcceleratorSpec(spec, cloud, component);
  const tpuMachine = resolved.tpu?.machineType;
  return MACHINE_TYPES[cloud]
    .filter((m) =>
      tpuMachine !== undefined
        ? m.name === tpuMachine
        : m.accelerator === resolved.type && m.acceleratorCount === resolved.count,
    )
    .sort((a, b) => a.onDemandHourlyUsd - b.onDemandHourlyUsd);
}
