import { HybridAiConfigError } from "../errors";
import { assertWholeNumber } from "../validate";
import type { CapacitySpec } from "./types";

/** A capacity spec with defaults applied and every bound checked. */
export interface ResolvedCapacity {
  /** Minimum nodes. */
  min: number;
  /** Maximum nodes. */
  max: number;
  /** Initial desired nodes. */
  desired: number;
  /** Spot settings with defaults applied; absent when every node is on-demand. */
  spot?: { onDemandBase: number; onDemandPercentAboveBase: number };
}

/** Node bounds of one capacity type. */
export interface NodeBounds {
  /** Minimum nodes. */
  min: number;
  /** Maximum nodes. */
  max: number;
  /** Initial desired nodes. */
  desired: number;
}

/** How a capacity splits into an on-demand part and a spot part. */
export interface CapacitySplit {
  /** On-demand nodes. */
  onDemand: NodeBounds;
  /** Spot nodes. */
  spot: NodeBounds;
}

/**
 * Checks a capacity spec and applies defaults: `desired` = `min`; with `spot`, `onDemandBase` = 0
 * and `onDemandPercentAboveBase` = 0. Throws {@link HybridAiConfigError} for negative or
 * fractional numbers, `max` = 0, `min > max`, `desired` out of range, or a percentage outside 0–100.
 */
export function validateCapacity(
  capacity: CapacitySpec,
  component = "validateCapacity",
): ResolvedCapacity {
  if (capacity === null || typeof capacity !== "object") {
    throw new HybridAiConfigError(
      component,
      "capacity",
      capacity,
      "an object { min, max, desired?, spot? }",
    );
  }
  const min = assertWholeNumber(component, "capacity.min", capacity.min, 0);
  const max = assertWholeNumber(component, "capacity.max", capacity.max, 1);
  if (min > max) {
    throw new HybridAiConfigError(
      component,
      "capacity.min",
      min,
      `a number ≤ capacity.max (${max})`,
    );
  }
  const desired =
    capacity.desired === undefined
      ? min
      : assertWholeNumber(component, "capacity.desired", capacity.desired, 0);
  if (desired < min || desired > max) {
    throw new HybridAiConfigError(
      component,
      "capacity.desired",
      desired,
      `a number from ${min} to ${max}`,
    );
  }
  if (capacity.spot === undefined) return { min, max, desired };
  const onDemandBase = assertWholeNumber(
    component,
    "capacity.spot.onDemandBase",
    capacity.spot.onDemandBase ?? 0,
    0,
  );
  const percent = assertWholeNumber(
    component,
    "capacity.spot.onDemandPercentAboveBase",
    capacity.spot.onDemandPercentAboveBase ?? 0,
    0,
    100,
  );
  return { min, max, desired, spot: { onDemandBase, onDemandPercentAboveBase: percent } };
}

/**
 * On-demand nodes among `total` nodes under a spot spec, as an EC2 Auto Scaling mixed-instances
 * policy counts them: the base first, then the percentage of the rest, rounded up in favour of
 * on-demand.
 */
export function onDemandNodes(total: number, spot: NonNullable<ResolvedCapacity["spot"]>): number {
  const base = Math.min(spot.onDemandBase, total);
  const above = total - base;
  return base + Math.ceil((above * spot.onDemandPercentAboveBase) / 100);
}

/**
 * Splits a capacity into an on-demand part and a spot part, for clouds that need two node pools
 * (GKE, EKS managed node groups). Without spot, everything is on-demand. The split of each bound
 * follows {@link onDemandNodes}, so both parts add up to the capacity exactly.
 */
export function splitSpotCapacity(capacity: ResolvedCapacity): CapacitySplit {
  if (!capacity.spot) {
    return {
      onDemand: { min: capacity.min, max: capacity.max, desired: capacity.desired },
      spot: { min: 0, max: 0, desired: 0 },
    };
  }
  const spot = capacity.spot;
  const split = (total: number) => {
    const onDemand = onDemandNodes(total, spot);
    return { onDemand, spot: total - onDemand };
  };
  const [min, max, desired] = [split(capacity.min), split(capacity.max), split(capacity.desired)];
  return {
    onDemand: { min: min.onDemand, max: max.onDemand, desired: desired.onDemand },
    spot: { min: min.spot, max: max.spot, desired: desired.spot },
  };
}
