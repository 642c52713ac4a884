import { createHash } from "node:crypto";
import type { DeploymentArgs } from "@pulumi/kubernetes/apps/v1";
import type * as inputs from "@pulumi/kubernetes/types/input";
import * as pulumi from "@pulumi/pulumi";
import { containerSecurityContext, podSecurityContext } from "../pod-security";
import { podPlacement, type ServingAccelerator, type ShutdownTiming } from "../scheduling";
import { assertQuantity } from "../validate";
import type { ServingResources } from "./onnx-service-args";

/** Where models are pulled to and served from inside the pod. */
export const MODEL_REPOSITORY_PATH = "/models";

/** Where the bearer token Secret is mounted in the serving container. */
export const AUTH_TOKEN_DIRECTORY = "/etc/hybridai/auth";

/** Where the runtime reads its token: a Secret's key, holding one token or a tokens file. */
export interface ServingAuthMount {
  /** The Secret's name. */
  secretName: string;
  /** The key in the Secret. */
  key: string;
  /** Whether the key holds a tokens file (`--tokens-file`) rather than one token. */
  tokensFile: boolean;
}

/** The file name of the mounted key in {@link AUTH_TOKEN_DIRECTORY}. */
function authFileName(auth: ServingAuthMount): string {
  return auth.tokensFile ? "tokens.json" : "token";
}

/** The runtime flag that names the mounted token or tokens file. */
function authArgs(auth: ServingAuthMount): string[] {
  const file = `${AUTH_TOKEN_DIRECTORY}/${authFileName(auth)}`;
  return auth.tokensFile ? ["--tokens-file", file] : ["--auth-token-file", file];
}

/** Annotation holding the hash of everything that configures the runtime; a change rolls the pods. */
export const CONFIG_CHECKSUM_ANNOTATION = "hybridai.dev/config-checksum";

/** Resource settings with defaults applied. */
export interface ResolvedResources {
  /** CPU request. */
  cpu: string;
  /** Memory request. */
  memory: string;
  /** CPU limit, when set. */
  cpuLimit?: string;
  /** Memory limit. */
  memoryLimit: string;
  /** Model volume size limit. */
  modelVolume: string;
}

/** Applies resource defaults and checks every quantity. */
export function resolveResources(
  component: string,
  resources: ServingResources = {},
): ResolvedResources {
  const resolved = {
    cpu: resources.cpu ?? "1",
    memory: resources.memory ?? "2Gi",
    cpuLimit: resources.cpuLimit,
    memoryLimit: resources.memoryLimit ?? resources.memory ?? "2Gi",
    modelVolume: resources.modelVolume ?? "10Gi",
  };
  for (const [field, value] of Object.entries(resolved)) {
    if (value !== undefined) assertQuantity(component, `resources.${field}`, value);
  }
  return resolved;
}

/** Hash of the runtime's whole configuration: a change in it changes the pod template. */
function configChecksum(config: Record<string, unknown>): pulumi.Output<string> {
  return pulumi
    .output(config)
    .apply((value) => createHash("sha256").update(JSON.stringify(value)).digest("hex"));
}

function sortedEnv(env: Record<string, pulumi.Input<string>> = {}) {
  return Object.keys(env)
    .sort()
    .map((key) => ({ name: key, value: env[key] }));
}

/** What one serving Deployment (stable or canary) needs. */
export interface ServingDeploymentSpec {
  /** Deployment name. */
  name: string;
  /** Namespace. */
  namespace: string;
  /** Labels of the Deployment and its pods. */
  labels: Record<string, string>;
  /** Pod selector labels (instance and track). */
  selector: Record<string, string>;
  /** Runtime image, for both containers. */
  image: pulumi.Input<string>;
  /** Model folder URI the init container pulls. */
  uri: pulumi.Input<string>;
  /** Further sources of the same folder, tried in order after `uri`. Default none. */
  mirrors?: pulumi.Input<string>[];
  /** Secret and key of the bearer token (or tokens file) the server requires. Default: none. */
  authToken?: ServingAuthMount;
  /** Model name: the folder under `/models`. */
  modelName: string;
  /** Fixed replicas; absent when an autoscaler owns the count. */
  replicas?: number;
  /** Container port. */
  port: number;
  /** Container port of `/metrics` (`--metrics-port`). */
  metricsPort: number;
  /** The gRPC side: its container port, and whether the probes use it. Default: gRPC off. */
  grpc?: { port: number; probes: boolean };
  /** CPU, memory and model volume. */
  resources: ResolvedResources;
  /** GPUs per pod, when any. */
  accelerator?: ServingAccelerator;
  /** Grace period, pre-stop pause and drain. */
  timing: ShutdownTiming;
  /** Whether pods may run on spot nodes. */
  spot: boolean;
  /** Service account the pods run as. */
  serviceAccountName: string;
  /** Whether a service account token is mounted. */
  automountToken: boolean;
  /** Extra `hybridai-serve` flags. */
  runtimeArgs: string[];
  /** Extra environment of the serving container. */
  env: Record<string, pulumi.Input<string>>;
  /** The tracing environment (`planTracingEnv`), after `env` and in its own order. Default none. */
  tracingEnv?: inputs.core.v1.EnvVar[];
  /**
   * Values outside the pod template that must still roll the pods when they change (the
   * model's revision; the service account's identity annotations, which IRSA injects at pod
   * creation only). Hashed into the config checksum.
   */
  rollOn: Record<string, pulumi.Input<unknown>>;
}

