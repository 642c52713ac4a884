import type { DeploymentArgs } from "@pulumi/kubernetes/apps/v1";
import type * as inputs from "@pulumi/kubernetes/types/input";
import type * as pulumi from "@pulumi/pulumi";
import { podPlacement, type ShutdownTiming } from "../scheduling";
import { type LlmAccelerator, llmNodeSelector } from "./llm-accelerator-plan";
import { STARTUP_PROBE_PERIOD_SECONDS, type StartupBudget } from "./llm-startup-plan";
import type { WeightsPlan } from "./llm-weights-plan";

/** The user and group the vLLM CUDA image is prepared to run as (`vllm`, UID 2000, GID 0). */
export const VLLM_UID = 2000;

/** vLLM's health endpoint: 200 once the engine serves, open without the API key. */
export const VLLM_HEALTH_PATH = "/health";

/** Where the home directory (an emptyDir) is mounted: vLLM, Triton and Hugging Face caches default under it. */
export const VLLM_HOME = "/home/vllm";

/** Where the cache volume (Hugging Face downloads, vLLM's compile cache) is mounted. */
export const CACHE_PATH = "/cache";

/** Resources of the vLLM container after defaults. */
export interface ResolvedLlmResources {
  /** CPU request. */
  cpu: string;
  /** Memory request and limit. */
  memory: string;
  /** `/dev/shm` size limit. */
  shm: string;
}

/** What the vLLM Deployment needs. */
export interface LlmDeploymentSpec {
  /** Deployment name. */
  name: string;
  /** Namespace. */
  namespace: string;
  /** Labels of the Deployment and pods. */
  labels: Record<string, string>;
  /** Pod selector (instance and track). */
  selector: Record<string, string>;
  /** The vLLM image. */
  image: pulumi.Input<string>;
  /** The accelerators of one replica. */
  accelerator: LlmAccelerator;
  /** How the weights are read. */
  weights: WeightsPlan;
  /** Engine flags. */
  engineFlags: string[];
  /** `--served-model-name`. */
  servedName: string;
  /** Container port. */
  port: number;
  /** CPU, memory, shm. */
  resources: ResolvedLlmResources;
  /** The cache volume: an existing claim, or an emptyDir's size. */
  cache: { claimName?: string; sizeLimit: string };
  /** Startup budget. */
  startup: StartupBudget;
  /** Grace period and pre-stop pause. */
  timing: ShutdownTiming;
  /** Whether pods may run on spot nodes. */
  spot: boolean;
  /** Node labels replacing the default selector. */
  nodeSelector?: Record<string, string>;
  /** Service account. */
  serviceAccountName: string;
  /** The API key's Secret, when clients must send one. */
  apiKey?: { secretName: string; key: string };
  /** Extra environment. */
  env: Record<string, pulumi.Input<string>>;
  /** Fixed replicas; absent when an autoscaler owns the count. */
  replicas?: number;
}

function probe(periodSeconds: number, failureThreshold: number) {
  return {
    httpGet: { path: VLLM_HEALTH_PATH, port: "http" },
    periodSeconds,
    failureThreshold,
    timeoutSeconds: 5,
  };
}

/**
 * The container security context: non-root (vLLM's `vllm` user, UID 2000, GID 0), no privilege
 * escalation, every capability dropped, the runtime's seccomp profile and a read-only root file
 * system (home, `/tmp` and the cache are volumes): the restricted Pod Security Standard.
 */
function securityContext() {
  return {
    runAsNonRoot: true,
    runAsUser: VLLM_UID,
    runAsGroup: 0,
    readOnlyRootFilesystem: true,
    allowPrivilegeEscalation: false,
    privileged: false,
    capabilities: { drop: ["ALL"] },
    seccompProfile: { type: "RuntimeDefault" },
  };
}

function environment(spec: LlmDeploymentSpec): inputs.core.v1.EnvVar[] {
  const tpu = spec.accelerator.family === "tpu";
  const fixed: inputs.core.v1.EnvVar[] = [
    { name: "HOME", value: VLLM_HOME },
    // getpass.getuser() reads USER before the password database, which has no entry for a
    // Kubernetes-assigned UID.
    { name: "USER", value: "vllm" },
    { name: "HF_HOME", value: `${CACHE_PATH}/huggingface` },
    { name: "VLLM_CACHE_ROOT", value: `${CACHE_PATH}/vllm` },
    ...(tpu ? [{ name: "VLLM_XLA_CACHE_PATH", value: `${CACHE_PATH}/xla` }] : []),
    { name: "VLLM_NO_USAGE_STATS", value: "1" },
    ...(spec.apiKey
      ? [
          {
            name: "VLLM_API_KEY",
            valueFrom: { secretKeyRef: { name: spec.apiKey.secretName, key: spec.apiKey.key } },
          },
        ]
      : []),
    ...spec.weights.env,
  ];
  const extra = Object.keys(spec.env)
    .sort()
    .map((name) => ({ name, value: spec.env[name] }));
  return [...fixed, ...extra];
}

