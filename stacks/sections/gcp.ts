import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { estimateHourlyCost } from "../../components/accelerators";
import { HybridAiConfigError } from "../../components/errors";
import {
  GkeCluster,
  GPU_DRIVER_VERSIONS,
  GPU_SHARING_STRATEGIES,
  GpuNodePool,
  ModelStore,
  planGkeCluster,
  planGpuNodePool,
  planModelStore,
  planTpuNodePool,
  RELEASE_CHANNELS,
  TpuNodePool,
} from "../../components/gcp";
import { planErrorIssue, problemIssue } from "../config-problems";
import type { ClusterCapacity, StackSection } from "../section";
import { acceleratorSchema, capacitySchema, labelsSchema, modelReaderSchema } from "../specs";

const shape = z.strictObject({
  /** GCP project id. Default: `gcp:project`. */
  project: z.string().optional(),
  /** Region. Default: `gcp:region`. */
  region: z.string().optional(),
  cluster: z
    .strictObject({
      name: z.string().default("gke"),
      network: z.string().optional(),
      subnetwork: z.string().optional(),
      podsRangeName: z.string().optional(),
      servicesRangeName: z.string().optional(),
      releaseChannel: z.enum(RELEASE_CHANNELS).optional(),
      kubernetesVersion: z.string().optional(),
      privateEndpoint: z.boolean().optional(),
      masterIpv4CidrBlock: z.string().optional(),
      masterAuthorizedNetworks: z
        .array(z.strictObject({ cidrBlock: z.string(), displayName: z.string().optional() }))
        .optional(),
      databaseEncryptionKey: z.string().optional(),
      cloudNat: z.boolean().optional(),
      deletionProtection: z.boolean().optional(),
      nodeLocations: z.array(z.string()).optional(),
      systemNodePool: z
        .strictObject({
          machineType: z.string().optional(),
          minNodes: z.number().int().optional(),
          maxNodes: z.number().int().optional(),
          diskSizeGb: z.number().int().optional(),
        })
        .optional(),
      resourceLabels: labelsSchema.optional(),
      gatewayApi: z.boolean().optional(),
    })
    .default({ name: "gke" }),
  gpu: z
    .strictObject({
      accelerator: acceleratorSchema,
      capacity: capacitySchema,
      machineType: z.string().optional(),
      driverVersion: z.enum(GPU_DRIVER_VERSIONS).optional(),
      sharing: z
        .strictObject({
          strategy: z.enum(GPU_SHARING_STRATEGIES),
          maxSharedClientsPerGpu: z.number().int(),
        })
        .optional(),
      migPartitionSize: z.string().optional(),
      nodeLocations: z.array(z.string()).optional(),
      diskSizeGb: z.number().int().optional(),
      labels: labelsSchema.optional(),
    })
    .optional(),
  tpu: z
    .strictObject({
      accelerator: acceleratorSchema,
      capacity: capacitySchema,
      zone: z.string(),
      queuedProvisioning: z.boolean().optional(),
      reservationName: z.string().optional(),
      diskSizeGb: z.number().int().optional(),
      labels: labelsSchema.optional(),
    })
    .optional(),
  modelStore: z
    .strictObject({
      location: z.string().optional(),
      prefix: z.string().optional(),
      reader: modelReaderSchema.optional(),
      kmsKeyName: z.string().optional(),
      noncurrentVersionRetentionDays: z.number().int().optional(),
      softDeleteRetentionDays: z.number().int().optional(),
      forceDestroy: z.boolean().optional(),
      labels: labelsSchema.optional(),
    })
    .optional(),
});

/** The `hybridai:gcp` section after validation, with project and region filled in. */
export type GcpStackConfig = z.output<typeof shape> & { project: string; region: string };

/**
 * Fills project and region from `gcp:project` / `gcp:region`, then runs every component's plan
 * function, so that a topology, count, CIDR or key a component would reject is reported with the
 * rest of the config before any resource exists.
 */
