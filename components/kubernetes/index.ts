/**
 * The Kubernetes components: each component, its args types, its pure `plan*` function (spec in,
 * provider arguments out; for previews and tests without Pulumi) and the constants its objects
 * carry (labels, annotations, chart and image pins, defaults). The sub-plans a component is
 * built from (exposure, mirror, rollout, alert rules, dashboard, …) stay internal: their output
 * is part of the component's plan.
 */
export { ArgoRollouts } from "./argo-rollouts";
export type { ArgoRolloutsArgs } from "./argo-rollouts-args";
export {
  ARGO_ROLLOUTS_CHART,
  type ArgoRolloutsPlan,
  GATEWAY_API_PLUGIN,
  planArgoRollouts,
} from "./argo-rollouts-plan";
export { Keda } from "./keda";
export type { KedaArgs } from "./keda-args";
export { KEDA_CHART, type KedaPlan, planKeda } from "./keda-plan";
export * from "./labels";
export {
  GKE_TPU_ACCELERATOR_LABEL,
  GKE_TPU_TOPOLOGY_LABEL,
  VLLM_IMAGES,
} from "./llm-service/llm-accelerator-plan";
export { DEFAULT_TARGET_WAITING_REQUESTS, QUEUE_METRIC } from "./llm-service/llm-autoscaler-plan";
export { VLLM_HEALTH_PATH, VLLM_UID } from "./llm-service/llm-deployment-plan";
export {
  MANAGED_VLLM_FLAGS,
  VLLM_LORA_RANKS,
  VLLM_QUANTIZATIONS,
} from "./llm-service/llm-engine-plan";
export { DEFAULT_LLM_ALERTS, VLLM_METRICS } from "./llm-service/llm-monitoring-plan";
export { LlmService } from "./llm-service/llm-service";
export type {
  LlmActiveHours,
  LlmAlerts,
  LlmAutoscaling,
  LlmCache,
  LlmEngine,
  LlmLoraAdapter,
  LlmModelSource,
  LlmReplicas,
  LlmResources,
  LlmRollout,
  LlmSecretKey,
  LlmServiceArgs,
} from "./llm-service/llm-service-args";
export { LLM_LOADERS, LlmLoader } from "./llm-service/llm-service-args";
export {
  LLM_ROUTE_PATHS,
  LLM_SERVICE,
  type LlmServicePlan,
  planLlmService,
} from "./llm-service/llm-service-plan";
export { COLD_START } from "./llm-service/llm-startup-plan";
export { NvidiaDevicePlugin } from "./nvidia-device-plugin";
export {
  MIG_STRATEGIES,
  type MigStrategy,
  type NvidiaDevicePluginArgs,
} from "./nvidia-device-plugin-args";
export {
  NVIDIA_DEVICE_PLUGIN_CHART,
  NVIDIA_GPU_TYPES,
  planNvidiaDevicePlugin,
} from "./nvidia-device-plugin-plan";
export {
  GRAFANA_DASHBOARD_LABEL,
  GRAFANA_FOLDER_ANNOTATION,
  type ServingDashboard,
} from "./onnx-service/dashboard-plan";
export {
  AUTH_TOKEN_DIRECTORY,
  CONFIG_CHECKSUM_ANNOTATION,
  MODEL_REPOSITORY_PATH,
} from "./onnx-service/deployment-plan";
export { METADATA_SERVERS } from "./onnx-service/egress-plan";
export {
  DEFAULT_NLB_SSL_POLICY,
  EXPOSURE_SUFFIX,
  GKE_GATEWAY_CLASS,
  GOOGLE_FRONT_END_RANGES,
  NLB_LOAD_BALANCER_CLASS,
  READINESS_PATH,
} from "./onnx-service/exposure-plan";
export { IRSA_ANNOTATION, WORKLOAD_IDENTITY_ANNOTATION } from "./onnx-service/identity-plan";
export { OnnxService } from "./onnx-service/onnx-service";
export type {
  GatewayRef,
  IngressPeer,
  OnnxModelSource,
  OnnxServiceArgs,
  ReplicaSpec,
  ServingAutoscaling,
  ServingCanary,
  ServingCapacity,
  ServingEgress,
  ServingMirror,
  ServingNetworkPolicy,
  ServingResources,
  ServingRollout,
  ServingServiceAccount,
  ServingServiceMonitor,
  ServingTracing,
  TracingCollectorRef,
} from "./onnx-service/onnx-service-args";
export {
  EXPOSURE_LOAD_BALANCERS,
  type ExposureLoadBalancer,
  type ExposureTls,
  type ServingAuth,
  type ServingExposure,
} from "./onnx-service/onnx-service-args";
export {
  DEFAULT_METRICS_PORT,
  DEFAULT_RUNTIME_IMAGE,
  GPU_ROLLOUT_TIMEOUT_MINUTES,
  type OnnxServicePlan,
  planOnnxService,
} from "./onnx-service/onnx-service-plan";
export { DEFAULT_ALERTS, type ServingAlerts } from "./onnx-service/prometheus-rule-plan";
export { ROLLOUT_HASH_LABEL, ROLLOUT_METRICS } from "./onnx-service/rollout-analysis-plan";
export {
  DEFAULT_MAX_ERROR_RATE,
  DEFAULT_PROMETHEUS_URL,
  DEFAULT_ROLLOUT_INTERVAL,
  DEFAULT_ROLLOUT_STEPS,
  GATEWAY_API_PLUGIN_NAME,
} from "./onnx-service/rollout-plan";
export { TRACK_LABEL } from "./onnx-service/serving-plan";
export { DEFAULT_TRACE_SAMPLE_RATE, TRACING_ENV_NAMES } from "./onnx-service/tracing-plan";
export { OpenTelemetryCollector } from "./opentelemetry-collector/opentelemetry-collector";
export {
  type CollectorExporter,
  CollectorExporterType,
  type CollectorHeadersSecret,
  type CollectorPeer,
  type CollectorResources,
  type OpenTelemetryCollectorArgs,
} from "./opentelemetry-collector/opentelemetry-collector-args";
export {
  type CollectorRef,
  type OpenTelemetryCollectorPlan,
  OTEL_COLLECTOR_CHART,
  OTEL_COLLECTOR_DEFAULTS,
  planOpenTelemetryCollector,
} from "./opentelemetry-collector/opentelemetry-collector-plan";
export { RUNTIME_UID } from "./pod-security";
export {
  GKE_SPOT_LABEL,
  SPOT_NOTICE_SECONDS,
  type SpotNotice,
  SpotNoticeCloud,
  spotNoticeSeconds,
} from "./scheduling";
