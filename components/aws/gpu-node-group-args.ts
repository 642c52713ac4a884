import type * as pulumi from "@pulumi/pulumi";
import type { AcceleratorSpec, CapacitySpec } from "../accelerators";
import type { EksClusterRef } from "./cluster-ref";
import type { NodeOs } from "./gpu-nodes";

/**
 * Arguments of {@link GpuNodeGroup}. `accelerator`, `capacity`, `os`, `instanceTypes` and
 * `rootVolumeGiB` are plain values: they decide which resources exist and are validated first.
 */
export interface GpuNodeGroupArgs {
  /**
   * The cluster to join: an `aws.EksCluster`, or an existing cluster from
   * `aws.EksCluster.get(name, { clusterName })`.
   */
  cluster: EksClusterRef;
  /** The cloud-neutral accelerator spec, e.g. `{ type: "nvidia-l4", count: 1 }`. */
  accelerator: AcceleratorSpec;
  /**
   * Node bounds. With `spot`, an on-demand group holds the exact on-demand share of each bound and
   * a spot group the rest (cluster-autoscaler's priority expander then prefers the spot group).
   */
  capacity: CapacitySpec;
  /** Node OS: `al2023` (default) or `bottlerocket` (NVIDIA only). */
  os?: NodeOs;
  /** Instance types; each must be a catalog candidate. Default: candidates up to 2× the cheapest price. */
  instanceTypes?: string[];
  /** Root (data) volume in GiB. Default: 60 GiB for images + the accelerators' memory, at least 100. */
  rootVolumeGiB?: number;
  /** Subnets for the nodes. Default: the cluster's private subnets. */
  subnetIds?: pulumi.Input<pulumi.Input<string>[]>;
  /** Extra node labels. */
  labels?: Record<string, string>;
  /** Tags for the node groups, launch template, instances and volumes. */
  tags?: Record<string, string>;
}
