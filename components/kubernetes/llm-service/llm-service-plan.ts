import type { CustomResourceArgs } from "@pulumi/kubernetes/apiextensions";
import type { DeploymentArgs } from "@pulumi/kubernetes/apps/v1";
import type { ConfigMapArgs, ServiceAccountArgs, ServiceArgs } from "@pulumi/kubernetes/core/v1";
import type { NetworkPolicyArgs } from "@pulumi/kubernetes/networking/v1";
import type { PodDisruptionBudgetArgs } from "@pulumi/kubernetes/policy/v1";
import { HybridAiConfigError } from "../../errors";
import { assertWholeNumber } from "../../validate";
import type { ExposurePlan } from "../onnx-service/exposure-plan";
import { planServiceAccount } from "../onnx-service/identity-plan";
import {
  planRollout,
  type ResolvedRollout,
  type RolloutPlan,
  rolloutServiceMonitor,
} from "../onnx-service/rollout-plan";
import {
  exposeServing,
  planServingObjects,
  type ServingLabels,
  servingLabels,
} from "../onnx-service/serving-plan";
import { type ShutdownTiming, shutdownTiming, spotNoticeOf } from "../scheduling";
import { assertDns1035, assertNamespace, assertQuantity } from "../validate";
import { type LlmAccelerator, llmAccelerator, VLLM_IMAGES } from "./llm-accelerator-plan";
import { planLlmAutoscaler } from "./llm-autoscaler-plan";
import {
  planLlmDeployment,
  type ResolvedLlmResources,
  VLLM_HEALTH_PATH,
} from "./llm-deployment-plan";
import { planEngine } from "./llm-engine-plan";
import { planLlmMonitoring } from "./llm-monitoring-plan";
import { checkLlmRollout } from "./llm-rollout-plan";
import type { LlmServiceArgs } from "./llm-service-args";
import { type StartupBudget, startupBudget } from "./llm-startup-plan";
import { checkSecretKey, planWeights, type WeightsPlan } from "./llm-weights-plan";

/** The component name in errors. */
export const LLM_SERVICE = "LlmService";

/** The paths a `gcp-gateway` exposure forwards: the OpenAI API and the health check. */
export const LLM_ROUTE_PATHS = ["/v1", VLLM_HEALTH_PATH];

const SERVED_NAME = /^[A-Za-z0-9][A-Za-z0-9_./-]{0,127}$/;
const GIB = /^(\d+(\.\d+)?)Gi$/;

/** Every object {@link LlmService} creates, as provider arguments. */
export interface LlmServicePlan {
  /** Namespace of every object. */
  namespace: string;
  /** Service name. */
  serviceName: string;
  /** Service port. */
  port: number;
  /** `--served-model-name`: what clients pass as `model`. */
  servedName: string;
  /** The accelerators of one replica. */
  accelerator: LlmAccelerator;
  /** Cold start, probe and rollout budgets. */
  startup: StartupBudget;
  /** How long `pulumi up` waits for the Deployment and the Services' endpoints (a Go duration). */
  rolloutTimeout: string;
  /** The pods' service account, unless an existing one is used. */
  serviceAccount?: ServiceAccountArgs;
  /** The vLLM Deployment. */
  deployment: DeploymentArgs;
  /** The ClusterIP Service. */
  service: ServiceArgs;
  /** policy/v1 PodDisruptionBudget. */
  disruptionBudget: PodDisruptionBudgetArgs;
  /** Ingress rules of the pods. */
  networkPolicy: NetworkPolicyArgs;
  /** keda.sh/v1alpha1 ScaledObject, with `autoscaling`. */
  scaledObject?: CustomResourceArgs;
  /** monitoring.coreos.com/v1 ServiceMonitor, when asked for. */
  serviceMonitor?: CustomResourceArgs;
  /** The PrometheusRule of the service's alerts. */
  alertRules?: CustomResourceArgs;
  /** The Grafana dashboard ConfigMap. */
  dashboard?: ConfigMapArgs;
  /** The load balancer objects, when exposed. */
  exposure?: ExposurePlan;
  /** Argo Rollouts objects, with `rollout`. */
  rollout?: RolloutPlan;
}

function gib(quantity: string): number | undefined {
  const match = GIB.exec(quantity);
  return match ? Number(match[1]) : undefined;
}

