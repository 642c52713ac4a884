import { Provider as AwsProvider } from "@pulumi/aws";
import { getVpcOutput } from "@pulumi/aws/ec2/getVpc";
import { getClusterOutput } from "@pulumi/aws/eks/getCluster";
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { ACCELERATOR_TYPES } from "../../components/accelerators";
import * as aws from "../../components/aws";
import { HybridAiConfigError } from "../../components/errors";
import * as gcp from "../../components/gcp";
import { NVIDIA_GPU_TYPES, NvidiaDevicePlugin } from "../../components/kubernetes";
import { planErrorIssue, problemIssue } from "../config-problems";
import type { DeployedCluster, PlannedCluster, StackSection } from "../section";
import { modelReaderSchema } from "../specs";

const key = z
  .string()
  .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, "lowercase letters, digits and '-'");

const eks = z.strictObject({
  /** How the other sections name this cluster (e.g. `endpoints[].cluster`). */
  name: key,
  cloud: z.literal("aws"),
  /** The EKS cluster's own name. Default: `name`. */
  clusterName: z.string().optional(),
  /** Its region when not `aws:region`. */
  region: z.string().optional(),
  /** A role to assume in the cluster's account when it is not the stack's. */
  assumeRoleArn: z.string().startsWith("arn:").optional(),
  /** An on-demand managed node group of yours where hybridai's add-ons run. */
  systemNodeGroupName: z.string().optional(),
  /** The accelerator types its nodes already have. */
  accelerators: z.array(z.enum(ACCELERATOR_TYPES)).default([]),
  /** Install NVIDIA's device plugin for them (when the cluster runs neither it nor the GPU Operator). */
  devicePlugin: z.boolean().default(false),
  /** The cluster runs the AWS Load Balancer Controller (an internet-facing NLB needs it). */
  loadBalancerController: z.boolean().default(false),
  /** The model store hybridai creates for the cluster. */
  modelStore: z
    .strictObject({
      prefix: z.string().optional(),
      noncurrentVersionDays: z.number().int().optional(),
      reader: modelReaderSchema.optional(),
    })
    .default({}),
});

const gke = z.strictObject({
  name: key,
  cloud: z.literal("gcp"),
  /** The GKE cluster's own name. Default: `name`. */
  clusterName: z.string().optional(),
  /** Its project when not `gcp:project`. */
  project: z.string().optional(),
  /** Its region (a regional cluster) when not `gcp:region`. */
  region: z.string().optional(),
  accelerators: z.array(z.enum(ACCELERATOR_TYPES)).default([]),
  /** The cluster has the Gateway API enabled (a GKE Gateway needs it). */
  gatewayApi: z.boolean().default(false),
  modelStore: z
    .strictObject({
      prefix: z.string().optional(),
      reader: modelReaderSchema.optional(),
      noncurrentVersionRetentionDays: z.number().int().optional(),
    })
    .default({}),
});

type ExistingEks = z.output<typeof eks>;
type ExistingGke = z.output<typeof gke> & { project: string; region: string };

/** The `hybridai:existing` section after validation (GKE project and region filled in). */
export interface ExistingStackConfig {
  /** The clusters, each looked up by name. */
  clusters: (ExistingEks | ExistingGke)[];
}

const shape = z.strictObject({
  clusters: z.array(z.discriminatedUnion("cloud", [eks, gke])).min(1),
});

/**
 * Fills GKE project and region from `gcp:project` / `gcp:region` and runs the components' plan
 * functions over each cluster, so that what a lookup or a store would reject is reported with
 * the rest of the config before anything is looked up.
 */
const schema: z.ZodType<ExistingStackConfig> = shape.transform((raw, ctx) => {
  const gcpConfig = new pulumi.Config("gcp");
  const names = raw.clusters.map((c) => c.name);
  const clusters = raw.clusters.map((cluster, i): ExistingEks | ExistingGke => {
    if (names.indexOf(cluster.name) !== i) {
      ctx.addIssue(
        problemIssue(["clusters", i, "name"], {
          value: cluster.name,
          allowed: "a name no other existing cluster uses",
        }),
      );
    }
    const check = (plan: () => unknown) => {
      try {
        plan();
      } catch (error) {
        if (!(error instanceof HybridAiConfigError)) throw error;
        ctx.addIssue(planErrorIssue(["clusters", i], error));
      }
    };
    if (cluster.cloud === "aws") {
      const { reader, ...store } = cluster.modelStore;
      check(() =>
        aws.planModelStore({
          ...store,
          readerNamespace: reader?.namespace,
          readerServiceAccountName: reader?.serviceAccountName,
        }),
      );
      return cluster;
    }
    const where = {
      project: cluster.project ?? gcpConfig.get("project") ?? "",
      region: cluster.region ?? gcpConfig.get("region") ?? "",
    };
    for (const setting of ["project", "region"] as const) {
      if (where[setting] === "") {
        ctx.addIssue(
          problemIssue(["clusters", i, setting], {
            value: undefined,
            kind: "missing",
            allowed: `the GKE cluster's ${setting}: set it here or gcp:${setting}`,
          }),
        );
      }
    }
    if (where.project === "" || where.region === "") return { ...cluster, ...where };
    check(() =>
      gcp.planExistingGkeCluster({
        clusterName: cluster.clusterName ?? cluster.name,
        ...where,
        uniqueIn: `${pulumi.getProject()}/${pulumi.getStack()}`,
      }),
    );
    check(() => gcp.planModelStore(cluster.modelStore, where));
    return { ...cluster, ...where };
  });
  return { clusters };
});