/**
 * The node directory a `file:///…` model URI names: the init container reads it through a
 * read-only hostPath volume (edge nodes with models on local disk). `undefined` for other URIs.
 */
export function hostModelDirectory(uri: pulumi.Input<string>): string | undefined {
  if (typeof uri !== "string" || !uri.startsWith("file:///")) return undefined;
  return decodeURIComponent(new URL(uri).pathname).replace(/\/+$/, "") || "/";
}

/** The hostPath volume of the i-th `file:///` source (the first keeps its historical name). */
function sourceVolumeName(i: number): string {
  return i === 0 ? "model-source" : `model-source-${i}`;
}

function httpProbe(path: string, periodSeconds: number, failureThreshold: number) {
  return { httpGet: { path, port: "http" }, periodSeconds, failureThreshold, timeoutSeconds: 2 };
}

/**
 * A native gRPC probe (`grpc.health.v1.Health/Check`); the port must be a number (Kubernetes
 * takes no port name here). `service` `""` is the runtime's readiness, `live` its liveness.
 */
function grpcProbe(port: number, service: string, periodSeconds: number, failureThreshold: number) {
  return { grpc: { port, service }, periodSeconds, failureThreshold, timeoutSeconds: 2 };
}

/** Startup, liveness and readiness probes: HTTP, or gRPC when the gRPC side asks for them. */
function probes(grpc: ServingDeploymentSpec["grpc"]) {
  if (grpc?.probes) {
    return {
      startupProbe: grpcProbe(grpc.port, "live", 5, 60),
      livenessProbe: grpcProbe(grpc.port, "live", 10, 3),
      readinessProbe: grpcProbe(grpc.port, "", 5, 2),
    };
  }
  return {
    startupProbe: httpProbe("/v2/health/live", 5, 60),
    livenessProbe: httpProbe("/v2/health/live", 10, 3),
    readinessProbe: httpProbe("/v2/health/ready", 5, 2),
  };
}

/** The server's arguments: repository, ports, drain timing, auth and the user's own. */
function serveArgsOf(spec: ServingDeploymentSpec): string[] {
  return [
    "--model-repository",
    MODEL_REPOSITORY_PATH,
    "--host",
    "0.0.0.0",
    "--port",
    String(spec.port),
    "--grpc-port",
    String(spec.grpc?.port ?? 0),
    "--metrics-port",
    String(spec.metricsPort),
    // Model control stays off: the pods serve what the init container pulled. A flag in
    // runtimeArgs (explicit or poll) is the operator's choice and wins.
    ...(spec.runtimeArgs.includes("--model-control-mode") ? [] : ["--model-control-mode", "none"]),
    "--drain-timeout-seconds",
    String(spec.timing.drainSeconds),
    // The preStop pause already waits for endpoints to drop the pod, so the runtime need not
    // keep accepting new requests after SIGTERM; without a pause it keeps its own grace period.
    ...(spec.timing.preStopSeconds > 0 ? ["--drain-grace-seconds", "0"] : []),
    ...(spec.authToken ? authArgs(spec.authToken) : []),
    ...spec.runtimeArgs,
  ];
}

/** The server's resource limits: memory, CPU when set, and the accelerator's devices. */
function servingLimits(spec: ServingDeploymentSpec): Record<string, string> {
  const limits: Record<string, string> = { memory: spec.resources.memoryLimit };
  if (spec.resources.cpuLimit) limits.cpu = spec.resources.cpuLimit;
  if (spec.accelerator) limits[spec.accelerator.resourceName] = String(spec.accelerator.count);
  return limits;
}

/** The model repository and `/tmp` mounts every container has. */
function modelMounts(modelsReadOnly: boolean) {
  return [
    { name: "models", mountPath: MODEL_REPOSITORY_PATH, readOnly: modelsReadOnly },
    { name: "tmp", mountPath: "/tmp" },
  ];
}

