import type { StatefulSetArgs } from "@pulumi/kubernetes/apps/v1";
import type { NamespaceArgs, SecretArgs } from "@pulumi/kubernetes/core/v1";
import type { RuntimeClassArgs } from "@pulumi/kubernetes/node/v1";
import * as pulumi from "@pulumi/pulumi";
import type { AcceleratorType } from "../accelerators";
import { HybridAiConfigError } from "../errors";
import type { NvidiaDevicePluginArgs } from "../kubernetes/nvidia-device-plugin-args";
import { planNvidiaDevicePlugin } from "../kubernetes/nvidia-device-plugin-plan";
import {
  hostModelDirectory,
  MODEL_REPOSITORY_PATH,
} from "../kubernetes/onnx-service/deployment-plan";
import type {
  OnnxServiceArgs,
  ServingNetworkPolicy,
  ServingTracing,
} from "../kubernetes/onnx-service/onnx-service-args";
import {
  DEFAULT_RUNTIME_IMAGE,
  type OnnxServicePlan,
  planOnnxService,
} from "../kubernetes/onnx-service/onnx-service-plan";
import { resolveTracing } from "../kubernetes/onnx-service/tracing-plan";
import { assertDns1035, assertNamespace, assertQuantity } from "../kubernetes/validate";
import { assertWholeNumber } from "../validate";
import { FALLBACK_TOKEN_KEY, planCloudFallback } from "./cloud-fallback";
import type { EdgeArch, EdgeFleetArgs } from "./edge-fleet-args";
import { planEdgeStatefulSet } from "./edge-statefulset";
import { type ResolvedSite, resolveRings } from "./sites";

/** The component name in errors. */
export const EDGE_FLEET = "EdgeFleet";

/** Labels every object of a site carries. */
export const SITE_LABELS = {
  /** The site name. */
  site: "hybridai.dev/site",
  /** The site's region. */
  region: "hybridai.dev/region",
  /** The site's rollout ring. */
  ring: "hybridai.dev/ring",
} as const;

/** Resource attributes every site's spans carry (`OTEL_RESOURCE_ATTRIBUTES`), set from the site. */
export const SITE_RESOURCE_ATTRIBUTES = {
  /** The site name. */
  site: "hybridai.site",
  /** The site's region. */
  region: "hybridai.region",
} as const;

/** Default size of one replica on a small device. */
export const DEFAULT_EDGE_RESOURCES = { cpu: "500m", memory: "1Gi", modelVolume: "2Gi" } as const;

/** Default device model cache: each replica's claim on k3s' node-local StorageClass. */
export const DEFAULT_MODEL_CACHE = { storageClass: "local-path", size: "6Gi", keep: 2 } as const;

/**
 * Longest serving name: a StatefulSet's pods carry the label `controller-revision-hash:
 * <name>-<hash of up to 10 characters>`, and a label value has at most 63 characters.
 */
export const MAX_EDGE_NAME_LENGTH = 52;

/** The RuntimeClass (and containerd handler) of the NVIDIA container runtime, as k3s names it. */
export const NVIDIA_RUNTIME_CLASS = "nvidia";

/** Everything one site gets, as provider arguments. */
export interface EdgeSitePlan {
  /** Site name. */
  name: string;
  /** Rollout ring. */
  ring: number;
  /** Region label. */
  region: string;
  /** Device architecture. */
  arch: EdgeArch;
  /** Replicas (one per device). */
  devices: number;
  /** The GPU model, on GPU sites. */
  accelerator?: AcceleratorType;
  /** The kubeconfig (contents or path), kept secret by the component. */
  kubeconfig: pulumi.Input<string>;
  /** Kubeconfig context, when named. */
  context?: string;
  /** Runtime image the site runs. */
  image: pulumi.Input<string>;
  /** Model revision the site runs. */
  modelRevision: pulumi.Input<string>;
  /** The namespace, when the fleet creates it. */
  namespace?: NamespaceArgs;
  /** Secret with the cloud endpoint's token, when there is one. */
  fallbackSecret?: SecretArgs;
  /** The `nvidia` RuntimeClass, on GPU sites that asked for it (`createRuntimeClass`). */
  runtimeClass?: RuntimeClassArgs;
  /** NVIDIA's device plugin, on GPU sites. */
  devicePlugin?: NvidiaDevicePluginArgs;
  /**
   * The serving workload: `planOnnxService`'s Deployment turned into a StatefulSet by
   * `planEdgeStatefulSet` (a cache claim per replica).
   */
  statefulSet: StatefulSetArgs;
  /** `planOnnxService`'s other objects the site runs (its Deployment and autoscaler are not used). */
  service: EdgeServingObjects;
}

