import type * as pulumi from "@pulumi/pulumi";
import type { GkeClusterRef } from "./cluster-ref";
import type { GpuNodePoolSpec } from "./gpu-node-pool-plan";

/** Arguments of {@link GpuNodePool}: the GPU spec plus the cluster it joins. */
export interface GpuNodePoolArgs extends GpuNodePoolSpec {
  /**
   * The cluster the pools join: a `gcp.GkeCluster`, or an existing regional Standard cluster
   * with Workload Identity from `gcp.GkeCluster.get(name, { clusterName, project, region })`.
   */
  cluster: GkeClusterRef;
  /** Service account of the nodes. Default: the cluster's node service account. */
  serviceAccountEmail?: pulumi.Input<string>;
}
