import type { CustomResourceArgs } from "@pulumi/kubernetes/apiextensions";
import type { DeploymentArgs } from "@pulumi/kubernetes/apps/v1";
import type { ConfigMapArgs, ServiceAccountArgs, ServiceArgs } from "@pulumi/kubernetes/core/v1";
import type { NetworkPolicyArgs } from "@pulumi/kubernetes/networking/v1";
import type { PodDisruptionBudgetArgs } from "@pulumi/kubernetes/policy/v1";
import { HybridAiConfigError } from "../../errors";
import { assertWholeNumber } from "../../validate";
import { admitLoadBalancer, type ExposurePlan, planExposure } from "../onnx-service/exposure-plan";
import { planServiceAccount } from "../onnx-service/identity-plan";
import { planNetworkPolicy } from "../onnx-service/network-policy-plan";
import { planService, TRACK_LABEL } from "../onnx-service/onnx-service-plan";
import { planRollout, type RolloutPlan, rolloutServiceMonitor } from "../onnx-service/rollout-plan";
import { planServiceMonitor } from "../onnx-service/service-monitor-plan";
import { shutdownTiming, spotNoticeOf } from "../scheduling";
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
import { checkSecretKey, planWeights } from "./llm-weights-plan";

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
  assertDns1035(LLM_SERVICE, "name", name);
  const namespace = args.namespace ?? "default";
  assertNamespace(LLM_SERVICE, "namespace", namespace);
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
  const accelerator = llmAccelerator(LLM_SERVICE, args.accelerator);
  const servedName = args.model.servedName ?? name;
  if (typeof servedName !== "string" || !SERVED_NAME.test(servedName)) {
    throw new HybridAiConfigError(
      LLM_SERVICE,
      "model.servedName",
      servedName,
      "letters, digits, '_', '.', '-', '/', starting with a letter or digit, at most 128 characters",
    );
  }
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
  checkExposure(args);
  const rolloutSpec = args.rollout
    ? checkLlmRollout(LLM_SERVICE, name, namespace, servedName, args.rollout, args.serviceMonitor)
    : undefined;

  const instance = { "app.kubernetes.io/name": "vllm", "app.kubernetes.io/instance": name };
  const labels = {
    ...args.labels,
    ...instance,
    "app.kubernetes.io/component": "inference",
    "app.kubernetes.io/managed-by": "pulumi",
  };
  const stable = { ...instance, [TRACK_LABEL]: "stable" };
  const serviceAccountName = args.serviceAccount?.name ?? name;
  assertDns1035(LLM_SERVICE, "serviceAccount.name", serviceAccountName, 253);
  const serviceAccount =
    args.serviceAccount?.create === false
      ? undefined
      : planServiceAccount(serviceAccountName, namespace, labels, {
          ...(args.serviceAccount ? { serviceAccount: args.serviceAccount } : {}),
        });
  const fixedReplicas = args.rollout ? 0 : args.autoscaling ? undefined : replicas.min;
  const plan: LlmServicePlan = {
    namespace,
    serviceName: name,
    port,
    servedName,
    accelerator,
    startup,
    rolloutTimeout: `${startup.rolloutSeconds / 60}m`,
    ...(serviceAccount ? { serviceAccount } : {}),
    deployment: planLlmDeployment({
      name,
      namespace,
      labels,
      selector: stable,
      image: args.image ?? VLLM_IMAGES[accelerator.family],
      accelerator,
      weights,
      engineFlags: engine.flags,
      servedName,
      port,
      resources,
      cache: {
        ...(args.cache?.claimName ? { claimName: args.cache.claimName } : {}),
        sizeLimit: cacheSize,
      },
      startup,
      timing,
      spot,
      ...(args.nodeSelector ? { nodeSelector: args.nodeSelector } : {}),
      serviceAccountName,
      ...(apiKey ? { apiKey } : {}),
      env: args.env ?? {},
      ...(fixedReplicas !== undefined ? { replicas: fixedReplicas } : {}),
    }),
    service: planService(name, namespace, labels, stable, port),
    disruptionBudget: {
      metadata: { name, namespace, labels },
      spec: { maxUnavailable: 1, selector: { matchLabels: stable } },
    },
    networkPolicy: planNetworkPolicy(
      LLM_SERVICE,
      name,
      namespace,
      labels,
      instance,
      port,
      args.networkPolicy,
    ),
    ...(args.serviceMonitor
      ? {
          serviceMonitor: planServiceMonitor(
            name,
            namespace,
            labels,
            instance,
            args.serviceMonitor,
          ),
        }
      : {}),
    ...planLlmMonitoring(LLM_SERVICE, { name, namespace, servedName, labels }, args),
  };
  if (args.autoscaling) {
    plan.scaledObject = planLlmAutoscaler(
      LLM_SERVICE,
      { name, namespace, labels, servedName, replicas, rollout: Boolean(args.rollout) },
      args.autoscaling,
    );
  }
  if (args.rollout && rolloutSpec) {
    const rollout = planRollout(
      {
        name,
        namespace,
        labels,
        instance,
        selector: stable,
        modelName: servedName,
        port,
        progressDeadlineSeconds: startup.rolloutSeconds,
      },
      args.rollout as Parameters<typeof planRollout>[1],
      rolloutSpec,
    );
    if (!args.autoscaling) {
      rollout.rollout = {
        ...rollout.rollout,
        spec: { ...rollout.rollout.spec, replicas: replicas.min },
      };
    }
    plan.rollout = rollout;
    if (plan.serviceMonitor)
      plan.serviceMonitor = rolloutServiceMonitor(plan.serviceMonitor, instance);
  }
  if (args.exposure) {
    const exposure = planExposure(
      {
        component: LLM_SERVICE,
        name,
        namespace,
        labels,
        selector: stable,
        podPort: port,
        healthPath: VLLM_HEALTH_PATH,
        routePaths: LLM_ROUTE_PATHS,
      },
      args.exposure,
      apiKey,
    );
    plan.exposure = exposure;
    plan.networkPolicy = admitLoadBalancer(plan.networkPolicy, exposure.ingressRule);
  }
  return plan;
}