/** The objects of an {@link OnnxServicePlan} a site creates besides its workload. */
export type EdgeServingObjects = Omit<OnnxServicePlan, "deployment" | "autoscaler">;

/** An {@link EdgeFleet} as provider arguments, ring by ring. */
export interface EdgeFleetPlan {
  /** Kubernetes name of the serving objects. */
  name: string;
  /** Namespace on every site. */
  namespace: string;
  /** Model name clients address. */
  modelName: string;
  /** Minutes a site's rollout may take. */
  rolloutTimeoutMinutes: number;
  /** Sites grouped by ring, ring 0 (canary) first. */
  rings: EdgeSitePlan[][];
}

/**
 * Pod Security Standard labels of the fleet's namespace: `restricted` enforced, warned and
 * audited; with hostPath sources (which every enforced level forbids) only warned and audited.
 */
function podSecurityLabels(hostPathSources: boolean): Record<string, string> {
  return {
    ...(hostPathSources ? {} : { "pod-security.kubernetes.io/enforce": "restricted" }),
    "pod-security.kubernetes.io/warn": "restricted",
    "pod-security.kubernetes.io/audit": "restricted",
  };
}

/** A StorageClass name: a DNS-1123 subdomain. */
const STORAGE_CLASS = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Checks and completes the cache settings. */
function resolveCache(args: EdgeFleetArgs): { storageClass: string; size: string; keep: number } {
  const cache = {
    storageClass: args.cache?.storageClass ?? DEFAULT_MODEL_CACHE.storageClass,
    size: args.cache?.size ?? DEFAULT_MODEL_CACHE.size,
    keep: args.cache?.keep ?? DEFAULT_MODEL_CACHE.keep,
  };
  if (
    typeof cache.storageClass !== "string" ||
    cache.storageClass.length > 253 ||
    !STORAGE_CLASS.test(cache.storageClass)
  ) {
    throw new HybridAiConfigError(
      EDGE_FLEET,
      "cache.storageClass",
      cache.storageClass,
      "a StorageClass name (lowercase letters, digits, '-' and '.'), e.g. local-path, k3s' node-local provisioner",
    );
  }
  assertQuantity(EDGE_FLEET, "cache.size", cache.size);
  assertWholeNumber(EDGE_FLEET, "cache.keep", cache.keep, 1, 100);
  return cache;
}

/**
 * Refuses a `file:///` source unless `hostPathSources` admits it: the init container would read
 * it through a hostPath volume, which the restricted Pod Security Standard forbids.
 */
function assertSources(args: EdgeFleetArgs): void {
  if (args.hostPathSources === true) return;
  const sources: [string, pulumi.Input<string>][] = [
    ["model.uri", args.model.uri],
    ...(args.model.mirrors ?? []).map((m, i): [string, pulumi.Input<string>] => [
      `model.mirrors[${i}]`,
      m,
    ]),
  ];
  for (const [field, source] of sources) {
    if (hostModelDirectory(source) !== undefined) {
      throw new HybridAiConfigError(
        EDGE_FLEET,
        field,
        source,
        "an https://, s3:// or gs:// source; a file:/// source is read through a hostPath volume, which the restricted Pod Security Standard forbids: set hostPathSources: true to accept that (the namespace then only warns and audits restricted, and the compliance pack reports the workloads)",
      );
    }
  }
}

/** Runs `planOnnxService` for one site, naming the site in any error. */
function planSiteService(site: ResolvedSite, name: string, args: OnnxServiceArgs): OnnxServicePlan {
  try {
    return planOnnxService(name, args);
  } catch (error) {
    if (!(error instanceof HybridAiConfigError)) throw error;
    throw new HybridAiConfigError(
      EDGE_FLEET,
      `sites[${site.index}] (${site.name}): ${error.field}`,
      error.value,
      error.allowed,
    );
  }
}

