import { z } from "zod";
import { estimateHourlyCost } from "../../components/accelerators";
import {
  DEFAULT_EKS_VERSION,
  EksCluster,
  GpuNodeGroup,
  ModelStore,
  NODE_OS,
  planEksCluster,
  planGpuNodeGroup,
  planModelStore,
  planSpotFleet,
  SpotFleet,
} from "../../components/aws";
import { HybridAiConfigError } from "../../components/errors";
import { NVIDIA_GPU_TYPES, NvidiaDevicePlugin } from "../../components/kubernetes";
import { planErrorIssue, problemIssue } from "../config-problems";
import type { ClusterCapacity, StackSection } from "../section";
import { acceleratorSchema, capacitySchema, labelsSchema, modelReaderSchema } from "../specs";

const name = z
  .string()
  .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, "lowercase letters, digits and '-'");

const fleet = z.strictObject({
  name,
  accelerator: acceleratorSchema,
  capacity: capacitySchema,
  instanceTypes: z.array(z.string()).optional(),
  rootVolumeGiB: z.number().int().optional(),
  labels: labelsSchema.optional(),
  drainTimeoutSeconds: z.number().int().optional(),
});

const nodeGroup = z.strictObject({
  name,
  accelerator: acceleratorSchema,
  capacity: capacitySchema,
  os: z.enum(NODE_OS).optional(),
  instanceTypes: z.array(z.string()).optional(),
  rootVolumeGiB: z.number().int().optional(),
  labels: labelsSchema.optional(),
});

const shape = z.strictObject({
  cluster: z
    .strictObject({
      name: name.default("hybridai"),
      version: z.string().optional(),
      subnetIds: z.array(z.string()).optional(),
      vpc: z
        .strictObject({
          cidr: z.string().optional(),
          zones: z.number().int().optional(),
          natGateways: z.enum(["single", "per-zone"]).optional(),
        })
        .optional(),
      endpoint: z
        .strictObject({
          publicAccess: z.boolean().optional(),
          publicAccessCidrs: z.array(z.string()).optional(),
          privateAccessCidrs: z.array(z.string()).optional(),
          privateAccessSecurityGroupIds: z.array(z.string()).optional(),
        })
        .optional(),
      admins: z.array(z.string().startsWith("arn:")).optional(),
      systemNodes: z
        .strictObject({
          instanceTypes: z.array(z.string()).optional(),
          min: z.number().int().optional(),
          max: z.number().int().optional(),
          desired: z.number().int().optional(),
        })
        .optional(),
      logTypes: z.array(z.string()).optional(),
      logRetentionDays: z.number().int().optional(),
      clusterAutoscaler: z.boolean().optional(),
      loadBalancerController: z.boolean().optional(),
      metricsServer: z.boolean().optional(),
      tags: labelsSchema.optional(),
    })
    .default({ name: "hybridai" }),
  fleets: z.array(fleet).default([]),
  nodeGroups: z.array(nodeGroup).default([]),
  modelStore: z
    .strictObject({
      prefix: z.string().optional(),
      noncurrentVersionDays: z.number().int().optional(),
      reader: modelReaderSchema.optional(),
      forceDestroy: z.boolean().optional(),
    })
    .optional(),
});

/** The `hybridai:aws` section after validation. */
export type AwsStackConfig = z.output<typeof shape>;

/**
 * Runs every component's plan function over the parsed config, so that anything a component
 * would reject (a count the catalog lacks, a spot split out of range, a public endpoint without
 * an allow-list) is reported together with the rest before any resource exists.
 */
const schema = shape.superRefine((config, ctx) => {
  const check = (path: (string | number)[], plan: () => unknown) => {
    try {
      plan();
    } catch (error) {
      if (!(error instanceof HybridAiConfigError)) throw error;
      ctx.addIssue(planErrorIssue(path, error));
    }
  };
  const { name: clusterName, ...clusterArgs } = config.cluster;
  check(["cluster"], () => planEksCluster({ name: clusterName, ...clusterArgs }));
  const kubernetesVersion = config.cluster.version ?? DEFAULT_EKS_VERSION;
  const names = [...config.fleets, ...config.nodeGroups].map((f) => f.name);
  for (const [i, duplicate] of names.entries()) {
    if (names.indexOf(duplicate) !== i) {
      const [list, at] =
        i < config.fleets.length ? ["fleets", i] : ["nodeGroups", i - config.fleets.length];
      ctx.addIssue(
        problemIssue([list, at, "name"], {
          value: duplicate,
          allowed: "a name not used by another fleet or node group",
        }),
      );
    }
  }
  for (const [i, spec] of config.fleets.entries()) {
    check(["fleets", i], () => planSpotFleet({ ...spec, clusterName, kubernetesVersion }));
  }
  for (const [i, spec] of config.nodeGroups.entries()) {
    check(["nodeGroups", i], () => planGpuNodeGroup(spec));
  }
  if (config.modelStore) {
    const { reader, ...store } = config.modelStore;
    check(["modelStore"], () =>
      planModelStore({
        ...store,
        readerNamespace: reader?.namespace,
        readerServiceAccountName: reader?.serviceAccountName,
      }),
    );
  }
});

