import type { ModelReaderSpec } from "../model-reader";
import type { EksClusterRef } from "./cluster-ref";

/** Arguments of {@link ModelStore}. */
export interface ModelStoreArgs {
  /**
   * The cluster whose OIDC provider the reader role trusts: an `aws.EksCluster`, or an existing
   * cluster from `aws.EksCluster.get(name, { clusterName })` (its IAM OIDC provider must exist).
   */
  cluster: EksClusterRef;
  /** The one service account allowed to read. Default `hybridai/model-reader`. */
  reader?: ModelReaderSpec;
  /** Key prefix of the model repository. Default `models/`. */
  prefix?: string;
  /** Days a replaced or deleted model version is kept. Default 30. */
  noncurrentVersionDays?: number;
  /** Let `pulumi destroy` delete a bucket that still holds models. Default `false`. */
  forceDestroy?: boolean;
  /** Tags for the bucket, key and role. */
  tags?: Record<string, string>;
}
