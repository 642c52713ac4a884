import type { Provider } from "@pulumi/kubernetes/provider";
import type * as pulumi from "@pulumi/pulumi";
import type { AcceleratorSpec } from "../../accelerators";
import type { Dependency } from "../../dependency";
import type { ServingDashboard } from "../onnx-service/dashboard-plan";
import type {
  GatewayRef,
  ServingCapacity,
  ServingExposure,
  ServingNetworkPolicy,
  ServingServiceAccount,
  ServingServiceMonitor,
} from "../onnx-service/onnx-service-args";
import type { SpotNoticeCloud } from "../scheduling";

/** How the weights reach vLLM, by name. */
export const LlmLoader = {
  /** vLLM's Run:ai Model Streamer (`--load-format runai_streamer`) reads `s3://` or `gs://` with the pod's identity. */
  RunaiStreamer: "runai-streamer",
  /** GKE's Cloud Storage FUSE CSI driver mounts the `gs://` folder read-only with Workload Identity. */
  GcsFuse: "gcs-fuse",
} as const;

/** `runai-streamer` or `gcs-fuse`. */
export type LlmLoader = (typeof LlmLoader)[keyof typeof LlmLoader];

/** Every weight loader, in a stable order for messages. */
export const LLM_LOADERS: readonly LlmLoader[] = Object.values(LlmLoader);

/** A key of a Kubernetes Secret in the service's namespace. */
export interface LlmSecretKey {
  /** The Secret's name (it must exist before the pods start). */
  secretName: string;
  /** The key in the Secret. Default `token`. */
  key?: string;
}

/** Where the weights come from, and what clients call the model. */
export interface LlmModelSource {
  /**
   * A model folder in one of the library's model stores (`config.json`, the tokenizer and the
   * `*.safetensors` files): `s3://bucket/prefix` or `gs://bucket/prefix`, read with the pods'
   * cloud identity (IRSA, GKE Workload Identity). Give either `uri` or `huggingFaceId`.
   */
  uri?: pulumi.Input<string>;
  /**
   * A Hugging Face Hub model id such as `Qwen/Qwen2.5-7B-Instruct`, downloaded by vLLM into the
   * cache volume (see {@link LlmCache}). Give either `uri` or `huggingFaceId`.
   */
  huggingFaceId?: string;
  /** `huggingFaceId`: the revision (commit, tag or branch) to serve. Default: the Hub's `main`. */
  revision?: string;
  /** `huggingFaceId`: the Secret holding a Hub token, for gated models (`HF_TOKEN`). Default: none. */
  huggingFaceToken?: LlmSecretKey;
  /**
   * How `uri` is read: `runai-streamer` (default on NVIDIA GPUs; S3 and GCS) or `gcs-fuse`
   * (default on TPUs; GCS only, needs GKE's Cloud Storage FUSE CSI driver, which
   * `gcp.GkeCluster` enables).
   */
  loader?: LlmLoader;
  /** The name clients pass as `model` (vLLM `--served-model-name`). Default: the component name. */
  servedName?: string;
  /**
   * Size of the weights in GiB, for the startup probe's budget. Default: the accelerators'
   * memory times `engine.gpuMemoryUtilization` (the most that can be loaded), which over-budgets
   * small models.
   */
  sizeGiB?: number;
}

/** A LoRA adapter served next to the base model (vLLM `--lora-modules name=source`). */
export interface LlmLoraAdapter {
  /** The name clients pass as `model` to use the adapter. */
  name: string;
  /** A Hugging Face Hub id (`org/adapter`) or a path inside the pod (e.g. under the cache volume). */
  source: string;
}

/** vLLM engine settings, each validated and passed as its flag. */
export interface LlmEngine {
  /** Context length (`--max-model-len`), 128–1048576 tokens. Default: the model's own. */
  maxModelLen?: number;
  /** Share of accelerator memory vLLM may use (`--gpu-memory-utilization`), above 0.1 and at most 0.99. Default 0.9. */
  gpuMemoryUtilization?: number;
  /** Quantisation method (`--quantization`), e.g. `awq`, `gptq`, `fp8`. Default: from the model's config. */
  quantization?: string;
  /** Most sequences in one batch (`--max-num-seqs`), 1–4096. Default: vLLM's. */
  maxNumSeqs?: number;
  /** LoRA adapters (`--enable-lora --lora-modules …`). Default: none. */
  loraAdapters?: LlmLoraAdapter[];
  /** Highest LoRA rank (`--max-lora-rank`): 8, 16, 32, 64, 128 or 256. Default: vLLM's (16). */
  maxLoraRank?: number;
  /** Further `vllm serve` flags, e.g. `["--enable-prefix-caching"]`; flags this component sets are refused. */
  extraArgs?: string[];
}