/** The fleet-wide settings every site is planned with, checked. */
interface ResolvedFleet {
  /** The fleet's arguments. */
  args: EdgeFleetArgs;
  /** Kubernetes name of the serving objects. */
  name: string;
  /** Namespace on every site. */
  namespace: string;
  /** Model name clients address. */
  modelName: string;
  /** Model revision every site runs. */
  revision: pulumi.Input<string>;
  /** Default intra-op threads of a replica. */
  threads: number;
  /** Each replica's model cache. */
  cache: { storageClass: string; size: string; keep: number };
  /** Minutes a site's rollout may take. */
  rolloutTimeoutMinutes: number;
  /** The cloud fallback written into the model's config, when there is one. */
  fallback?: ReturnType<typeof planCloudFallback>;
  /** The Secret holding the cloud endpoint's token, when there is one. */
  fallbackSecretName?: string;
  /** Sites grouped by ring, ring 0 first. */
  rings: ResolvedSite[][];
}

/** Checks the fleet-wide arguments and completes their defaults. */
function resolveFleet(componentName: string, args: EdgeFleetArgs): ResolvedFleet {
  const name = args.name ?? componentName;
  assertDns1035(EDGE_FLEET, "name", name, MAX_EDGE_NAME_LENGTH);
  const namespace = args.namespace ?? "hybridai";
  assertNamespace(EDGE_FLEET, "namespace", namespace);
  if (!args.model) {
    throw new HybridAiConfigError(
      EDGE_FLEET,
      "model",
      args.model,
      "{ uri, revision, name?, mirrors? }",
    );
  }
  const { revision } = args.model;
  if (revision === undefined || revision === null || revision === "") {
    throw new HybridAiConfigError(
      EDGE_FLEET,
      "model.revision",
      revision,
      "the model version at model.uri (a release tag or the manifest's SHA-256): a new revision is what rolls out ring by ring, and each site reports the one it runs",
    );
  }
  const rings = resolveRings(EDGE_FLEET, args.sites);
  const threads = args.threads ?? 2;
  assertWholeNumber(EDGE_FLEET, "threads", threads, 1, 64);
  assertSources(args);
  const cache = resolveCache(args);
  const rolloutTimeoutMinutes = args.rolloutTimeoutMinutes ?? 15;
  assertWholeNumber(EDGE_FLEET, "rolloutTimeoutMinutes", rolloutTimeoutMinutes, 1, 120);
  const fallback = args.cloudFallback
    ? planCloudFallback(EDGE_FLEET, args.cloudFallback)
    : undefined;
  const fallbackSecretName =
    args.cloudFallback?.tokenSecret !== undefined ? `${name}-cloud-fallback` : undefined;
  resolveTracing(EDGE_FLEET, "tracing", args.tracing);
  for (const site of rings.flat()) {
    resolveTracing(EDGE_FLEET, `sites[${site.index}].tracing`, site.site.tracing);
  }
  return {
    args,
    name,
    namespace,
    modelName: args.model.name ?? name,
    revision,
    threads,
    cache,
    rolloutTimeoutMinutes,
    ...(fallback ? { fallback } : {}),
    ...(fallbackSecretName ? { fallbackSecretName } : {}),
    rings,
  };
}

/** The runtime image of one site: its own, else the fleet's GPU or CPU image. */
function siteImage(fleet: ResolvedFleet, site: ResolvedSite): pulumi.Input<string> {
  const { args } = fleet;
  return (
    site.site.image ??
    (site.accelerator
      ? (args.gpuImage ?? `${DEFAULT_RUNTIME_IMAGE}-cuda`)
      : (args.image ?? DEFAULT_RUNTIME_IMAGE))
  );
}

/**
 * A site's network policy: the fleet's, with the cloud fallback's URL among the egress
 * endpoints, so a device reaches the cloud it forwards to and nothing else beyond DNS, 443 and
 * its model store.
 */
