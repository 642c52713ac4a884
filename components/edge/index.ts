export {
  CLOUD_FALLBACK_TRIGGERS,
  DEFAULT_FALLBACK_TIMEOUT_MS,
  FALLBACK_TOKEN_DIRECTORY,
  MERGE_MODEL_CONFIG_SCRIPT,
  planCloudFallback,
  type RemoteFallbackConfig,
} from "./cloud-fallback";
export { EdgeFleet, type EdgeSiteStatus } from "./edge-fleet";
export type {
  CloudFallback,
  CloudFallbackTrigger,
  EdgeArch,
  EdgeFleetArgs,
  EdgeModel,
  EdgeModelCache,
  EdgeSite,
} from "./edge-fleet-args";
export {
  DEFAULT_EDGE_RESOURCES,
  DEFAULT_MODEL_CACHE,
  EDGE_FLEET,
  type EdgeFleetPlan,
  type EdgeServingObjects,
  type EdgeSitePlan,
  MAX_EDGE_NAME_LENGTH,
  NVIDIA_RUNTIME_CLASS,
  planEdgeFleet,
  SITE_LABELS,
  SITE_RESOURCE_ATTRIBUTES,
} from "./edge-fleet-plan";
export { EdgeHost } from "./edge-host";
export type { EdgeHostArgs, EdgeHostRole } from "./edge-host-args";
export { EDGE_HOST, type EdgeHostPlan, k3sConfig, planEdgeHost } from "./edge-host-plan";
export {
  archCheck,
  k3sInstallScript,
  k3sUninstallScript,
  kubeconfigForHost,
  nvidiaToolkitScript,
  verifiedDownload,
} from "./edge-host-scripts";
export {
  ARCH_NODE_LABEL,
  type EdgeStatefulSetOptions,
  MODEL_CACHE_MOUNT,
  MODEL_CACHE_VOLUME,
  MODEL_REVISION_ANNOTATION,
  planEdgeStatefulSet,
} from "./edge-statefulset";
export {
  DEFAULT_K3S_RELEASE,
  DEFAULT_NVIDIA_TOOLKIT_VERSION,
  type K3sRelease,
  k3sBinaryUrl,
} from "./k3s-release";
export { assertArchAccelerator, EDGE_ARCHES, type ResolvedSite, resolveRings } from "./sites";
