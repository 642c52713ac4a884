import type { CustomResourceArgs } from "@pulumi/kubernetes/apiextensions";
import type { DeploymentArgs } from "@pulumi/kubernetes/apps/v1";
import type { HorizontalPodAutoscalerArgs } from "@pulumi/kubernetes/autoscaling/v2";
import type { ConfigMapArgs, ServiceAccountArgs, ServiceArgs } from "@pulumi/kubernetes/core/v1";
import type { NetworkPolicyArgs } from "@pulumi/kubernetes/networking/v1";
import type { PodDisruptionBudgetArgs } from "@pulumi/kubernetes/policy/v1";
import * as pulumi from "@pulumi/pulumi";
import { HybridAiConfigError } from "../../errors";
import { assertWholeNumber } from "../../validate";
import { PACKAGE_VERSION } from "../../version";
import {
  type ServingAccelerator,
  type ShutdownTiming,
  servingAccelerator,
  shutdownTiming,
  spotNoticeOf,
} from "../scheduling";
import { assertDns1035, assertNamespace } from "../validate";
import { planAutoscaler } from "./autoscaler-plan";
import { checkCanary, planCanaryRoute } from "./canary-plan";
import { planDashboard } from "./dashboard-plan";
import {
  hostModelDirectory,
  planServingDeployment,
  type ResolvedResources,
  resolveResources,
  type ServingAuthMount,
} from "./deployment-plan";
import { planEgressRules } from "./egress-plan";
import type { ExposurePlan } from "./exposure-plan";
import { planServiceAccount } from "./identity-plan";
import {
  checkMirror,
  type MirrorPlan,
  mirrorFilter,
  planMirror,
  type ResolvedMirror,
} from "./mirror-plan";
import type { OnnxServiceArgs, ServingCanary, ServingRollout } from "./onnx-service-args";
import { checkAlerts, planAlertRules } from "./prometheus-rule-plan";
import {
  checkRollout,
  planRollout,
  type ResolvedRollout,
  type RolloutPlan,
  rolloutAutoscaler,
  rolloutServiceMonitor,
} from "./rollout-plan";
import {
  exposeServing,
  planService,
  planServingObjects,
  type ServingLabels,
  servingLabels,
  TRACK_LABEL,
} from "./serving-plan";
import {
  assertNoTracingEnv,
  planTracingEnv,
  type ResolvedTracing,
  resolveTracing,
} from "./tracing-plan";

/** The component name in errors. */
export const ONNX_SERVICE = "OnnxService";

/**
 * The default image: the CPU build of `serving-runtime/Dockerfile`, tagged with this package's
 * version; `-cuda` is appended for GPUs.
 */
export const DEFAULT_RUNTIME_IMAGE = `ghcr.io/hybridai/hybridai-serving-runtime:${PACKAGE_VERSION}`;

/** Minutes `pulumi up` gives a GPU Deployment to roll out by default. */
export const GPU_ROLLOUT_TIMEOUT_MINUTES = 30;

const MODEL_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;
const URI_SCHEMES = ["s3://", "gs://", "https://", "file:///"];

