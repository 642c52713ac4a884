import type { AcceleratorType, Cloud } from "./types";

/** One instance type (AWS) or machine type (GCP) that carries accelerators, with its list prices. */
export interface MachineType {
  /** The cloud that offers it. */
  cloud: Cloud;
  /** The provider's name: `g6.xlarge`, `g2-standard-4`, `ct5lp-hightpu-4t`. */
  name: string;
  /** The family: `g6`, `g2`, `ct5lp`. */
  family: string;
  /** The accelerator model it carries. */
  accelerator: AcceleratorType;
  /** Accelerators (GPUs, Inferentia devices, TPU chips) on one node. */
  acceleratorCount: number;
  /** Accelerator memory on one node, GiB, all devices together. */
  acceleratorMemoryGiB: number;
  /** vCPUs on one node. */
  vcpu: number;
  /** Host memory on one node, GiB. */
  memoryGiB: number;
  /** On-demand price per node-hour in the reference region, USD. */
  onDemandHourlyUsd: number;
  /** Typical spot price per node-hour in the reference region, USD. */
  spotHourlyUsd: number;
}

/** A row of a price table before the shared fields are filled in. */
export type MachineRow = [
  name: string,
  acceleratorCount: number,
  vcpu: number,
  memoryGiB: number,
  onDemandHourlyUsd: number,
];

/** Fills a family's rows into {@link MachineType}s; spot = on-demand × the family's typical spot ratio. */
export function machineFamily(
  cloud: Cloud,
  family: string,
  accelerator: AcceleratorType,
  memoryPerDeviceGiB: number,
  typicalSpotRatio: number,
  rows: readonly MachineRow[],
): MachineType[] {
  return rows.map(([name, acceleratorCount, vcpu, memoryGiB, onDemandHourlyUsd]) => ({
    cloud,
    name,
    family,
    accelerator,
    acceleratorCount,
    acceleratorMemoryGiB: acceleratorCount * memoryPerDeviceGiB,
    vcpu,
    memoryGiB,
    onDemandHourlyUsd,
    spotHourlyUsd: Math.round(onDemandHourlyUsd * typicalSpotRatio * 10_000) / 10_000,
  }));
}
