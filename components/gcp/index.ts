export type { GkeClusterRef, WorkloadIdentityFacts } from "./cluster-ref";
export {
  assertStandardCluster,
  assertWorkloadIdentity,
  nodePoolClusterName,
} from "./cluster-ref";
export { ExistingGkeCluster } from "./existing-gke-cluster";
export type { ExistingGkeClusterArgs } from "./existing-gke-cluster-args";
export type {
  ExistingGkeClusterAttributes,
  ExistingGkeClusterPlan,
  ExistingGkeClusterSpec,
  GkeClusterFacts,
} from "./existing-gke-cluster-plan";
export { existingGkeClusterAttributes, planExistingGkeCluster } from "./existing-gke-cluster-plan";
export { GkeCluster } from "./gke-cluster";
export {
  type AuthorizedNetwork,
  type GkeClusterArgs,
  RELEASE_CHANNELS,
  type ReleaseChannel,
  type SystemNodePoolSpec,
} from "./gke-cluster-args";
export type { EgressPlan, GkeClusterPlan } from "./gke-cluster-plan";
export { planGkeCluster } from "./gke-cluster-plan";
export { GpuNodePool } from "./gpu-node-pool";
export type { GpuNodePoolArgs } from "./gpu-node-pool-args";
export type {
  GpuNodePoolPlan,
  GpuNodePoolSpec,
  GpuPoolPart,
  GpuPoolPlacement,
  GpuSharingSpec,
} from "./gpu-node-pool-plan";
export {
  GPU_DRIVER_VERSIONS,
  GPU_SHARING_STRATEGIES,
  MAX_SHARED_CLIENTS_PER_GPU,
  planGpuNodePool,
} from "./gpu-node-pool-plan";
export {
  CLOUD_PLATFORM_SCOPE,
  MODEL_READER_ROLE,
  NODE_SERVICE_ACCOUNT_ROLES,
  WORKLOAD_IDENTITY_ANNOTATION,
  WORKLOAD_IDENTITY_USER_ROLE,
  workloadIdentityMember,
  workloadPool,
} from "./iam";
export { gkeKubeconfig } from "./kubeconfig";
export { ModelStore } from "./model-store";
export type { ModelStoreArgs } from "./model-store-args";
export type {
  BucketSettings,
  ModelReaderSpec,
  ModelStorePlan,
  ModelStoreSpec,
} from "./model-store-plan";
export { assertModelName, modelUri, planModelStore } from "./model-store-plan";
export {
  assertGkeClusterName,
  GCP_NAME_LIMITS,
  gcpNameStem,
  nodePoolName,
  serviceAccountId,
} from "./names";
export type { ClusterSettings, HardenedNodeConfig, NodePoolSettings } from "./node-config";
export { TpuNodePool } from "./tpu-node-pool";
export type { TpuNodePoolArgs } from "./tpu-node-pool-args";
export type {
  TpuNodePoolPlan,
  TpuNodePoolSpec,
  TpuPoolPart,
  TpuPoolPlacement,
} from "./tpu-node-pool-plan";
export { planTpuNodePool } from "./tpu-node-pool-plan";