/** Every object {@link OnnxService} creates, as provider arguments. */
export interface OnnxServicePlan {
  /** Namespace of every object. */
  namespace: string;
  /** Service name. */
  serviceName: string;
  /** Service port. */
  port: number;
  /** gRPC Service port, when gRPC is on. */
  grpcPort?: number;
  /** How long `pulumi up` waits for the Deployments' rollout (a Go duration), when not the provider's default. */
  rolloutTimeout?: string;
  /** The pods' service account, unless an existing one is used. */
  serviceAccount?: ServiceAccountArgs;
  /** The stable Deployment. */
  deployment: DeploymentArgs;
  /** The ClusterIP Service of the stable pods. */
  service: ServiceArgs;
  /** autoscaling/v2 HorizontalPodAutoscaler of the stable Deployment. */
  autoscaler: HorizontalPodAutoscalerArgs;
  /** policy/v1 PodDisruptionBudget of the stable pods. */
  disruptionBudget: PodDisruptionBudgetArgs;
  /** Ingress rules of every serving pod. */
  networkPolicy: NetworkPolicyArgs;
  /** monitoring.coreos.com/v1 ServiceMonitor, when asked for. */
  serviceMonitor?: CustomResourceArgs;
  /** monitoring.coreos.com/v1 PrometheusRule of the service's alerts (with the ServiceMonitor, unless `alerts.enabled` is false). */
  alertRules?: CustomResourceArgs;
  /** The Grafana dashboard ConfigMap (with the ServiceMonitor, unless `dashboard.enabled` is false). */
  dashboard?: ConfigMapArgs;
  /** The load balancer objects, when the service is exposed beyond the cluster. */
  exposure?: ExposurePlan;
  /** Canary Deployment, Service and weighted HTTPRoute, when asked for. */
  canary?: { deployment: DeploymentArgs; service: ServiceArgs; route: CustomResourceArgs };
  /**
   * Argo Rollouts objects, when a rollout is asked for; the Deployment then stays at 0 replicas
   * and the autoscaler scales the Rollout.
   */
  rollout?: RolloutPlan;
  /** The mirror's own HTTPRoute and cross-namespace ReferenceGrant, when needed. */
  mirror?: MirrorPlan;
}

function checkUri(field: string, uri: pulumi.Input<string>): void {
  if (hostModelDirectory(uri) === "/") {
    throw new HybridAiConfigError(
      ONNX_SERVICE,
      field,
      uri,
      "a model directory below the root, e.g. file:///var/lib/models/ranker",
    );
  }
  if (typeof uri === "string" && !URI_SCHEMES.some((scheme) => uri.startsWith(scheme))) {
    throw new HybridAiConfigError(
      ONNX_SERVICE,
      field,
      uri,
      "s3://bucket/prefix, gs://bucket/prefix, https://host/path or file:///path",
    );
  }
}

const SECRET_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const SECRET_KEY = /^[-._a-zA-Z0-9]{1,253}$/;

/** The bearer token's Secret and key, checked; `undefined` without `auth`. */
function checkAuth(args: OnnxServiceArgs): ServingAuthMount | undefined {
  if (!args.auth) return undefined;
  const { secretName, key = "token", tokensFile = false } = args.auth;
  if (typeof secretName !== "string" || secretName.length > 253 || !SECRET_NAME.test(secretName)) {
    throw new HybridAiConfigError(
      ONNX_SERVICE,
      "auth.secretName",
      secretName,
      "a Secret name in the service's namespace: lowercase letters, digits, '-' and '.', at most 253 characters",
    );
  }
  if (typeof key !== "string" || !SECRET_KEY.test(key)) {
    throw new HybridAiConfigError(
      ONNX_SERVICE,
      "auth.key",
      key,
      "a Secret key: letters, digits, '-', '_' and '.'",
    );
  }
  if (typeof tokensFile !== "boolean") {
    throw new HybridAiConfigError(ONNX_SERVICE, "auth.tokensFile", tokensFile, "true or false");
  }
  return { secretName, key, tokensFile };
}

function checkReplicas(args: OnnxServiceArgs): { min: number; max: number } {
  const min = args.replicas?.min ?? 2;
  const max = args.replicas?.max ?? Math.max(10, min);
  assertWholeNumber(ONNX_SERVICE, "replicas.min", min, 1, 1000);
  assertWholeNumber(
    ONNX_SERVICE,
    "replicas.max",
    max,
    min,
    1000,
    `a whole number from replicas.min (${min}) to 1000`,
  );
  return { min, max };
}

/** Default gRPC port, as Triton's. */
export const DEFAULT_GRPC_PORT = 8001;

/** Default metrics port, as Triton's. */
export const DEFAULT_METRICS_PORT = 8002;