/**
 * The vLLM Deployment: `vllm serve` with the model, tensor parallelism equal to the pod's
 * accelerators, the engine flags; the accelerator resource (`nvidia.com/gpu` GPUs, or
 * `google.com/tpu` chips of the host); a memory-backed `/dev/shm`; the cache, home and `/tmp`
 * volumes; a startup probe on `/health` whose budget fits the cold start, readiness and liveness
 * on `/health`; placement on the accelerator's nodes (GKE's TPU labels on TPUs); a progress
 * deadline equal to the rollout budget; a hardened non-root pod.
 */
export function planLlmDeployment(spec: LlmDeploymentSpec): DeploymentArgs {
  const { accelerator } = spec;
  const args = [
    spec.weights.model,
    "--served-model-name",
    spec.servedName,
    "--host",
    "0.0.0.0",
    "--port",
    String(spec.port),
    "--tensor-parallel-size",
    String(accelerator.tensorParallelSize),
    ...spec.weights.flags,
    ...spec.engineFlags,
  ];
  const placement = podPlacement(spec.selector, accelerator, spec.spot);
  const hybridaiSelector = placement.nodeSelector ?? {};
  const limits = {
    memory: spec.resources.memory,
    [accelerator.resourceName]: String(accelerator.count),
  };
  const podAnnotations = spec.weights.podAnnotations;
  return {
    metadata: { name: spec.name, namespace: spec.namespace, labels: spec.labels },
    spec: {
      ...(spec.replicas !== undefined ? { replicas: spec.replicas } : {}),
      revisionHistoryLimit: 5,
      progressDeadlineSeconds: spec.startup.rolloutSeconds,
      selector: { matchLabels: spec.selector },
      strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
      template: {
        metadata: {
          labels: { ...spec.labels, ...spec.selector },
          ...(Object.keys(podAnnotations).length > 0 ? { annotations: podAnnotations } : {}),
        },
        spec: {
          serviceAccountName: spec.serviceAccountName,
          automountServiceAccountToken: false,
          enableServiceLinks: false,
          terminationGracePeriodSeconds: spec.timing.gracePeriodSeconds,
          securityContext: {
            runAsNonRoot: true,
            runAsUser: VLLM_UID,
            runAsGroup: 0,
            fsGroup: 0,
            seccompProfile: { type: "RuntimeDefault" },
          },
          ...placement,
          nodeSelector: llmNodeSelector(accelerator, hybridaiSelector, spec.nodeSelector),
          containers: [
            {
              name: "vllm",
              image: spec.image,
              imagePullPolicy: "IfNotPresent",
              command: ["vllm", "serve"],
              args,
              env: environment(spec),
              ports: [{ name: "http", containerPort: spec.port, protocol: "TCP" }],
              resources: {
                requests: { cpu: spec.resources.cpu, memory: spec.resources.memory },
                limits,
              },
              startupProbe: probe(
                STARTUP_PROBE_PERIOD_SECONDS,
                spec.startup.startupFailureThreshold,
              ),
              readinessProbe: probe(5, 2),
              livenessProbe: probe(10, 6),
              ...(spec.timing.preStopSeconds > 0
                ? {
                    lifecycle: {
                      preStop: { exec: { command: ["sleep", String(spec.timing.preStopSeconds)] } },
                    },
                  }
                : {}),
              securityContext: securityContext(),
              volumeMounts: [
                { name: "shm", mountPath: "/dev/shm" },
                { name: "home", mountPath: VLLM_HOME },
                { name: "tmp", mountPath: "/tmp" },
                { name: "cache", mountPath: CACHE_PATH },
                ...spec.weights.mounts,
              ],
            },
          ],
          volumes: [
            { name: "shm", emptyDir: { medium: "Memory", sizeLimit: spec.resources.shm } },
            // Triton, FlashInfer and Hugging Face JIT caches default under the home directory.
            { name: "home", emptyDir: { sizeLimit: "10Gi" } },
            { name: "tmp", emptyDir: { sizeLimit: "10Gi" } },
            spec.cache.claimName
              ? { name: "cache", persistentVolumeClaim: { claimName: spec.cache.claimName } }
              : { name: "cache", emptyDir: { sizeLimit: spec.cache.sizeLimit } },
            ...spec.weights.volumes,
          ],
        },
      },
    },
  };
}