/** Where vLLM keeps downloads and compiled kernels between container restarts. */
export interface LlmCache {
  /**
   * An existing PersistentVolumeClaim (ReadWriteMany, e.g. EFS or Filestore, when several
   * replicas share it): the Hugging Face download and vLLM's compile cache survive pod restarts.
   * Default: an emptyDir, which survives container restarts only.
   */
  claimName?: string;
  /** Size limit of the emptyDir when no claim is named. Default `"50Gi"`. */
  sizeLimit?: string;
}

/** CPU and memory of the vLLM container. */
export interface LlmResources {
  /** CPU request. Default: three quarters of the smallest node carrying the accelerators. */
  cpu?: string;
  /** Memory request and limit (it includes `/dev/shm`). Default: three quarters of that node's memory. */
  memory?: string;
  /**
   * Size of the memory-backed `/dev/shm` (NCCL and PyTorch workers exchange tensors through it
   * under tensor parallelism). Default `"1Gi"`, plus 2 GiB per GPU above one; `"16Gi"` on TPUs.
   */
  shm?: string;
}

/** Non-production hours: outside them the service scales to zero. */
export interface LlmActiveHours {
  /** IANA time zone, e.g. `Europe/Berlin`. */
  timezone: string;
  /** Cron expression of the start, e.g. `0 8 * * 1-5`. */
  start: string;
  /** Cron expression of the end, e.g. `0 19 * * 1-5`. */
  end: string;
}

/**
 * Scaling on vLLM's own queue through KEDA (install it with {@link Keda}): a ScaledObject whose
 * Prometheus trigger holds `vllm:num_requests_waiting` per replica at the target. Needs
 * `serviceMonitor` (Prometheus must scrape the pods).
 */
export interface LlmAutoscaling {
  /** Requests waiting per replica to hold (a whole number, 1–1000). Default 5. */
  targetWaitingRequests?: number;
  /** URL of the Prometheus KEDA queries. Default `http://prometheus-operated.monitoring.svc.cluster.local:9090`. */
  prometheusUrl?: string;
  /**
   * Scale to zero outside these hours (non-production stacks): a cron trigger holds
   * `replicas.min` inside them. A queue cannot wake a service at zero (no pod reports it).
   * Default: never at zero.
   */
  activeHours?: LlmActiveHours;
  /** Seconds between KEDA's queries (5–600). Default 15. */
  pollingIntervalSeconds?: number;
  /** Seconds of lower recommendations before scaling down (0–3600). Default 600. */
  scaleDownStabilizationSeconds?: number;
  /** Resources the ScaledObject cannot be created before: the {@link Keda} component. */
  waitFor?: pulumi.Input<Dependency[]>;
}

/** Alerting rules over vLLM's metrics; every threshold has a default. */
export interface LlmAlerts {
  /** Ship the PrometheusRule. Default `true` (with a ServiceMonitor). */
  enabled?: boolean;
  /** Labels of the PrometheusRule. Default: the ServiceMonitor's labels. */
  labels?: Record<string, string>;
  /** Share (0–1) of HTTP requests answered 5xx above which `VllmHighErrorRatio` fires. Default 0.05. */
  maxErrorRatio?: number;
  /** p99 time to first token in milliseconds above which `VllmSlowTimeToFirstToken` fires. Default 5000. */
  maxTimeToFirstTokenMs?: number;
  /** Requests waiting in one pod above which `VllmRequestsQueued` fires. Default 20. */
  maxWaitingRequests?: number;
  /** KV-cache usage (0–1) of one pod above which `VllmKvCacheFull` fires. Default 0.95. */
  maxKvCacheUsage?: number;
  /** The `rate()` window, `s`/`m`/`h`. Default `"5m"`. */
  window?: string;
}

/**
 * Canary analysis and rollback through Argo Rollouts (install it with `ArgoRollouts`), judged on
 * the canary pods' vLLM metrics: the 5xx ratio, and optionally the p99 time to first token and
 * queue time.
 */
export interface LlmRollout {
  /** Canary traffic percentages, strictly increasing from 1 to 100. Default `[5, 25, 50, 100]`. */
  steps?: number[];
  /** Step length and analysis window, `"2m"` to `"24h"`. Default `"5m"`. */
  interval?: string;
  /** Highest share (0–1) of 5xx answers on the canary pods. Default 0.01. */
  maxErrorRate?: number;
  /** Highest p99 time to first token in milliseconds on the canary pods. Default: not checked. */
  maxTimeToFirstTokenMs?: number;
  /** Highest p99 queue time in milliseconds on the canary pods. Default: not checked. */
  maxQueueTimeMs?: number;
  /** The Gateway whose HTTPRoute Argo Rollouts shifts. */
  gateway: GatewayRef;
  /** Host names the route matches. Default: all the Gateway accepts. */
  hostnames?: string[];
  /** URL of the Prometheus the analysis queries. Default as {@link LlmAutoscaling.prometheusUrl}. */
  prometheusUrl?: string;
  /** Resources the Rollout waits for: the `ArgoRollouts` component. */
  waitFor?: pulumi.Input<Dependency[]>;
}