/** The init container pulling the model (the host directories of `file://` sources read-only). */
function pullContainer(
  spec: ServingDeploymentSpec,
  pullArgs: pulumi.Input<string>[],
  hostDirectories: string[],
) {
  return {
    name: "pull-model",
    image: spec.image,
    imagePullPolicy: "IfNotPresent",
    args: pullArgs,
    env: [{ name: "HOME", value: "/tmp" }],
    resources: { requests: { cpu: "250m", memory: "256Mi" }, limits: { memory: "1Gi" } },
    securityContext: containerSecurityContext(),
    volumeMounts: [
      ...modelMounts(false),
      ...hostDirectories.map((path, i) => ({
        name: sourceVolumeName(i),
        mountPath: path,
        readOnly: true,
      })),
    ],
  };
}

/** The server container: ports, resources, probes, the preStop pause and the token mount. */
function serveContainer(
  spec: ServingDeploymentSpec,
  serveArgs: string[],
  env: inputs.core.v1.EnvVar[],
  limits: Record<string, string>,
) {
  return {
    name: "serve",
    image: spec.image,
    imagePullPolicy: "IfNotPresent",
    args: serveArgs,
    env,
    ports: [
      { name: "http", containerPort: spec.port, protocol: "TCP" },
      { name: "metrics", containerPort: spec.metricsPort, protocol: "TCP" },
      ...(spec.grpc ? [{ name: "grpc", containerPort: spec.grpc.port, protocol: "TCP" }] : []),
    ],
    resources: {
      requests: { cpu: spec.resources.cpu, memory: spec.resources.memory },
      limits,
    },
    ...probes(spec.grpc),
    lifecycle:
      spec.timing.preStopSeconds > 0
        ? { preStop: { exec: { command: ["sleep", String(spec.timing.preStopSeconds)] } } }
        : undefined,
    securityContext: containerSecurityContext(),
    volumeMounts: [
      ...modelMounts(true),
      ...(spec.authToken
        ? [{ name: "auth-token", mountPath: AUTH_TOKEN_DIRECTORY, readOnly: true }]
        : []),
    ],
  };
}

/** The pod's volumes: the model emptyDir, `/tmp`, host directories and the token Secret. */
function servingVolumes(spec: ServingDeploymentSpec, hostDirectories: string[]) {
  return [
    { name: "models", emptyDir: { sizeLimit: spec.resources.modelVolume } },
    { name: "tmp", emptyDir: { sizeLimit: "1Gi" } },
    ...hostDirectories.map((path, i) => ({
      name: sourceVolumeName(i),
      hostPath: { path, type: "Directory" },
    })),
    ...(spec.authToken
      ? [
          {
            name: "auth-token",
            secret: {
              secretName: spec.authToken.secretName,
              items: [{ key: spec.authToken.key, path: authFileName(spec.authToken) }],
              defaultMode: 0o440,
            },
          },
        ]
      : []),
  ];
}

/**
 * One serving Deployment: the init container pulling the model into the `models` emptyDir (plus
 * a read-only hostPath for `file://` sources), the server with its probes, resources, shutdown
 * timing and hardened security context, placement from {@link podPlacement}, and a checksum of
 * the runtime configuration on the pod template.
 */
export function planServingDeployment(spec: ServingDeploymentSpec): DeploymentArgs {
  const serveArgs = serveArgsOf(spec);
  const sources = [spec.uri, ...(spec.mirrors ?? [])];
  const pullArgs = [
    "pull",
    ...sources.flatMap((source) => ["--from", source]),
    "--to",
    `${MODEL_REPOSITORY_PATH}/${spec.modelName}`,
  ];
  const env = [...sortedEnv(spec.env), ...(spec.tracingEnv ?? [])];
  const limits = servingLimits(spec);
  const hostDirectories = sources
    .map(hostModelDirectory)
    .filter((d, i, all): d is string => d !== undefined && all.indexOf(d) === i);
  return {
    metadata: { name: spec.name, namespace: spec.namespace, labels: spec.labels },
    spec: {
      ...(spec.replicas !== undefined ? { replicas: spec.replicas } : {}),
      revisionHistoryLimit: 5,
      selector: { matchLabels: spec.selector },
      strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: "25%", maxUnavailable: 0 } },
      template: {
        metadata: {
          labels: { ...spec.labels, ...spec.selector },
          annotations: {
            [CONFIG_CHECKSUM_ANNOTATION]: configChecksum({
              image: spec.image,
              pullArgs,
              serveArgs,
              env,
              resources: limits,
              rollOn: spec.rollOn,
            }),
          },
        },
        spec: {
          serviceAccountName: spec.serviceAccountName,
          automountServiceAccountToken: spec.automountToken,
          enableServiceLinks: false,
          terminationGracePeriodSeconds: spec.timing.gracePeriodSeconds,
          securityContext: podSecurityContext(),
          ...podPlacement(spec.selector, spec.accelerator, spec.spot),
          initContainers: [pullContainer(spec, pullArgs, hostDirectories)],
          containers: [serveContainer(spec, serveArgs, env, limits)],
          volumes: servingVolumes(spec, hostDirectories),
        },
      },
    },
  };
}
