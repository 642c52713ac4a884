import type { GkeClusterRef } from "./cluster-ref";
import type { ModelStoreSpec } from "./model-store-plan";

/** Arguments of {@link ModelStore}. */
export interface ModelStoreArgs extends ModelStoreSpec {
  /**
   * The cluster whose Workload Identity pool the reader comes from: a `gcp.GkeCluster`, or an
   * existing cluster with Workload Identity on from `gcp.GkeCluster.get(name, { clusterName,
   * project, region })`.
   */
  cluster: GkeClusterRef;
}