/** Replica bounds. */
export interface LlmReplicas {
  /** Fewest replicas (with `autoscaling.activeHours`, inside the active hours). Default 1. */
  min?: number;
  /** Most replicas; at least `min`. Only with `autoscaling`. Default `min`. */
  max?: number;
}

/**
 * Arguments of {@link LlmService}. Values that shape the objects are plain (validated before any
 * resource registers); URIs and identities may be outputs.
 */
export interface LlmServiceArgs {
  /** The Kubernetes provider of the target cluster. Default: the ambient provider. */
  provider?: Provider;
  /** Kubernetes name of the objects (a DNS label). Default: the component name. */
  name?: string;
  /** Namespace of every object (must exist). Default `default`. */
  namespace?: string;
  /** The model. */
  model: LlmModelSource;
  /**
   * Accelerators of one replica: an NVIDIA GPU type and `count` (1–8 on one node; tensor
   * parallelism = count), or a TPU type and a single-host `topology` or chip `count` (tensor
   * parallelism = chips of the slice). Multi-host TPU slices are refused.
   */
  accelerator: AcceleratorSpec;
  /** vLLM image. Default {@link VLLM_IMAGES} for the accelerator's vendor. */
  image?: pulumi.Input<string>;
  /** Engine settings. */
  engine?: LlmEngine;
  /** Download and compile cache. Default: an emptyDir. */
  cache?: LlmCache;
  /** CPU, memory and `/dev/shm`. Defaults in {@link LlmResources}. */
  resources?: LlmResources;
  /** Replica bounds. Default `{ min: 1 }`. */
  replicas?: LlmReplicas;
  /** Scaling on the queue through KEDA. Default: a fixed `replicas.min`. */
  autoscaling?: LlmAutoscaling;
  /** Container and Service port (OpenAI API, `/health`, `/metrics`). Default 8000. */
  port?: number;
  /**
   * Node labels the pods must match, replacing the default: hybridai's accelerator label on
   * GPUs, GKE's `cloud.google.com/gke-tpu-accelerator` and `gke-tpu-topology` on TPUs. For pools
   * hybridai did not create.
   */
  nodeSelector?: Record<string, string>;
  /** Tolerate and prefer spot nodes. Default `true`. */
  spot?: boolean;
  /** The cloud whose spot notice the grace period must fit: `aws` (120 s) or `gcp` (30 s). Default `"gcp"`. */
  spotNotice?: SpotNoticeCloud;
  /** Pod grace period, seconds. Default 25. */
  terminationGracePeriodSeconds?: number;
  /** Pause before SIGTERM so endpoints drop the pod first, seconds. Default 5. */
  preStopSeconds?: number;
  /** Cloud identity of the pods (the model store's reader). Default: a service account without cloud identity. */
  serviceAccount?: ServingServiceAccount;
  /** The API key clients send as a bearer token (`VLLM_API_KEY`). Required with `exposure`. */
  auth?: LlmSecretKey;
  /** Ingress rules. Default: same namespace, plus `/metrics` from `monitoring`. */
  networkPolicy?: ServingNetworkPolicy;
  /** A ServiceMonitor for vLLM's `/metrics` (needs the Prometheus Operator CRDs). Default: none. */
  serviceMonitor?: ServingServiceMonitor;
  /** Alerting rules. Default: on whenever `serviceMonitor` is set. */
  alerts?: LlmAlerts;
  /** A Grafana dashboard ConfigMap. Default: on whenever `serviceMonitor` is set. */
  dashboard?: ServingDashboard;
  /** Canary analysis and rollback through Argo Rollouts. Needs `serviceMonitor`. Default: none. */
  rollout?: LlmRollout;
  /** Expose the service beyond the cluster through a load balancer. Needs `auth`. Default: none. */
  exposure?: ServingExposure;
  /**
   * Accept an `aws-nlb` or `gcp-passthrough` exposure although vLLM's API key guards only the
   * `/v1`, `/v2`, `/inference` and `/cohere` paths: through a layer-4 load balancer its other
   * routes (e.g. SageMaker's `/invocations`, `/tokenize`) answer without a key. Default `false`
   * (refused; `gcp-gateway` forwards only `/v1` and `/health`).
   */
  allowUnguardedPaths?: boolean;
  /** The nodes the pods need, when this program creates them. Default: none to wait for. */
  capacity?: ServingCapacity;
  /** Extra environment variables of the vLLM container. */
  env?: Record<string, pulumi.Input<string>>;
  /** Extra labels on every object and pod. */
  labels?: Record<string, string>;
}
