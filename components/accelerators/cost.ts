import { onDemandNodes, validateCapacity } from "./capacity";
import type { MachineType } from "./machine-type";
import { resolveAccelerator, resolveAcceleratorSpec } from "./resolve";
import type { AcceleratorSpec, CapacitySpec, CapacityType, Cloud } from "./types";

/** Hours in an average month (365 × 24 / 12), the convention cloud price lists use. */
export const HOURS_PER_MONTH = 730;

/** What to price: an accelerator pool on one cloud. */
export interface CostInput {
  /** The cloud. */
  cloud: Cloud;
  /** The accelerator spec. */
  accelerator: AcceleratorSpec;
  /** The capacity spec; its spot split decides which nodes are priced as spot. */
  capacity: CapacitySpec;
  /** Units to price (nodes, or slices for multi-host TPUs). Default `capacity.desired ?? capacity.min`. */
  units?: number;
}

/** A priced accelerator pool. */
export interface CostEstimate {
  /** The machine type priced (the cheapest candidate). */
  machineType: MachineType;
  /** On-demand nodes priced. */
  onDemandNodes: number;
  /** Spot nodes priced. */
  spotNodes: number;
  /** Total USD per hour. */
  hourlyUsd: number;
  /** Total USD per month ({@link HOURS_PER_MONTH} hours). */
  monthlyUsd: number;
}

/** The hourly price of one node of a machine type. */
export function hourlyPrice(machine: MachineType, capacityType: CapacityType): number {
  return capacityType === "spot" ? machine.spotHourlyUsd : machine.onDemandHourlyUsd;
}

function round(usd: number): number {
  return Math.round(usd * 100) / 100;
}

/**
 * Prices an accelerator pool at the cheapest candidate machine type, splitting nodes into
 * on-demand and spot as the capacity's spot spec says. Throws the same errors as
 * `resolveAccelerator` and `validateCapacity`.
 */
export function estimateHourlyCost(
  input: CostInput,
  component = "estimateHourlyCost",
): CostEstimate {
  const capacity = validateCapacity(input.capacity, component);
  const resolved = resolveAcceleratorSpec(input.accelerator, input.cloud, component);
  const [machine] = resolveAccelerator(input.accelerator, input.cloud, component) as [MachineType];
  const units = input.units ?? capacity.desired;
  const nodesPerUnit = resolved.tpu?.nodeCount ?? 1;
  const onDemandUnits = capacity.spot ? onDemandNodes(units, capacity.spot) : units;
  const onDemand = onDemandUnits * nodesPerUnit;
  const spot = (units - onDemandUnits) * nodesPerUnit;
  const hourly = onDemand * hourlyPrice(machine, "on-demand") + spot * hourlyPrice(machine, "spot");
  return {
    machineType: machine,
    onDemandNodes: onDemand,
    spotNodes: spot,
    hourlyUsd: round(hourly),
    monthlyUsd: round(hourly * HOURS_PER_MONTH),
  };
}

/** The monthly price, in USD, of {@link estimateHourlyCost}'s pool. */
export function estimateMonthlyCost(input: CostInput, component = "estimateMonthlyCost"): number {
  return estimateHourlyCost(input, component).monthlyUsd;
}