/** The metrics port, checked: 1024–65535, and neither the HTTP nor the gRPC port. */
function checkMetricsPort(args: OnnxServiceArgs, httpPort: number, grpcPort?: number): number {
  const port = args.metricsPort ?? DEFAULT_METRICS_PORT;
  assertWholeNumber(ONNX_SERVICE, "metricsPort", port, 1024, 65535);
  if (port === httpPort || port === grpcPort) {
    throw new HybridAiConfigError(
      ONNX_SERVICE,
      "metricsPort",
      port,
      `a port other than the HTTP port (${httpPort})${grpcPort === undefined ? "" : ` and the gRPC port (${grpcPort})`}: /metrics listens on its own port`,
    );
  }
  return port;
}

/** The gRPC side, checked: its port (1024–65535, not the HTTP port) and probe choice. */
function checkGrpc(args: OnnxServiceArgs, httpPort: number) {
  if (!args.grpc) return undefined;
  const port = args.grpc.port ?? DEFAULT_GRPC_PORT;
  assertWholeNumber(ONNX_SERVICE, "grpc.port", port, 1024, 65535);
  if (port === httpPort) {
    throw new HybridAiConfigError(
      ONNX_SERVICE,
      "grpc.port",
      port,
      `a port other than the HTTP port (${httpPort}): HTTP and gRPC listen side by side`,
    );
  }
  return { port, probes: args.grpc.probes ?? false };
}

/**
 * The PrometheusRule and the Grafana dashboard ConfigMap of a service: both on by default with
 * a ServiceMonitor, each turned off by `enabled: false`; asking for either without a
 * ServiceMonitor is refused (nothing would scrape the metrics they read).
 */
function planMonitoring(
  name: string,
  namespace: string,
  modelName: string,
  labels: Record<string, string>,
  args: OnnxServiceArgs,
): Pick<OnnxServicePlan, "alertRules" | "dashboard"> {
  for (const field of ["alerts", "dashboard"] as const) {
    if (args[field] && args[field].enabled !== false && !args.serviceMonitor) {
      throw new HybridAiConfigError(
        ONNX_SERVICE,
        field,
        "set without serviceMonitor",
        `a serviceMonitor too (e.g. { labels: { release: "kube-prometheus-stack" } }): the ${field === "alerts" ? "rules" : "dashboard"} read the metrics Prometheus scrapes through it; or leave ${field} out`,
      );
    }
  }
  if (!args.serviceMonitor) return {};
  const alerts = checkAlerts(ONNX_SERVICE, args.alerts ?? {}, args.serviceMonitor.labels ?? {});
  const target = { name, namespace, modelName, labels };
  return {
    ...(args.alerts?.enabled !== false ? { alertRules: planAlertRules(target, alerts) } : {}),
    ...(args.dashboard?.enabled !== false
      ? { dashboard: planDashboard(ONNX_SERVICE, { ...target, alerts }, args.dashboard ?? {}) }
      : {}),
  };
}

/** {@link OnnxServiceArgs} checked, with defaults applied: what the plan is built from. */
interface ResolvedOnnxService extends ServingLabels {
  name: string;
  namespace: string;
  modelName: string;
  authToken?: ServingAuthMount;
  replicas: { min: number; max: number };
  accelerator?: ServingAccelerator;
  resources: ResolvedResources;
  port: number;
  metricsPort: number;
  grpc?: { port: number; probes: boolean };
  spot: boolean;
  timing: ShutdownTiming;
  rolloutMinutes?: number;
  serviceAccountName: string;
  rollout?: ResolvedRollout;
  mirror?: ResolvedMirror;
  /** The mirror's filter on every route the service's traffic takes. */
  routeFilters: Record<string, unknown>[];
  image: pulumi.Input<string>;
  /** Tracing, when on. */
  tracing?: ResolvedTracing;
}