/** The reader of the store a cluster's section creates, as the plan names it. */
function plannedReader(cluster: ExistingEks | ExistingGke) {
  const { reader } = cluster.modelStore;
  return cluster.cloud === "aws"
    ? aws.planModelStore({
        readerNamespace: reader?.namespace,
        readerServiceAccountName: reader?.serviceAccountName,
      }).reader
    : gcp.planModelStore(cluster.modelStore, cluster).reader;
}

function deployEks(cluster: ExistingEks): DeployedCluster {
  const opts =
    cluster.region || cluster.assumeRoleArn
      ? {
          providers: {
            aws: new AwsProvider(`${cluster.name}-aws`, {
              ...(cluster.region ? { region: cluster.region } : {}),
              ...(cluster.assumeRoleArn
                ? { assumeRoles: [{ roleArn: cluster.assumeRoleArn }] }
                : {}),
            }),
          },
        }
      : {};
  const clusterName = cluster.clusterName ?? cluster.name;
  const ref = aws.EksCluster.get(
    cluster.name,
    {
      clusterName,
      ...(cluster.systemNodeGroupName ? { systemNodeGroupName: cluster.systemNodeGroupName } : {}),
    },
    opts,
  );
  const invoke = opts.providers ? { provider: opts.providers.aws } : {};
  const vpcId = getClusterOutput({ name: clusterName }, invoke).vpcConfig.vpcId;
  const { reader, ...storeArgs } = cluster.modelStore;
  const store = new aws.ModelStore(
    `${cluster.name}-models`,
    { ...storeArgs, reader, cluster: ref },
    opts,
  );
  const nvidia = cluster.accelerators.filter((type) => NVIDIA_GPU_TYPES.includes(type));
  const devicePlugin =
    cluster.devicePlugin && nvidia.length > 0
      ? new NvidiaDevicePlugin(
          `${cluster.name}-nvidia-device-plugin`,
          { provider: ref.provider, accelerators: nvidia },
          { parent: ref },
        )
      : undefined;
  return {
    cloud: "aws",
    provider: ref.provider,
    region: ref.account.region,
    network: {
      vpcCidrBlock: getVpcOutput({ id: vpcId }, invoke).cidrBlock,
      runsLoadBalancerController: cluster.loadBalancerController,
    },
    // The cluster's nodes exist already: nothing to wait for but the device plugin.
    capacity: {
      nodes: Object.fromEntries(cluster.accelerators.map((type) => [type, []])),
      ...(devicePlugin ? { devicePlugin } : {}),
      mixedCapacityAccelerators: [],
    },
    modelStore: {
      uriFor: (model: string) => store.uriFor(model),
      reader: {
        namespace: store.reader.namespace,
        serviceAccountName: store.reader.serviceAccountName,
        annotations: store.reader.annotations,
      },
    },
  };
}

function deployGke(cluster: ExistingGke): DeployedCluster {
  const ref = gcp.GkeCluster.get(cluster.name, {
    clusterName: cluster.clusterName ?? cluster.name,
    project: cluster.project,
    region: cluster.region,
  });
  const store = new gcp.ModelStore(`${cluster.name}-models`, {
    ...cluster.modelStore,
    cluster: ref,
  });
  return {
    cloud: "gcp",
    provider: ref.provider,
    region: cluster.region,
    // The cluster's nodes exist already; GKE runs the NVIDIA device plugin on GPU pools itself.
    capacity: {
      nodes: Object.fromEntries(cluster.accelerators.map((type) => [type, []])),
      mixedCapacityAccelerators: [],
    },
    modelStore: { uriFor: (model: string) => store.uriFor(model), reader: store.reader },
  };
}

/**
 * The `hybridai:existing` stack section: EKS and GKE clusters you already run, looked up by name
 * (`aws.EksCluster.get`, `gcp.GkeCluster.get`; nothing of them is changed), each given a model
 * store (and, on EKS when asked, NVIDIA's device plugin), and registered in `context.clusters`
 * under `name` so the serving and failover sections deploy onto them as onto created clusters.
 */
export const existingSection: StackSection<ExistingStackConfig> = {
  key: "existing",
  summary: "existing EKS and GKE clusters, looked up by name, each with a model store",
  schema,
  plannedClusters(config) {
    return Object.fromEntries(
      config.clusters.map((cluster): [string, PlannedCluster] => [
        cluster.name,
        {
          cloud: cluster.cloud,
          modelStore: { reader: plannedReader(cluster) },
          accelerators: cluster.accelerators,
          mixedCapacityAccelerators: [],
          exposures:
            cluster.cloud === "aws"
              ? cluster.loadBalancerController
                ? ["aws-nlb"]
                : []
              : cluster.gatewayApi
                ? ["gcp-gateway"]
                : [],
        },
      ]),
    );
  },
  deploy(config, context) {
    const outputs: Record<string, pulumi.Input<unknown>> = {};
    for (const cluster of config.clusters) {
      const deployed = cluster.cloud === "aws" ? deployEks(cluster) : deployGke(cluster);
      context.clusters.set(cluster.name, deployed);
      outputs[cluster.name] = {
        cloud: cluster.cloud,
        clusterName: cluster.clusterName ?? cluster.name,
      };
    }
    return outputs;
  },
};