function resolveResources(args: LlmServiceArgs, accelerator: LlmAccelerator): ResolvedLlmResources {
  const node = accelerator.node;
  const shm =
    args.resources?.shm ??
    (accelerator.family === "tpu" ? "16Gi" : `${1 + 2 * (accelerator.tensorParallelSize - 1)}Gi`);
  const resolved = {
    cpu: args.resources?.cpu ?? String(Math.max(1, Math.floor(node.vcpu * 0.75))),
    memory: args.resources?.memory ?? `${Math.floor(node.memoryGiB * 0.75)}Gi`,
    shm,
  };
  for (const [field, value] of Object.entries(resolved)) {
    assertQuantity(LLM_SERVICE, `resources.${field}`, value);
  }
  const shmGiB = gib(resolved.shm);
  const memoryGiB = gib(resolved.memory);
  if (shmGiB !== undefined && memoryGiB !== undefined && shmGiB * 2 > memoryGiB) {
    throw new HybridAiConfigError(
      LLM_SERVICE,
      "resources.shm",
      resolved.shm,
      `at most half of resources.memory (${resolved.memory}): a memory-backed /dev/shm counts against the container's memory limit`,
    );
  }
  return resolved;
}

function checkReplicas(args: LlmServiceArgs): { min: number; max: number } {
  const min = args.replicas?.min ?? 1;
  assertWholeNumber(LLM_SERVICE, "replicas.min", min, 1, 100);
  const max = assertWholeNumber(
    LLM_SERVICE,
    "replicas.max",
    args.replicas?.max ?? min,
    min,
    100,
    `a whole number from replicas.min (${min}) to 100`,
  );
  if (max > min && !args.autoscaling) {
    throw new HybridAiConfigError(
      LLM_SERVICE,
      "replicas.max",
      max,
      `${min} (replicas.min) without autoscaling, or set autoscaling to scale between them on vLLM's queue`,
    );
  }
  return { min, max };
}

function checkWeightsSize(
  args: LlmServiceArgs,
  accelerator: LlmAccelerator,
  utilization: number,
): number {
  const size = args.model.sizeGiB;
  if (size === undefined) return Math.ceil(accelerator.memoryGiB * utilization);
  if (
    typeof size !== "number" ||
    !Number.isFinite(size) ||
    size <= 0 ||
    size > accelerator.memoryGiB
  ) {
    throw new HybridAiConfigError(
      LLM_SERVICE,
      "model.sizeGiB",
      size,
      `GiB above 0 and at most the replica's accelerator memory (${accelerator.memoryGiB} GiB on ${accelerator.tensorParallelSize} × ${accelerator.type})`,
    );
  }
  return size;
}

function checkExposure(args: LlmServiceArgs): void {
  const lb = args.exposure?.loadBalancer;
  if (lb !== undefined && lb !== "gcp-gateway" && args.allowUnguardedPaths !== true) {
    throw new HybridAiConfigError(
      LLM_SERVICE,
      "exposure.loadBalancer",
      lb,
      "gcp-gateway (it forwards only /v1 and /health), or allowUnguardedPaths: true: vLLM's API key guards only /v1, /v2, /inference and /cohere, and a layer-4 load balancer also reaches its other routes (/invocations, /tokenize) without a key",
    );
  }
}

/** Refuses autoscaling or a rollout without the ServiceMonitor whose metrics they read. */
function checkMetricsReaders(args: LlmServiceArgs): void {
  for (const field of ["autoscaling", "rollout"] as const) {
    if (args[field] && !args.serviceMonitor) {
      throw new HybridAiConfigError(
        LLM_SERVICE,
        "serviceMonitor",
        undefined,
        `a ServiceMonitor when ${field} is set: ${field === "autoscaling" ? "KEDA" : "the analysis"} reads vLLM's metrics from Prometheus`,
      );
    }
  }
}

/** Refuses a missing model or accelerator. */
function checkPresent(args: LlmServiceArgs): void {
  if (!args.model)
    throw new HybridAiConfigError(LLM_SERVICE, "model", args.model, "{ uri } or { huggingFaceId }");
  if (!args.accelerator) {
    throw new HybridAiConfigError(
      LLM_SERVICE,
      "accelerator",
      args.accelerator,
      "{ type, count } or { type, topology }",
    );
  }
}

