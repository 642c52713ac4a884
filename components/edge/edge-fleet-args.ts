import type * as pulumi from "@pulumi/pulumi";
import type { AcceleratorSpec } from "../accelerators";
import type {
  ServingNetworkPolicy,
  ServingResources,
  ServingTracing,
} from "../kubernetes/onnx-service/onnx-service-args";

/** CPU architectures of edge devices, by name (the Kubernetes `kubernetes.io/arch` node label). */
export const EdgeArch = {
  /** x86-64. */
  Amd64: "amd64",
  /** 64-bit ARM. */
  Arm64: "arm64",
} as const;

/** CPU architecture of a site's devices (the Kubernetes `kubernetes.io/arch` node label). */
export type EdgeArch = (typeof EdgeArch)[keyof typeof EdgeArch];

/** Why the runtime forwards a request to the cloud instead of answering it on the device, by name. */
export const CloudFallbackTrigger = {
  /** The request timed out on the device. */
  Timeout: "timeout",
  /** The model call on the device failed. */
  Error: "error",
  /** The device's queue was full. */
  Overload: "overload",
} as const;

/** Why the runtime forwards a request to the cloud instead of answering it on the device. */
export type CloudFallbackTrigger = (typeof CloudFallbackTrigger)[keyof typeof CloudFallbackTrigger];

/** One edge site: an existing small Kubernetes cluster (k3s, k0s, MicroK8s) reached through its kubeconfig. */
export interface EdgeSite {
  /**
   * Site name: a DNS label, unique in the fleet. Becomes the `site` label of every object and
   * part of the Pulumi names of the site's resources.
   */
  name: string;
  /**
   * The site cluster's kubeconfig: its contents (set it as a secret, e.g. `pulumi config set
   * --secret`) or the path of a kubeconfig file. Always handled as a secret.
   */
  kubeconfig: pulumi.Input<string>;
  /** Kubernetes context in the kubeconfig. Default: its current context. */
  context?: string;
  /** Region label of the site, e.g. `eu-central` (a Kubernetes label value). */
  region: string;
  /**
   * Rollout ring: 0 is the canary ring, deployed first; ring N waits until every Deployment of
   * ring N-1 is ready. Rings are numbered from 0 without gaps.
   */
  ring: number;
  /** CPU architecture of the devices. Default `amd64`. */
  arch?: EdgeArch;
  /** Serving devices at the site: one replica each. Default 1. */
  devices?: number;
  /**
   * NVIDIA GPUs per replica (the CUDA image, `runtimeClassName: nvidia` and the device plugin).
   * amd64 only: onnxruntime-node's CUDA builds are x86-64 only. Default: none (CPU).
   */
  accelerator?: AcceleratorSpec;
  /**
   * Create the `nvidia` RuntimeClass on this GPU site. Default `false`: k3s installs it itself
   * (with `nvidia-experimental` and the Wasm runtimes, from its bundled `runtimes.yaml`), and
   * creating an object that exists fails with AlreadyExists. Set `true` where nothing else creates
   * it (k0s, or MicroK8s without its GPU add-on).
   */
  createRuntimeClass?: boolean;
  /** Image for this site. Default: the fleet's `image` (CPU) or `gpuImage` (with an accelerator). */
  image?: pulumi.Input<string>;
  /** CPU and memory for this site, over the fleet's `resources`. */
  resources?: ServingResources;
  /** onnxruntime intra-op threads for this site. Default: the fleet's `threads`. */
  threads?: number;
  /** Extra labels on the site's objects and pods. */
  labels?: Record<string, string>;
  /**
   * Tracing of this site, over the fleet's `tracing`: its fields replace the fleet's (an
   * `endpoint` or `collector` here replaces the fleet's destination; `resourceAttributes` are
   * merged), `{ enabled: false }` turns tracing off here, and a site can trace alone. Default:
   * the fleet's.
   */
  tracing?: ServingTracing;
}

/**
 * The device cache of `hybridai-serve pull`: a PersistentVolumeClaim per replica (from the
 * StatefulSet's `volumeClaimTemplates`), kept across pod restarts, StatefulSet replacement and
 * scale-down.
 */
export interface EdgeModelCache {
  /**
   * StorageClass of each replica's cache claim. Default `local-path`, the node-local provisioner
   * k3s ships (a directory on the device, under `/var/lib/rancher/k3s/storage` unless the server's
   * `default-local-storage-path` says otherwise; `EdgeHost`'s `localStoragePath` sets it). With a
   * node-local class, a replica's volume and therefore the replica stay on the device that first
   * ran it. Any class with ReadWriteOnce filesystem volumes works (k0s and MicroK8s: install or
   * name one).
   */
  storageClass?: string;
  /**
   * Storage requested per replica (a Kubernetes quantity): room for `keep` versions plus one being
   * downloaded. `local-path` does not enforce it. Default `6Gi` (three copies of the default 2Gi
   * model volume).
   */
  size?: string;
  /** Versions kept per source (`--cache-keep`), 1–100. Default 2. */
  keep?: number;
}

/**
 * Where a device sends what it cannot answer: a remote Open Inference Protocol endpoint (e.g. the
 * same model served by an `OnnxService` in the cloud).
 */