/** Checks the model name and every model URI; returns the model name. */
function checkModel(name: string, args: OnnxServiceArgs): string {
  if (!args.model)
    throw new HybridAiConfigError(ONNX_SERVICE, "model", args.model, "{ uri, name? }");
  const modelName = args.model.name ?? name;
  if (!MODEL_NAME.test(modelName)) {
    throw new HybridAiConfigError(
      ONNX_SERVICE,
      "model.name",
      modelName,
      "letters, digits, '_', '.', '-', starting with a letter or digit, at most 128 characters",
    );
  }
  checkUri("model.uri", args.model.uri);
  for (const [i, mirror] of (args.model.mirrors ?? []).entries()) {
    checkUri(`model.mirrors[${i}]`, mirror);
  }
  return modelName;
}

/** Refuses on-demand pods for an accelerator whose nodes come from a spot fleet. */
function checkSpot(args: OnnxServiceArgs, spot: boolean, accelerator?: ServingAccelerator): void {
  if (
    accelerator &&
    !spot &&
    args.capacity?.mixedCapacityAccelerators?.includes(accelerator.type)
  ) {
    throw new HybridAiConfigError(
      ONNX_SERVICE,
      "spot",
      false,
      `true for ${accelerator.type} on this cluster: its ${accelerator.type} nodes come from a spot fleet (one Auto Scaling group mixing spot and on-demand instances), whose scale-from-zero template cannot promise an on-demand node, so cluster-autoscaler would add and remove nodes forever. For on-demand-only pods, give ${accelerator.type} an aws.GpuNodeGroup without capacity.spot instead of a spot fleet`,
    );
  }
}

/** Checks every argument and applies the defaults; nothing is planned yet. */
function resolveOnnxService(name: string, args: OnnxServiceArgs): ResolvedOnnxService {
  assertDns1035(ONNX_SERVICE, "name", name);
  const namespace = args.namespace ?? "default";
  assertNamespace(ONNX_SERVICE, "namespace", namespace);
  const modelName = checkModel(name, args);
  const authToken = checkAuth(args);
  const replicas = checkReplicas(args);
  const accelerator = args.accelerator
    ? servingAccelerator(ONNX_SERVICE, args.accelerator)
    : undefined;
  const resources = resolveResources(ONNX_SERVICE, args.resources);
  const port = args.port ?? 8000;
  assertWholeNumber(ONNX_SERVICE, "port", port, 1024, 65535);
  const grpc = checkGrpc(args, port);
  const metricsPort = checkMetricsPort(args, port, grpc?.port);
  const spot = args.spot ?? true;
  const timing = shutdownTiming(
    ONNX_SERVICE,
    args.terminationGracePeriodSeconds ?? 25,
    args.preStopSeconds ?? 5,
    spot,
    spotNoticeOf(ONNX_SERVICE, args),
  );
  checkSpot(args, spot, accelerator);
  const rolloutMinutes =
    args.rolloutTimeoutMinutes ?? (accelerator ? GPU_ROLLOUT_TIMEOUT_MINUTES : undefined);
  if (rolloutMinutes !== undefined) {
    assertWholeNumber(ONNX_SERVICE, "rolloutTimeoutMinutes", rolloutMinutes, 1, 180);
  }
  const serviceAccountName = args.serviceAccount?.name ?? name;
  assertDns1035(ONNX_SERVICE, "serviceAccount.name", serviceAccountName, 253);
  if (args.canary) checkCanary(ONNX_SERVICE, name, args.canary, checkUri);
  const rollout = args.rollout ? checkRollout(ONNX_SERVICE, name, args) : undefined;
  const mirror = args.mirror ? checkMirror(ONNX_SERVICE, name, namespace, port, args) : undefined;
  const tracing = resolveTracing(ONNX_SERVICE, "tracing", args.tracing);
  if (tracing) assertNoTracingEnv(ONNX_SERVICE, args.env);
  return {
    ...servingLabels("hybridai-serve", name, args.labels),
    name,
    namespace,
    modelName,
    ...(authToken ? { authToken } : {}),
    replicas,
    ...(accelerator ? { accelerator } : {}),
    resources,
    port,
    metricsPort,
    ...(grpc ? { grpc } : {}),
    spot,
    timing,
    ...(rolloutMinutes !== undefined ? { rolloutMinutes } : {}),
    serviceAccountName,
    ...(rollout ? { rollout } : {}),
    ...(mirror ? { mirror } : {}),
    routeFilters: mirror ? [mirrorFilter(mirror)] : [],
    image: args.image ?? (accelerator ? `${DEFAULT_RUNTIME_IMAGE}-cuda` : DEFAULT_RUNTIME_IMAGE),
    ...(tracing ? { tracing } : {}),
  };
}