/** The name clients pass as `model`, checked. */
function checkServedName(name: string, args: LlmServiceArgs): string {
  const servedName = args.model.servedName ?? name;
  if (typeof servedName !== "string" || !SERVED_NAME.test(servedName)) {
    throw new HybridAiConfigError(
      LLM_SERVICE,
      "model.servedName",
      servedName,
      "letters, digits, '_', '.', '-', '/', starting with a letter or digit, at most 128 characters",
    );
  }
  return servedName;
}

/** {@link LlmServiceArgs} checked, with defaults applied: what the plan is built from. */
interface ResolvedLlmService extends ServingLabels {
  name: string;
  namespace: string;
  servedName: string;
  accelerator: LlmAccelerator;
  weights: WeightsPlan;
  engineFlags: string[];
  startup: StartupBudget;
  resources: ResolvedLlmResources;
  replicas: { min: number; max: number };
  port: number;
  spot: boolean;
  timing: ShutdownTiming;
  cacheSize: string;
  apiKey?: { secretName: string; key: string };
  rollout?: ResolvedRollout;
  serviceAccountName: string;
}

/** Checks every argument and applies the defaults; nothing is planned yet. */
function resolveLlmService(name: string, args: LlmServiceArgs): ResolvedLlmService {
  assertDns1035(LLM_SERVICE, "name", name);
  const namespace = args.namespace ?? "default";
  assertNamespace(LLM_SERVICE, "namespace", namespace);
  checkPresent(args);
  const accelerator = llmAccelerator(LLM_SERVICE, args.accelerator);
  const servedName = checkServedName(name, args);
  const weights = planWeights(LLM_SERVICE, args.model, accelerator);
  const engine = planEngine(LLM_SERVICE, args.engine);
  const startup = startupBudget(
    accelerator,
    checkWeightsSize(args, accelerator, engine.gpuMemoryUtilization),
  );
  const resources = resolveResources(args, accelerator);
  const replicas = checkReplicas(args);
  const port = args.port ?? 8000;
  assertWholeNumber(LLM_SERVICE, "port", port, 1024, 65535);
  const spot = args.spot ?? true;
  const timing = shutdownTiming(
    LLM_SERVICE,
    args.terminationGracePeriodSeconds ?? 25,
    args.preStopSeconds ?? 5,
    spot,
    spotNoticeOf(LLM_SERVICE, args),
  );
  if (!spot && args.capacity?.mixedCapacityAccelerators?.includes(accelerator.type)) {
    throw new HybridAiConfigError(
      LLM_SERVICE,
      "spot",
      false,
      `true for ${accelerator.type} on this cluster: its nodes come from a spot fleet, whose scale-from-zero template cannot promise an on-demand node`,
    );
  }
  const cacheSize = args.cache?.sizeLimit ?? "50Gi";
  assertQuantity(LLM_SERVICE, "cache.sizeLimit", cacheSize);
  if (args.cache?.claimName !== undefined)
    assertDns1035(LLM_SERVICE, "cache.claimName", args.cache.claimName, 253);
  const apiKey = args.auth ? checkSecretKey(LLM_SERVICE, "auth", args.auth) : undefined;
  checkMetricsReaders(args);
  checkExposure(args);
  const rollout = args.rollout
    ? checkLlmRollout(LLM_SERVICE, name, namespace, servedName, args.rollout, args.serviceMonitor)
    : undefined;
  const serviceAccountName = args.serviceAccount?.name ?? name;
  assertDns1035(LLM_SERVICE, "serviceAccount.name", serviceAccountName, 253);
  return {
    ...servingLabels("vllm", name, args.labels),
    name,
    namespace,
    servedName,
    accelerator,
    weights,
    engineFlags: engine.flags,
    startup,
    resources,
    replicas,
    port,
    spot,
    timing,
    cacheSize,
    ...(apiKey ? { apiKey } : {}),
    ...(rollout ? { rollout } : {}),
    serviceAccountName,
  };
}