function siteNetworkPolicy(args: EdgeFleetArgs): ServingNetworkPolicy {
  const policy = args.networkPolicy ?? {};
  if (!args.cloudFallback) return policy;
  const egress = policy.egress ?? {};
  return {
    ...policy,
    egress: { ...egress, endpoints: [...(egress.endpoints ?? []), args.cloudFallback.url] },
  };
}

/**
 * A site's tracing: the fleet's settings with the site's over them (the site's destination
 * replacing the fleet's, resource attributes merged), plus the site's name and region as
 * resource attributes; `undefined` when neither traces.
 */
function siteTracing(args: EdgeFleetArgs, site: ResolvedSite): ServingTracing | undefined {
  const fleet = args.tracing;
  const own = site.site.tracing;
  if (fleet === undefined && own === undefined) return undefined;
  const ownDestination = own?.endpoint !== undefined || own?.collector !== undefined;
  const { endpoint, collector, ...fleetSettings } = fleet ?? {};
  const merged: ServingTracing = {
    ...(ownDestination ? fleetSettings : fleet),
    ...own,
  };
  if (merged.enabled === false) return { enabled: false };
  return {
    ...merged,
    resourceAttributes: {
      ...fleet?.resourceAttributes,
      ...own?.resourceAttributes,
      [SITE_RESOURCE_ATTRIBUTES.site]: site.name,
      [SITE_RESOURCE_ATTRIBUTES.region]: site.region,
    },
  };
}

/** The {@link OnnxServiceArgs} one site's serving objects are planned from. */
function siteServiceArgs(
  fleet: ResolvedFleet,
  site: ResolvedSite,
  image: pulumi.Input<string>,
  labels: Record<string, string>,
): OnnxServiceArgs {
  const { args, name, namespace, modelName, revision } = fleet;
  const siteThreads = site.site.threads ?? fleet.threads;
  assertWholeNumber(EDGE_FLEET, `sites[${site.index}].threads`, siteThreads, 1, 64);
  const tracing = siteTracing(args, site);
  return {
    name,
    namespace,
    model: { uri: args.model.uri, name: modelName, revision, mirrors: args.model.mirrors ?? [] },
    image,
    ...(site.accelerator ? { accelerator: site.accelerator } : {}),
    replicas: { min: site.devices, max: site.devices },
    resources: { ...DEFAULT_EDGE_RESOURCES, ...args.resources, ...site.site.resources },
    spot: false,
    runtimeArgs: ["--intra-op-threads", String(siteThreads), ...(args.runtimeArgs ?? [])],
    ...(args.env ? { env: args.env } : {}),
    networkPolicy: siteNetworkPolicy(args),
    labels,
    ...(tracing ? { tracing } : {}),
  };
}

/** Whether the site creates the `nvidia` RuntimeClass; refuses it on a site without a GPU. */
function siteCreatesRuntimeClass(site: ResolvedSite): boolean {
  const createRuntimeClass = site.site.createRuntimeClass ?? false;
  if (typeof createRuntimeClass !== "boolean" || (createRuntimeClass && !site.accelerator)) {
    throw new HybridAiConfigError(
      EDGE_FLEET,
      `sites[${site.index}].createRuntimeClass`,
      createRuntimeClass,
      "true or false, and true only on a site with an accelerator (k3s installs the nvidia RuntimeClass itself: leave it false there)",
    );
  }
  return createRuntimeClass;
}

/** The namespace, fallback token Secret and RuntimeClass a site creates, each when it has one. */
function siteSupportObjects(
  fleet: ResolvedFleet,
  labels: Record<string, string>,
  createRuntimeClass: boolean,
): Pick<EdgeSitePlan, "namespace" | "fallbackSecret" | "runtimeClass"> {
  const { args, namespace, fallbackSecretName } = fleet;
  return {
    ...((args.createNamespace ?? true)
      ? {
          namespace: {
            metadata: {
              name: namespace,
              labels: {
                ...podSecurityLabels(args.hostPathSources === true),
                "app.kubernetes.io/managed-by": "pulumi",
              },
            },
          },
        }
      : {}),
    ...(fallbackSecretName && args.cloudFallback?.tokenSecret !== undefined
      ? {
          fallbackSecret: {
            metadata: { name: fallbackSecretName, namespace, labels },
            type: "Opaque",
            stringData: { [FALLBACK_TOKEN_KEY]: pulumi.secret(args.cloudFallback.tokenSecret) },
          },
        }
      : {}),
    ...(createRuntimeClass
      ? {
          runtimeClass: {
            metadata: {
              name: NVIDIA_RUNTIME_CLASS,
              labels: { "app.kubernetes.io/managed-by": "pulumi" },
            },
            handler: NVIDIA_RUNTIME_CLASS,
          },
        }
      : {}),
  };
}

