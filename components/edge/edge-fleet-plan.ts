import type { NamespaceArgs, SecretArgs } from "@pulumi/kubernetes/core/v1";
import type { RuntimeClassArgs } from "@pulumi/kubernetes/node/v1";
import * as pulumi from "@pulumi/pulumi";
import type { AcceleratorType } from "../accelerators";
import { HybridAiConfigError } from "../errors";
import { MODEL_REPOSITORY_PATH } from "../kubernetes/deployment-plan";
import {
  type NvidiaDevicePluginArgs,
  planNvidiaDevicePlugin,
} from "../kubernetes/nvidia-device-plugin-plan";
import type { OnnxServiceArgs } from "../kubernetes/onnx-service-args";
import {
  DEFAULT_RUNTIME_IMAGE,
  type OnnxServicePlan,
  planOnnxService,
} from "../kubernetes/onnx-service-plan";
import { assertDns1035, assertNamespace, assertWholeNumber } from "../kubernetes/validate";
import { FALLBACK_TOKEN_KEY, planCloudFallback } from "./cloud-fallback";
import { planEdgeDeployment } from "./edge-deployment";
import type { EdgeArch, EdgeFleetArgs } from "./edge-fleet-args";
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

/** Default size of one replica on a small device. */
export const DEFAULT_EDGE_RESOURCES = { cpu: "500m", memory: "1Gi", modelVolume: "2Gi" } as const;

/** Default node directory of the model cache. */
export const DEFAULT_MODEL_CACHE_PATH = "/var/lib/hybridai/model-cache";

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
  /** The `nvidia` RuntimeClass, on GPU sites. */
  runtimeClass?: RuntimeClassArgs;
  /** NVIDIA's device plugin, on GPU sites. */
  devicePlugin?: NvidiaDevicePluginArgs;
  /** The serving objects (the Deployment is the edge one; the autoscaler is not used). */
  service: OnnxServicePlan;
}

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

function podSecurityLabels(): Record<string, string> {
  return {
    "pod-security.kubernetes.io/warn": "restricted",
    "pod-security.kubernetes.io/audit": "restricted",
  };
}

function assertCachePath(path: string): void {
  if (
    typeof path !== "string" ||
    !/^\/[^\s]*[^/\s]$/.test(path) ||
    path.split("/").includes("..")
  ) {
    throw new HybridAiConfigError(
      EDGE_FLEET,
      "cache.hostPath",
      path,
      "an absolute node directory below the root, without '..', e.g. /var/lib/hybridai/model-cache",
    );
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

/**
 * Validates {@link EdgeFleetArgs} and plans every site ring by ring with the same
 * `planOnnxService` as the cloud, then adapts each Deployment for the edge (see
 * `planEdgeDeployment`). Throws {@link HybridAiConfigError} naming the field for: bad or repeated
 * site names, rings not numbered from 0 without gaps, an accelerator on arm64, a missing model
 * revision, bad threads, cache or fallback settings, and anything `planOnnxService` refuses
 * (prefixed with the site).
 */
export function planEdgeFleet(componentName: string, args: EdgeFleetArgs): EdgeFleetPlan {
  const name = args.name ?? componentName;
  assertDns1035(EDGE_FLEET, "name", name);
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
  const modelName = args.model.name ?? name;
  const rings = resolveRings(EDGE_FLEET, args.sites);
  const threads = args.threads ?? 2;
  assertWholeNumber(EDGE_FLEET, "threads", threads, 1, 64);
  const cache = {
    hostPath: args.cache?.hostPath ?? DEFAULT_MODEL_CACHE_PATH,
    keep: args.cache?.keep ?? 2,
  };
  assertCachePath(cache.hostPath);
  assertWholeNumber(EDGE_FLEET, "cache.keep", cache.keep, 1, 100);
  const rolloutTimeoutMinutes = args.rolloutTimeoutMinutes ?? 15;
  assertWholeNumber(EDGE_FLEET, "rolloutTimeoutMinutes", rolloutTimeoutMinutes, 1, 120);
  const fallback = args.cloudFallback
    ? planCloudFallback(EDGE_FLEET, args.cloudFallback)
    : undefined;
  const fallbackSecretName =
    args.cloudFallback?.tokenSecret !== undefined ? `${name}-cloud-fallback` : undefined;

  const planSite = (site: ResolvedSite): EdgeSitePlan => {
    const siteThreads = site.site.threads ?? threads;
    assertWholeNumber(EDGE_FLEET, `sites[${site.index}].threads`, siteThreads, 1, 64);
    const labels = {
      ...args.labels,
      ...site.site.labels,
      [SITE_LABELS.site]: site.name,
      [SITE_LABELS.region]: site.region,
      [SITE_LABELS.ring]: String(site.ring),
    };
    const image =
      site.site.image ??
      (site.accelerator
        ? (args.gpuImage ?? `${DEFAULT_RUNTIME_IMAGE}-cuda`)
        : (args.image ?? DEFAULT_RUNTIME_IMAGE));
    const service = planSiteService(site, name, {
      name,
      namespace,
      model: { uri: args.model.uri, name: modelName, revision },
      image,
      ...(site.accelerator ? { accelerator: site.accelerator } : {}),
      replicas: { min: site.devices, max: site.devices },
      resources: { ...DEFAULT_EDGE_RESOURCES, ...args.resources, ...site.site.resources },
      spot: false,
      runtimeArgs: ["--intra-op-threads", String(siteThreads), ...(args.runtimeArgs ?? [])],
      ...(args.env ? { env: args.env } : {}),
      ...(args.networkPolicy ? { networkPolicy: args.networkPolicy } : {}),
      labels,
    });
    const accelerator = site.accelerator?.type;
    const devicePlugin = accelerator ? { accelerators: [accelerator] } : undefined;
    if (devicePlugin) planNvidiaDevicePlugin(`${name}-nvidia`, devicePlugin);
    service.deployment = planEdgeDeployment(service.deployment, {
      arch: site.arch,
      replicas: site.devices,
      cache,
      mirrors: args.model.mirrors ?? [],
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
      ...((args.createNamespace ?? true)
        ? {
            namespace: {
              metadata: {
                name: namespace,
                labels: { ...podSecurityLabels(), "app.kubernetes.io/managed-by": "pulumi" },
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
      ...(accelerator
        ? {
            runtimeClass: {
              metadata: {
                name: NVIDIA_RUNTIME_CLASS,
                labels: { "app.kubernetes.io/managed-by": "pulumi" },
              },
              handler: NVIDIA_RUNTIME_CLASS,
            },
            devicePlugin,
          }
        : {}),
      service,
    };
  };
  return {
    name,
    namespace,
    modelName,
    rolloutTimeoutMinutes,
    rings: rings.map((ring) => ring.map(planSite)),
  };
}
