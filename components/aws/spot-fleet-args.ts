import type * as pulumi from "@pulumi/pulumi";
import type { AcceleratorSpec, CapacitySpec } from "../accelerators";
import type { EksClusterRef } from "./cluster-ref";

/**
 * Arguments of {@link SpotFleet}. `accelerator`, `capacity`, `instanceTypes`, `rootVolumeGiB`,
 * `labels` and `drainTimeoutSeconds` are plain values, validated before anything is created.
 */
export interface SpotFleetArgs {
  /**
   * The cluster to join: an `aws.EksCluster`, or an existing cluster from
   * `aws.EksCluster.get(name, { clusterName })`. Its access mode must accept access entries
   * (`API` or `API_AND_CONFIG_MAP`) and it must be an IPv4 cluster.
   */
  cluster: EksClusterRef;
  /** The cloud-neutral accelerator spec. */
  accelerator: AcceleratorSpec;
  /**
   * Node bounds and the on-demand share: `spot.onDemandBase` nodes are always on-demand, then
   * `spot.onDemandPercentAboveBase` % of the rest (rounded up); everything else is spot. Without
   * `spot`, every node is spot.
   */
  capacity: CapacitySpec;
  /** Instance types to diversify over; each must be a catalog candidate. Default: candidates up to 2× the cheapest price. */
  instanceTypes?: string[];
  /** Root volume in GiB. Default: 60 GiB for images + the accelerators' memory, at least 100. */
  rootVolumeGiB?: number;
  /** Extra node labels. */
  labels?: Record<string, string>;
  /** Seconds a terminating instance waits for its drain (lifecycle hook heartbeat). Default 300. */
  drainTimeoutSeconds?: number;
  /** Subnets for the nodes. Default: the cluster's private subnets. */
  subnetIds?: pulumi.Input<pulumi.Input<string>[]>;
  /** Tags for every AWS resource that takes them. */
  tags?: Record<string, string>;
}