/** Plans one site: its serving objects, its StatefulSet and what the site needs besides. */
function planSite(fleet: ResolvedFleet, site: ResolvedSite): EdgeSitePlan {
  const { args, name, modelName, revision, fallback, fallbackSecretName } = fleet;
  const labels = {
    ...args.labels,
    ...site.site.labels,
    [SITE_LABELS.site]: site.name,
    [SITE_LABELS.region]: site.region,
    [SITE_LABELS.ring]: String(site.ring),
  };
  const image = siteImage(fleet, site);
  // The Deployment becomes the site's StatefulSet; no autoscaler: one replica per device.
  const {
    deployment,
    autoscaler: _fixedReplicas,
    ...service
  } = planSiteService(site, name, siteServiceArgs(fleet, site, image, labels));
  const accelerator = site.accelerator?.type;
  const createRuntimeClass = siteCreatesRuntimeClass(site);
  const devicePlugin = accelerator ? { accelerators: [accelerator] } : undefined;
  if (devicePlugin) planNvidiaDevicePlugin(`${name}-nvidia`, devicePlugin);
  const statefulSet = planEdgeStatefulSet(deployment, {
    arch: site.arch,
    replicas: site.devices,
    serviceName: service.serviceName,
    cache: fleet.cache,
    modelRevision: revision,
    ...(fallback
      ? {
          modelConfig: {
            overlay: pulumi.output(fallback).apply((f) => JSON.stringify({ fallback: f })),
            file: `${MODEL_REPOSITORY_PATH}/${modelName}/config.json`,
          },
        }
      : {}),
    ...(fallbackSecretName ? { fallbackTokenSecret: fallbackSecretName } : {}),
    ...(accelerator ? { runtimeClassName: NVIDIA_RUNTIME_CLASS } : {}),
  });
  return {
    name: site.name,
    ring: site.ring,
    region: site.region,
    arch: site.arch,
    devices: site.devices,
    ...(accelerator ? { accelerator } : {}),
    kubeconfig: site.kubeconfig,
    ...(site.context !== undefined ? { context: site.context } : {}),
    image,
    modelRevision: revision,
    ...siteSupportObjects(fleet, labels, createRuntimeClass),
    ...(devicePlugin ? { devicePlugin } : {}),
    statefulSet,
    service,
  };
}

/**
 * Validates {@link EdgeFleetArgs} and plans every site ring by ring with the same
 * `planOnnxService` as the cloud, then turns each Deployment into the site's StatefulSet (see
 * `planEdgeStatefulSet`). Throws {@link HybridAiConfigError} naming the field for: a name longer
 * than {@link MAX_EDGE_NAME_LENGTH}, bad or repeated site names, rings not numbered from 0 without
 * gaps, an accelerator on arm64, a missing model revision, a `file:///` source without
 * `hostPathSources`, bad threads, cache, fallback or tracing settings (the fleet's at `tracing`, a
 * site's at `sites[i].tracing`), and anything `planOnnxService`
 * refuses (prefixed with the site).
 */
export function planEdgeFleet(componentName: string, args: EdgeFleetArgs): EdgeFleetPlan {
  const fleet = resolveFleet(componentName, args);
  return {
    name: fleet.name,
    namespace: fleet.namespace,
    modelName: fleet.modelName,
    rolloutTimeoutMinutes: fleet.rolloutTimeoutMinutes,
    rings: fleet.rings.map((ring) => ring.map((site) => planSite(fleet, site))),
  };
}