/** What the stable and the canary Deployment share. */
function deploymentBase(spec: ResolvedOnnxService, args: OnnxServiceArgs) {
  return {
    namespace: spec.namespace,
    labels: spec.labels,
    modelName: spec.modelName,
    port: spec.port,
    metricsPort: spec.metricsPort,
    resources: spec.resources,
    accelerator: spec.accelerator,
    timing: spec.timing,
    spot: spec.spot,
    serviceAccountName: spec.serviceAccountName,
    automountToken: args.automountServiceAccountToken ?? false,
    runtimeArgs: args.runtimeArgs ?? [],
    env: args.env ?? {},
    ...(spec.tracing
      ? { tracingEnv: planTracingEnv(spec.tracing, { name: spec.name, namespace: spec.namespace }) }
      : {}),
    ...(spec.grpc ? { grpc: spec.grpc } : {}),
    authToken: spec.authToken,
  };
}

/**
 * The objects of the stable track: service account, Deployment (at 0 replicas under a rollout),
 * Service, autoscaler, disruption budget, network policy and ServiceMonitor.
 */
function planStable(spec: ResolvedOnnxService, args: OnnxServiceArgs): OnnxServicePlan {
  const { name, namespace, labels, port, grpc, rolloutMinutes } = spec;
  const serviceAccount =
    args.serviceAccount?.create === false
      ? undefined
      : planServiceAccount(spec.serviceAccountName, namespace, labels, args);
  return {
    namespace,
    serviceName: name,
    port,
    ...(grpc ? { grpcPort: grpc.port } : {}),
    ...(rolloutMinutes !== undefined ? { rolloutTimeout: `${rolloutMinutes}m` } : {}),
    ...(serviceAccount ? { serviceAccount } : {}),
    deployment: planServingDeployment({
      ...deploymentBase(spec, args),
      name,
      selector: spec.stable,
      image: spec.image,
      uri: args.model.uri,
      mirrors: args.model.mirrors,
      rollOn: rollOn(args, serviceAccount),
      ...(args.rollout ? { replicas: 0 } : {}),
    }),
    autoscaler: planAutoscaler(
      ONNX_SERVICE,
      name,
      namespace,
      labels,
      spec.replicas,
      args.autoscaling,
    ),
    ...planServingObjects(
      {
        ...spec,
        component: ONNX_SERVICE,
        grpcPort: grpc?.port,
        egress: planEgressRules(args.networkPolicy?.egress, {
          component: ONNX_SERVICE,
          modelUris: [
            args.model.uri,
            ...(args.model.mirrors ?? []),
            ...(args.canary ? [args.canary.uri] : []),
          ],
          metadataIdentity: args.serviceAccount?.gcpServiceAccount !== undefined,
          ...(spec.tracing ? { tracing: spec.tracing.destination } : {}),
        }),
      },
      args.networkPolicy,
      args.serviceMonitor,
    ),
  };
}

/**
 * What must roll the pods although it is outside their template: the model's revision and the
 * service account's identity annotations.
 */
function rollOn(args: OnnxServiceArgs, serviceAccount: ServiceAccountArgs | undefined) {
  return {
    modelRevision: args.model.revision ?? "",
    serviceAccountAnnotations: serviceAccount?.metadata
      ? pulumi.output(serviceAccount.metadata).apply((m) => m?.annotations ?? {})
      : (args.serviceAccount?.annotations ?? {}),
  };
}