const schema = shape.transform((raw, ctx): GcpStackConfig => {
  const gcpConfig = new pulumi.Config("gcp");
  const setting = (key: "project" | "region") => {
    const value = raw[key] ?? gcpConfig.get(key);
    if (value === undefined) {
      ctx.addIssue(
        problemIssue([key], {
          value,
          kind: "missing",
          allowed: `the GCP ${key}: set gcp:${key} in the stack config (or hybridai:gcp.${key})`,
        }),
      );
    }
    return value ?? "";
  };
  const config = { ...raw, project: setting("project"), region: setting("region") };
  if (config.project === "" || config.region === "") return config;
  const check = (path: string, plan: () => unknown) => {
    try {
      plan();
    } catch (error) {
      if (!(error instanceof HybridAiConfigError)) throw error;
      // Project and region sit at the section's root, whichever plan rejects them.
      const root = error.field === "project" || error.field === "region";
      ctx.addIssue(planErrorIssue(root ? [] : [path], error));
    }
  };
  const { name, ...clusterArgs } = config.cluster;
  check("cluster", () =>
    planGkeCluster({
      ...clusterArgs,
      clusterName: name,
      project: config.project,
      region: config.region,
    }),
  );
  const where = { project: config.project, region: config.region };
  if (config.gpu)
    check("gpu", () => planGpuNodePool(config.gpu as NonNullable<typeof config.gpu>, where));
  if (config.tpu)
    check("tpu", () => planTpuNodePool(config.tpu as NonNullable<typeof config.tpu>, where));
  if (config.modelStore) check("modelStore", () => planModelStore(config.modelStore ?? {}, where));
  return config;
});

function monthlyUsd(
  spec:
    | { accelerator: z.output<typeof acceleratorSchema>; capacity: z.output<typeof capacitySchema> }
    | undefined,
): number {
  return spec ? estimateHourlyCost({ cloud: "gcp", ...spec }, "gcp stack").monthlyUsd : 0;
}

/**
 * The `hybridai:gcp` stack section: a regional GKE cluster for AI, a GPU pool (Spot above an
 * on-demand floor), a TPU slice pool and a model store, registered in `context.clusters` so the
 * serving section can deploy onto the cluster and read models from the store.
 */
export const gcpSection: StackSection<GcpStackConfig> = {
  key: "gcp",
  summary: "a GKE cluster with GPU and TPU node pools and a model store",
  schema,
  plannedClusters(config) {
    const store = config.modelStore ? planModelStore(config.modelStore, config) : undefined;
    return {
      [config.cluster.name]: {
        cloud: "gcp",
        ...(store ? { modelStore: { reader: store.reader } } : {}),
        accelerators: [config.gpu?.accelerator.type, config.tpu?.accelerator.type].filter(
          (type): type is NonNullable<typeof type> => type !== undefined,
        ),
        mixedCapacityAccelerators: [],
        exposures: config.cluster.gatewayApi ? ["gcp-gateway"] : [],
      },
    };
  },
  deploy(config, context) {
    const { name, ...clusterArgs } = config.cluster;
    const cluster = new GkeCluster(name, {
      ...clusterArgs,
      project: config.project,
      region: config.region,
    });
    const gpu = config.gpu ? new GpuNodePool(`${name}-gpu`, { ...config.gpu, cluster }) : undefined;
    const tpu = config.tpu ? new TpuNodePool(`${name}-tpu`, { ...config.tpu, cluster }) : undefined;
    const store = config.modelStore
      ? new ModelStore(`${name}-models`, { ...config.modelStore, cluster })
      : undefined;
    const nodes: ClusterCapacity["nodes"] = {};
    if (gpu && config.gpu) nodes[config.gpu.accelerator.type] = [gpu];
    if (tpu && config.tpu) nodes[config.tpu.accelerator.type] = [tpu];
    context.clusters.set(name, {
      cloud: "gcp",
      provider: cluster.provider,
      region: config.region,
      // GKE installs the NVIDIA device plugin itself on GPU pools; node pools have fixed capacity types.
      capacity: { nodes, mixedCapacityAccelerators: [] },
      ...(store
        ? { modelStore: { uriFor: (model: string) => store.uriFor(model), reader: store.reader } }
        : {}),
    });
    return {
      clusterName: cluster.name,
      endpoint: cluster.endpoint,
      kubeconfig: cluster.kubeconfig,
      gpuNodePools: gpu?.nodePoolNames ?? [],
      tpuNodePools: tpu?.nodePoolNames ?? [],
      modelBucket: store?.bucketName ?? "",
      modelReaderEmail: store?.readerEmail ?? "",
      estimatedMonthlyUsd: { gpu: monthlyUsd(config.gpu), tpu: monthlyUsd(config.tpu) },
    };
  },
};
