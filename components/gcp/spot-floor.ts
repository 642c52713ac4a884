import type { CapacitySplit, ResolvedCapacity } from "../accelerators";
import { HybridAiConfigError } from "../errors";

/**
 * Refuses a Spot capacity of two or more units (nodes or TPU slices) without an on-demand floor:
 * one Spot preemption (30 s notice on GKE) could otherwise take every unit, and with it every
 * replica. An all-Spot pool that may shrink to a single unit stays allowed.
 */
export function assertOnDemandFloor(
  component: string,
  capacity: ResolvedCapacity,
  split: CapacitySplit,
): void {
  if (capacity.spot && capacity.min >= 2 && split.onDemand.min < 1) {
    throw new HybridAiConfigError(
      component,
      "capacity.spot.onDemandBase",
      capacity.spot.onDemandBase,
      `at least 1 when capacity.min is ${capacity.min}: a Spot preemption (30 s notice) must never take every node or TPU slice; or lower capacity.min below 2 for an all-Spot pool`,
    );
  }
}