/** The Argo Rollouts objects; the autoscaler and the ServiceMonitor then follow the Rollout. */
function addRollout(
  plan: OnnxServicePlan,
  spec: ResolvedOnnxService,
  rollout: ServingRollout,
  resolved: ResolvedRollout,
): void {
  const { name, namespace, labels, instance } = spec;
  plan.rollout = planRollout(
    {
      name,
      namespace,
      labels,
      instance,
      selector: spec.stable,
      modelName: spec.modelName,
      port: spec.port,
      metricsPort: spec.metricsPort,
      progressDeadlineSeconds: (spec.rolloutMinutes ?? 10) * 60,
    },
    rollout,
    resolved,
    spec.routeFilters,
  );
  plan.autoscaler = rolloutAutoscaler(plan.autoscaler, name);
  if (plan.serviceMonitor) {
    plan.serviceMonitor = rolloutServiceMonitor(plan.serviceMonitor, instance);
  }
}

/** The canary Deployment, its Service and the weighted route over both tracks. */
function planCanary(
  spec: ResolvedOnnxService,
  args: OnnxServiceArgs,
  canary: ServingCanary,
  serviceAccount: ServiceAccountArgs | undefined,
): NonNullable<OnnxServicePlan["canary"]> {
  const { name, namespace, labels, port, grpc } = spec;
  const canaryName = `${name}-canary`;
  const canarySelector = { ...spec.instance, [TRACK_LABEL]: "canary" };
  return {
    deployment: planServingDeployment({
      ...deploymentBase(spec, args),
      name: canaryName,
      selector: canarySelector,
      image: canary.image ?? spec.image,
      uri: canary.uri,
      rollOn: rollOn(args, serviceAccount),
      replicas: canary.replicas ?? 1,
    }),
    service: planService(canaryName, namespace, labels, canarySelector, {
      http: port,
      metrics: spec.metricsPort,
      grpc: grpc?.port,
    }),
    route: planCanaryRoute(name, namespace, labels, port, canary, spec.routeFilters),
  };
}

/**
 * Validates {@link OnnxServiceArgs} and turns them into every Kubernetes object of the service.
 * Throws {@link HybridAiConfigError} naming the field for: a name that is not a DNS label, a bad
 * namespace or model name, a URI with an unknown scheme, `replicas.min > replicas.max`, an
 * unknown or non-NVIDIA accelerator, a grace period above the spot notice, a pre-stop pause not
 * below the grace period, malformed quantities, an out-of-range port, canary weight,
 * autoscaling target or rollout timeout, a gRPC port out of range or equal to the HTTP port, a
 * metrics port out of range or shared with HTTP or gRPC, an egress endpoint that is not an
 * http(s) URL or an `exceptCidrs` entry that is not a CIDR,
 * `spot: false` on an accelerator whose nodes come
 * from a spot fleet, an invalid `rollout` (see {@link checkRollout}), an invalid `mirror`
 * (see {@link checkMirror}) and invalid `tracing` (see {@link resolveTracing}, and an `env`
 * entry tracing sets).
 */
export function planOnnxService(name: string, args: OnnxServiceArgs): OnnxServicePlan {
  const spec = resolveOnnxService(name, args);
  const plan = planStable(spec, args);
  if (args.rollout && spec.rollout) addRollout(plan, spec, args.rollout, spec.rollout);
  Object.assign(plan, planMonitoring(name, spec.namespace, spec.modelName, spec.labels, args));
  if (args.exposure) {
    exposeServing(
      plan,
      {
        component: ONNX_SERVICE,
        name,
        namespace: spec.namespace,
        labels: spec.labels,
        selector: spec.stable,
        podPort: spec.port,
      },
      args.exposure,
      args.auth,
    );
  }
  if (args.canary) plan.canary = planCanary(spec, args, args.canary, plan.serviceAccount);
  if (args.mirror && spec.mirror) {
    const mirrorPlan = planMirror(
      name,
      spec.namespace,
      spec.labels,
      spec.port,
      args.mirror,
      spec.mirror,
      Boolean(args.canary || args.rollout),
    );
    if (mirrorPlan.route || mirrorPlan.referenceGrant) plan.mirror = mirrorPlan;
  }
  return plan;
}
