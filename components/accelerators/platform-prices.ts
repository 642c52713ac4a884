import type { Cloud } from "./types";

/** A machine type without accelerators (system and general-purpose nodes), with its list prices. */
export interface GeneralMachineType {
  /** The cloud that offers it. */
  cloud: Cloud;
  /** The provider's name: `m6i.large`, `e2-standard-4`. */
  name: string;
  /** vCPUs on one node. */
  vcpu: number;
  /** Host memory on one node, GiB. */
  memoryGiB: number;
  /** On-demand price per node-hour in the reference region, USD. */
  onDemandHourlyUsd: number;
  /** Typical spot price per node-hour in the reference region, USD. */
  spotHourlyUsd: number;
}

type Row = [name: string, vcpu: number, memoryGiB: number, onDemandHourlyUsd: number];

function family(
  cloud: Cloud,
  typicalSpotRatio: number,
  rows: readonly Row[],
): GeneralMachineType[] {
  return rows.map(([name, vcpu, memoryGiB, onDemandHourlyUsd]) => ({
    cloud,
    name,
    vcpu,
    memoryGiB,
    onDemandHourlyUsd,
    spotHourlyUsd: Math.round(onDemandHourlyUsd * typicalSpotRatio * 10_000) / 10_000,
  }));
}

/**
 * General-purpose machine types for system node pools and CPU workloads, with list prices in the
 * same reference regions as the accelerator catalog (AWS us-east-1 Linux on-demand; GCP
 * us-central1), compiled 2026-11-26 from the public EC2 and Compute Engine price lists. Spot as a
 * typical ratio of on-demand per family. GCP N1 rows are the bare VM; an N1 with attached T4s is
 * priced from the accelerator catalog instead.
 */
export const GENERAL_MACHINE_TYPES: readonly GeneralMachineType[] = [
  ...family("aws", 0.35, [
    ["t3.medium", 2, 4, 0.0416],
    ["t3.large", 2, 8, 0.0832],
    ["t3.xlarge", 4, 16, 0.1664],
  ]),
  ...family("aws", 0.4, [
    ["m5.large", 2, 8, 0.096],
    ["m5.xlarge", 4, 16, 0.192],
    ["m5.2xlarge", 8, 32, 0.384],
    ["m6i.large", 2, 8, 0.096],
    ["m6i.xlarge", 4, 16, 0.192],
    ["m6i.2xlarge", 8, 32, 0.384],
    ["m6a.large", 2, 8, 0.0864],
    ["m6a.xlarge", 4, 16, 0.1728],
    ["m7i.large", 2, 8, 0.1008],
    ["m7i.xlarge", 4, 16, 0.2016],
    ["m7i.2xlarge", 8, 32, 0.4032],
    ["m7g.large", 2, 8, 0.0816],
    ["m7g.xlarge", 4, 16, 0.1632],
    ["c6i.large", 2, 4, 0.085],
    ["c6i.xlarge", 4, 8, 0.17],
  ]),
  ...family("gcp", 0.3, [
    ["e2-small", 2, 2, 0.016751],
    ["e2-medium", 2, 4, 0.033503],
    ["e2-standard-2", 2, 8, 0.067006],
    ["e2-standard-4", 4, 16, 0.134012],
    ["e2-standard-8", 8, 32, 0.268024],
    ["e2-standard-16", 16, 64, 0.536048],
    ["n2-standard-2", 2, 8, 0.097118],
    ["n2-standard-4", 4, 16, 0.194236],
    ["n2-standard-8", 8, 32, 0.388472],
    ["n1-standard-1", 1, 3.75, 0.0475],
    ["n1-standard-2", 2, 7.5, 0.095],
    ["n1-standard-4", 4, 15, 0.19],
    ["n1-standard-8", 8, 30, 0.38],
  ]),
];

/**
 * Managed Kubernetes control-plane fees per cluster-hour, USD (list prices, every region).
 * EKS: standard support, and extended support (a version past its 14 standard months).
 * GKE Standard: the cluster management fee (a billing account's monthly free-tier credit of
 * $74.40 for one zonal or Autopilot cluster is not subtracted).
 */
export const CONTROL_PLANE_HOURLY_USD = {
  eksStandardSupport: 0.1,
  eksExtendedSupport: 0.6,
  gke: 0.1,
} as const;

/**
 * NAT list prices, USD per hour (data processed is charged per GiB on top and is not priced here).
 * AWS: per NAT gateway (us-east-1). GCP Cloud NAT: per VM using the gateway, for up to
 * `gcpVmsPricedPerVm` VMs; a gateway serving more costs `gcpMaxPerGateway`.
 */
export const NAT_HOURLY_USD = {
  awsGateway: 0.045,
  gcpPerVm: 0.0014,
  gcpVmsPricedPerVm: 32,
  gcpMaxPerGateway: 0.044,
} as const;

/** Cloud NAT's hourly price for a gateway serving `vms` VMs. */
export function cloudNatHourlyUsd(vms: number): number {
  if (vms <= 0) return 0;
  return vms > NAT_HOURLY_USD.gcpVmsPricedPerVm
    ? NAT_HOURLY_USD.gcpMaxPerGateway
    : vms * NAT_HOURLY_USD.gcpPerVm;
}