/** The vLLM Deployment: a fixed replica count unless an autoscaler or a Rollout owns it. */
function planDeployment(spec: ResolvedLlmService, args: LlmServiceArgs): DeploymentArgs {
  const fixedReplicas = args.rollout ? 0 : args.autoscaling ? undefined : spec.replicas.min;
  return planLlmDeployment({
    name: spec.name,
    namespace: spec.namespace,
    labels: spec.labels,
    selector: spec.stable,
    image: args.image ?? VLLM_IMAGES[spec.accelerator.family],
    accelerator: spec.accelerator,
    weights: spec.weights,
    engineFlags: spec.engineFlags,
    servedName: spec.servedName,
    port: spec.port,
    resources: spec.resources,
    cache: {
      ...(args.cache?.claimName ? { claimName: args.cache.claimName } : {}),
      sizeLimit: spec.cacheSize,
    },
    startup: spec.startup,
    timing: spec.timing,
    spot: spec.spot,
    ...(args.nodeSelector ? { nodeSelector: args.nodeSelector } : {}),
    serviceAccountName: spec.serviceAccountName,
    ...(spec.apiKey ? { apiKey: spec.apiKey } : {}),
    env: args.env ?? {},
    ...(fixedReplicas !== undefined ? { replicas: fixedReplicas } : {}),
  });
}

/** The Argo Rollouts objects; the ServiceMonitor then follows the Rollout. */
function addRollout(
  plan: LlmServicePlan,
  spec: ResolvedLlmService,
  args: LlmServiceArgs,
  resolved: ResolvedRollout,
): void {
  const { name, namespace, labels, instance } = spec;
  const rollout = planRollout(
    {
      name,
      namespace,
      labels,
      instance,
      selector: spec.stable,
      modelName: spec.servedName,
      port: spec.port,
      progressDeadlineSeconds: spec.startup.rolloutSeconds,
    },
    args.rollout as Parameters<typeof planRollout>[1],
    resolved,
  );
  if (!args.autoscaling) {
    rollout.rollout = {
      ...rollout.rollout,
      spec: { ...rollout.rollout.spec, replicas: spec.replicas.min },
    };
  }
  plan.rollout = rollout;
  if (plan.serviceMonitor)
    plan.serviceMonitor = rolloutServiceMonitor(plan.serviceMonitor, instance);
}

/**
 * Validates {@link LlmServiceArgs} and turns them into every Kubernetes object of a vLLM service.
 * Throws {@link HybridAiConfigError} naming the field for: a name that is not a DNS label, a bad
 * namespace or served name, an accelerator vLLM cannot use here (Inferentia, more than 8 GPUs,
 * a multi-host TPU slice), a model source that is neither a store folder nor a Hub id, a bad
 * engine setting, resources or replica bounds, a `/dev/shm` above half the memory, autoscaling,
 * alerts, dashboard or rollout without a ServiceMonitor, and a layer-4 exposure without
 * `allowUnguardedPaths`.
 */
export function planLlmService(name: string, args: LlmServiceArgs): LlmServicePlan {
  const spec = resolveLlmService(name, args);
  const { namespace, labels, servedName, port } = spec;
  const serviceAccount =
    args.serviceAccount?.create === false
      ? undefined
      : planServiceAccount(spec.serviceAccountName, namespace, labels, {
          ...(args.serviceAccount ? { serviceAccount: args.serviceAccount } : {}),
        });
  const plan: LlmServicePlan = {
    namespace,
    serviceName: name,
    port,
    servedName,
    accelerator: spec.accelerator,
    startup: spec.startup,
    rolloutTimeout: `${spec.startup.rolloutSeconds / 60}m`,
    ...(serviceAccount ? { serviceAccount } : {}),
    deployment: planDeployment(spec, args),
    ...planServingObjects(
      { ...spec, component: LLM_SERVICE },
      args.networkPolicy,
      args.serviceMonitor,
    ),
    ...planLlmMonitoring(LLM_SERVICE, { name, namespace, servedName, labels }, args),
  };
  if (args.autoscaling) {
    plan.scaledObject = planLlmAutoscaler(
      LLM_SERVICE,
      {
        name,
        namespace,
        labels,
        servedName,
        replicas: spec.replicas,
        rollout: Boolean(args.rollout),
      },
      args.autoscaling,
    );
  }
  if (args.rollout && spec.rollout) addRollout(plan, spec, args, spec.rollout);
  if (args.exposure) {
    exposeServing(
      plan,
      {
        component: LLM_SERVICE,
        name,
        namespace,
        labels,
        selector: spec.stable,
        podPort: port,
        healthPath: VLLM_HEALTH_PATH,
        routePaths: LLM_ROUTE_PATHS,
      },
      args.exposure,
      spec.apiKey,
    );
  }
  return plan;
}
