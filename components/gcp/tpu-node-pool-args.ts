import type * as pulumi from "@pulumi/pulumi";
import type { GkeClusterRef } from "./cluster-ref";
import type { TpuNodePoolSpec } from "./tpu-node-pool-plan";

/** Arguments of {@link TpuNodePool}: the TPU spec plus the cluster it joins. */
export interface TpuNodePoolArgs extends TpuNodePoolSpec {
  /**
   * The cluster the pools join: a `gcp.GkeCluster`, or an existing regional Standard cluster
   * with Workload Identity from `gcp.GkeCluster.get(name, { clusterName, project, region })`.
   */
  cluster: GkeClusterRef;
  /** Service account of the nodes. Default: the cluster's node service account. */
  serviceAccountEmail?: pulumi.Input<string>;
}
