import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { ACCELERATOR_TYPES } from "../../components/accelerators";
import { EdgeFleet, type EdgeFleetArgs, planEdgeFleet } from "../../components/edge";
import type { StackSection } from "../section";
import { labelsSchema, tracingSchema } from "../specs";

const resources = z.strictObject({
  cpu: z.string().optional(),
  memory: z.string().optional(),
  cpuLimit: z.string().optional(),
  memoryLimit: z.string().optional(),
  modelVolume: z.string().optional(),
});

const site = z.strictObject({
  /** Site name, unique in the fleet. */
  name: z.string().min(1),
  /** The site's kubeconfig: a file path, or its contents set with `pulumi config set --secret --path`. */
  kubeconfig: z.string().min(1),
  context: z.string().optional(),
  region: z.string().min(1),
  ring: z.number().int().min(0),
  arch: z.enum(["amd64", "arm64"]).optional(),
  devices: z.number().int().min(1).optional(),
  accelerator: z
    .strictObject({ type: z.enum(ACCELERATOR_TYPES), count: z.number().int().min(1).optional() })
    .optional(),
  image: z.string().optional(),
  resources: resources.optional(),
  threads: z.number().int().min(1).optional(),
  labels: labelsSchema.optional(),
  tracing: tracingSchema.optional(),
});

const triggers = z.enum(["timeout", "error", "overload"]);

/** `hybridai:edge`: one model served on a fleet of edge sites, rolled out ring by ring. */
export interface EdgeStackConfig {
  /** Kubernetes name of the serving objects and default model name. Default `edge`. */
  name?: string;
  namespace?: string;
  createNamespace?: boolean;
  hostPathSources?: boolean;
  image?: string;
  gpuImage?: string;
  model: { uri: string; revision: string; name?: string; mirrors?: string[] };
  resources?: z.infer<typeof resources>;
  threads?: number;
  cache?: { storageClass?: string; size?: string; keep?: number };
  cloudFallback?: {
    url: string;
    tokenSecret?: string;
    timeoutMs?: number;
    on?: z.infer<typeof triggers>[];
  };
  rolloutTimeoutMinutes?: number;
  runtimeArgs?: string[];
  labels?: Record<string, string>;
  tracing?: z.infer<typeof tracingSchema>;
  sites: z.infer<typeof site>[];
}

const schema: z.ZodType<EdgeStackConfig> = z.strictObject({
  name: z.string().optional(),
  namespace: z.string().optional(),
  createNamespace: z.boolean().optional(),
  hostPathSources: z.boolean().optional(),
  image: z.string().min(1).optional(),
  gpuImage: z.string().min(1).optional(),
  model: z.strictObject({
    uri: z.string().min(1),
    revision: z.string().min(1),
    name: z.string().optional(),
    mirrors: z.array(z.string().min(1)).optional(),
  }),
  resources: resources.optional(),
  threads: z.number().int().min(1).optional(),
  cache: z
    .strictObject({
      storageClass: z.string().min(1).optional(),
      size: z.string().min(1).optional(),
      keep: z.number().int().min(1).optional(),
    })
    .optional(),
  cloudFallback: z
    .strictObject({
      url: z.string().min(1),
      tokenSecret: z.string().min(1).optional(),
      timeoutMs: z.number().int().min(1).optional(),
      on: z.array(triggers).min(1).optional(),
    })
    .optional(),
  rolloutTimeoutMinutes: z.number().int().min(1).optional(),
  runtimeArgs: z.array(z.string()).optional(),
  labels: labelsSchema.optional(),
  tracing: tracingSchema.optional(),
  sites: z.array(site).min(1),
});

/** The fleet's arguments from the section, with kubeconfigs and the token kept secret. */
function fleetArgs(config: EdgeStackConfig): EdgeFleetArgs {
  const { sites, cloudFallback, ...rest } = config;
  return {
    ...rest,
    sites: sites.map((s) => ({ ...s, kubeconfig: pulumi.secret(s.kubeconfig) })),
    ...(cloudFallback
      ? {
          cloudFallback: {
            ...cloudFallback,
            ...(cloudFallback.tokenSecret !== undefined
              ? { tokenSecret: pulumi.secret(cloudFallback.tokenSecret) }
              : {}),
          },
        }
      : {}),
  };
}

/**
 * The `edge` section: an {@link EdgeFleet} over the configured sites. The fleet is planned (every
 * site, ring and value checked) before anything is created. Stack outputs:
 * `edge.sites["<site>"] = { ring, region, arch, modelRevision, image, url }` and `edge.namespace`.
 */
export const edgeSection: StackSection<EdgeStackConfig> = {
  key: "edge",
  summary: "the serving runtime on edge sites (k3s), rolled out ring by ring",
  schema,
  deploy(config) {
    const name = config.name ?? "edge";
    const args = fleetArgs(config);
    planEdgeFleet(name, args);
    const fleet = new EdgeFleet(name, args);
    return { sites: fleet.sites, namespace: fleet.namespace };
  },
};