export interface CloudFallback {
  /** Base URL of the remote endpoint, `https://…` (or `http://` on a trusted network). */
  url: pulumi.Input<string>;
  /**
   * The bearer token the remote endpoint requires. Stored in a Kubernetes Secret per site and
   * mounted read-only into the serving container. Default: none (no `Authorization` header).
   */
  tokenSecret?: pulumi.Input<string>;
  /** Milliseconds the device waits for the remote answer, 1–600000. Default 5000. */
  timeoutMs?: number;
  /** Conditions that forward a request. Default all: `timeout`, `error`, `overload`. */
  on?: CloudFallbackTrigger[];
}

/** The model every site serves. */
export interface EdgeModel {
  /**
   * The model folder in a store with a `manifest.json` (the device cache needs one):
   * `https://…`, `s3://…`, `gs://…`, or `file:///…` with `hostPathSources` (as a plain string).
   * Pulled by each pod's init container.
   */
  uri: pulumi.Input<string>;
  /**
   * Further sources tried in order when `uri` cannot be pulled (repeated `--from`), e.g. a
   * store on the site's network (`file:///…` with `hostPathSources`, as a plain string).
   * Default: none.
   */
  mirrors?: pulumi.Input<string>[];
  /** Model name in the repository, as clients address it. Default: the fleet's `name`. */
  name?: string;
  /**
   * The model version at `uri` (a release tag, the manifest's SHA-256). Required: a new value is
   * what rolls the pods out ring by ring (new content under an unchanged revision would reach
   * every site at its next pod restart, past the canary ring), and each site reports it.
   */
  revision: pulumi.Input<string>;
}

/**
 * Arguments of {@link EdgeFleet}. Values that shape the objects are plain (validated before any
 * resource registers); kubeconfigs, URIs, images and the fallback token may be outputs.
 */
export interface EdgeFleetArgs {
  /** The sites, in any order; rings decide the rollout order. At least one. */
  sites: EdgeSite[];
  /** The model every site serves. */
  model: EdgeModel;
  /**
   * Kubernetes name of the serving objects on every site (a DNS label). Default: the component
   * name.
   */
  name?: string;
  /** Namespace on every site. Default `hybridai`. */
  namespace?: string;
  /**
   * Create the namespace on every site, with the `restricted` Pod Security Standard enforced (and
   * warned and audited); with `hostPathSources`, only warned and audited. Default `true`.
   */
  createNamespace?: boolean;
  /**
   * Admit `file:///` sources (`model.uri`, `model.mirrors`: a model directory on the device's
   * disk), read through read-only hostPath volumes of the pull init container. hostPath breaks
   * the baseline and restricted Pod Security Standards: with it, the namespace the fleet creates
   * only warns and audits `restricted` (a namespace enforcing it rejects the pods), and the
   * compliance pack's `kubernetes-pod-security-restricted` reports each site's StatefulSet (list
   * the namespace in its `exemptNamespaces` to accept that). Without it, a `file:///` source is
   * refused. Default `false`.
   */
  hostPathSources?: boolean;
  /**
   * The runtime image for CPU sites; multi-arch (`linux/amd64`, `linux/arm64`). Default
   * `DEFAULT_RUNTIME_IMAGE`.
   */
  image?: pulumi.Input<string>;
  /** The runtime image for GPU sites (amd64, CUDA 12). Default `DEFAULT_RUNTIME_IMAGE` + `-cuda`. */
  gpuImage?: pulumi.Input<string>;
  /**
   * CPU and memory of each replica, sized for small devices. Default `{ cpu: "500m", memory:
   * "1Gi", modelVolume: "2Gi" }` (memory limit = request). A rollout replaces each device's pod
   * in place (the old one stops, then the new one starts on the same device and volume), so a
   * device needs room for one replica; a site with one device does not serve while its pod is
   * replaced.
   */
  resources?: ServingResources;
  /** onnxruntime intra-op threads per model instance (`--intra-op-threads`), 1–64. Default 2. */
  threads?: number;
  /** The device model cache. Defaults in {@link EdgeModelCache}. */
  cache?: EdgeModelCache;
  /** Forward what a device cannot answer to a cloud endpoint. Default: none. */
  cloudFallback?: CloudFallback;
  /**
   * Who may reach the service on each site, and where its pods may send traffic. Default:
   * inference from the same namespace, the metrics port from `monitoring`; egress to DNS, 443
   * out of the cluster (never the metadata server) and `cloudFallback.url` only.
   */
  networkPolicy?: ServingNetworkPolicy;
  /**
   * Export OpenTelemetry traces from every site (the same settings as `OnnxService.tracing`):
   * the runtime's `OTEL_*` environment, with `hybridai.site` and `hybridai.region` among the
   * resource attributes, and an egress rule to the collector. Spans of a request a device
   * forwards to `cloudFallback` carry the same trace id as the cloud's (the runtime sends W3C
   * `traceparent`), so trace the cloud service too. Usually an `endpoint`: the cloud's collector
   * as the devices reach it (`https://…`); a `collector` is one on the site cluster itself.
   * Default: none (tracing off).
   */
  tracing?: ServingTracing;
  /** Minutes a site's rollout may take before `pulumi up` fails it (and stops later rings), 1–120. Default 15. */
  rolloutTimeoutMinutes?: number;
  /** Extra `hybridai-serve` flags. */
  runtimeArgs?: string[];
  /** Extra environment of the serving container (`HYBRIDAI_*` settings). */
  env?: Record<string, pulumi.Input<string>>;
  /** Extra labels on every object and pod. */
  labels?: Record<string, string>;
}