/**
 * The `hybridai:aws` stack section: an EKS cluster for AI, GPU spot fleets (exact on-demand base,
 * spot above it, interruption handling), optional managed GPU node groups, the NVIDIA device
 * plugin for their GPU types, and a model store,
 * registered in `context.clusters` so the serving section can deploy onto the cluster.
 */
export const awsSection: StackSection<AwsStackConfig> = {
  key: "aws",
  summary: "an EKS cluster with GPU spot fleets and a model store",
  schema,
  plannedClusters(config) {
    const { reader } = config.modelStore ?? {};
    const store = planModelStore({
      readerNamespace: reader?.namespace,
      readerServiceAccountName: reader?.serviceAccountName,
    });
    const types = [...config.fleets, ...config.nodeGroups].map((p) => p.accelerator.type);
    return {
      [config.cluster.name]: {
        cloud: "aws",
        modelStore: { reader: store.reader },
        accelerators: types.filter((type, i) => types.indexOf(type) === i),
        mixedCapacityAccelerators: config.fleets.map((f) => f.accelerator.type),
        exposures: config.cluster.loadBalancerController ? ["aws-nlb"] : [],
      },
    };
  },
  deploy(config, context) {
    const { name: clusterName, ...clusterArgs } = config.cluster;
    const cluster = new EksCluster(clusterName, clusterArgs);
    const fleets = config.fleets.map((spec) => {
      const { name: fleetName, ...args } = spec;
      return new SpotFleet(fleetName, { ...args, cluster });
    });
    const groups = config.nodeGroups.map(
      ({ name: groupName, ...args }) => new GpuNodeGroup(groupName, { ...args, cluster }),
    );
    // AL2023 NVIDIA nodes carry drivers but no device plugin; Bottlerocket's NVIDIA variant has its own.
    const nvidiaTypes = [
      ...config.fleets.map((f) => f.accelerator.type),
      ...config.nodeGroups.filter((g) => g.os !== "bottlerocket").map((g) => g.accelerator.type),
    ].filter((type, i, all) => NVIDIA_GPU_TYPES.includes(type) && all.indexOf(type) === i);
    // A child of the cluster: its Helm release name needs no cluster name to be unique.
    const devicePlugin =
      nvidiaTypes.length > 0
        ? new NvidiaDevicePlugin(
            "nvidia-device-plugin",
            { provider: cluster.provider, accelerators: nvidiaTypes },
            { parent: cluster },
          )
        : undefined;
    const nodes: ClusterCapacity["nodes"] = {};
    const pools = [
      ...config.fleets.map((f, i) => [f.accelerator.type, fleets[i]] as const),
      ...config.nodeGroups.map((g, i) => [g.accelerator.type, groups[i]] as const),
    ];
    for (const [type, pool] of pools) nodes[type] = [...(nodes[type] ?? []), pool];
    const { reader, ...storeArgs } = config.modelStore ?? {};
    const store = new ModelStore(`${clusterName}-models`, { ...storeArgs, reader, cluster });
    context.clusters.set(clusterName, {
      cloud: "aws",
      provider: cluster.provider,
      region: cluster.account.region,
      network: {
        vpcCidrBlock: cluster.vpcCidrBlock,
        ...(cluster.loadBalancerController
          ? { loadBalancerController: cluster.loadBalancerController }
          : {}),
      },
      capacity: {
        nodes,
        ...(devicePlugin ? { devicePlugin } : {}),
        mixedCapacityAccelerators: config.fleets.map((f) => f.accelerator.type),
      },
      modelStore: {
        uriFor: (model: string) => store.uriFor(model),
        reader: {
          namespace: store.reader.namespace,
          serviceAccountName: store.reader.serviceAccountName,
          annotations: store.reader.annotations,
        },
      },
    });
    // A fleet without a spot spec is all spot; a node group without one is all on-demand.
    const priced = [
      ...config.fleets.map((f) => ({
        ...f,
        capacity: { ...f.capacity, spot: f.capacity.spot ?? {} },
      })),
      ...config.nodeGroups,
    ];
    return {
      clusterName: cluster.name,
      endpoint: cluster.endpoint,
      kubeconfig: cluster.kubeconfig,
      oidcProviderArn: cluster.oidcProviderArn,
      fleets: fleets.map((f) => ({
        autoScalingGroupName: f.autoScalingGroupName,
        instanceTypes: f.instanceTypes,
        split: f.split,
        queueUrl: f.queueUrl,
      })),
      modelBucket: store.bucketName,
      modelReaderRoleArn: store.readerRoleArn,
      estimatedAcceleratorMonthlyUsd: Math.round(
        priced.reduce(
          (sum, spec) =>
            sum +
            estimateHourlyCost(
              { cloud: "aws", accelerator: spec.accelerator, capacity: spec.capacity },
              "aws stack",
            ).monthlyUsd,
          0,
        ),
      ),
    };
  },
};
