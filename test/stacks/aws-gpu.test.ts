import * as pulumi from "@pulumi/pulumi";
import { aws, HybridAiConfigError } from "pulumi-hybridai";
import {
  awaitOutput,
  installMocks,
  settle,
  validateKubernetesObjects,
} from "pulumi-hybridai/testing";
import { beforeAll, describe, expect, it } from "vitest";
import { runStack } from "../../stacks/program";
import { awsSection } from "../../stacks/sections/aws";
import { clusterProbe, loadStackConfig, withSectionsOnly } from "./stack-file";

const { wildcardGrants } = aws;

const mocks = installMocks({
  outputs: ({ type, inputs }) =>
    type === "aws:eks/cluster:Cluster"
      ? { vpcConfig: { ...inputs.vpcConfig, clusterSecurityGroupId: "sg-0cluster" } }
      : undefined,
});
const file = loadStackConfig("aws-gpu");
mocks.setConfig(file);

const { probe, seen } = clusterProbe();

/** The parts of the stack file's `hybridai:aws` object these tests change. */
interface AwsConfigFile {
  fleet?: unknown;
  cluster: { endpoint: { publicAccess?: boolean; publicAccessCidrs?: string[] }; version?: string };
  fleets: {
    name: string;
    accelerator: { type: string; count?: number };
    capacity: Record<string, unknown>;
  }[];
  modelStore: { reader: { namespace: string } };
}

function withAws(change: (aws: AwsConfigFile) => void): Record<string, string> {
  const aws = structuredClone(file["hybridai:aws"]) as AwsConfigFile;
  change(aws);
  return {
    ...withSectionsOnly(pulumi.runtime.allConfig(), ["aws"]),
    "hybridai:aws": JSON.stringify(aws),
  };
}

async function expectRejectedBeforeAnyResource(
  raw: Record<string, string>,
  message: string | RegExp,
) {
  await settle();
  const before = mocks.resources.length;
  let error: unknown;
  try {
    runStack(raw, [awsSection]);
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(HybridAiConfigError);
  if (typeof message === "string") expect((error as Error).message).toBe(message);
  else expect((error as Error).message).toMatch(message);
  await settle();
  expect(mocks.resources.length).toBe(before);
}

describe("stack aws-gpu: bad configs are rejected before any resource", () => {
  it("a GPU count the catalog lacks for the accelerator", async () => {
    await expectRejectedBeforeAnyResource(
      withAws((aws) => {
        aws.fleets[0].accelerator.count = 3;
      }),
      "stack config: hybridai:aws.fleets[0].accelerator.count = 3 is not valid. Allowed: for nvidia-l4 on aws: 1, 4, 8.",
    );
  });

  it("a spot percentage above 100", async () => {
    await expectRejectedBeforeAnyResource(
      withAws((aws) => {
        aws.fleets[0].capacity.spot = { onDemandPercentAboveBase: 150 };
      }),
      "stack config: hybridai:aws.fleets[0].capacity.spot.onDemandPercentAboveBase = 150 is not valid. Allowed: a whole number from 0 to 100.",
    );
  });

  it("a public endpoint without an allow-list, a TPU on AWS and a misspelt key, all reported together", async () => {
    await expectRejectedBeforeAnyResource(
      withAws((aws) => {
        aws.cluster.endpoint = { publicAccess: true };
        aws.fleets[0].accelerator.type = "tpu-v5e";
        aws.fleet = {};
      }),
      [
        "stack config: 3 problems:",
        "  hybridai:aws.fleet is not a known key. Known keys: cluster, fleets, nodeGroups, modelStore.",
        "  hybridai:aws.cluster.endpoint.publicAccessCidrs = [] is not valid. Allowed: a non-empty allow-list of CIDRs when endpoint.publicAccess is true.",
        '  hybridai:aws.fleets[0].accelerator.type = "tpu-v5e" is not valid. Allowed: tpu-v5e is offered on gcp only; on aws: nvidia-t4, nvidia-a10g, nvidia-l4, nvidia-l40s, nvidia-a100-40gb, nvidia-a100-80gb, nvidia-h100-80gb, aws-inferentia2.',
      ].join("\n"),
    );
  });

  it("an unsupported Kubernetes version and a bad reader namespace", async () => {
    await expectRejectedBeforeAnyResource(
      withAws((aws) => {
        aws.cluster.version = "1.25";
        aws.modelStore.reader.namespace = "Serving";
      }),
      [
        "stack config: 2 problems:",
        '  hybridai:aws.cluster.version = "1.25" is not valid. Allowed: 1.31, 1.32, 1.33, 1.34.',
        "  hybridai:aws.modelStore.reader.namespace = \"Serving\" is not valid. Allowed: a Kubernetes name: lowercase letters, digits and '-', starting and ending with a letter or digit, at most 63 characters.",
      ].join("\n"),
    );
  });

  it("a private endpoint with no path from the runner, saying why", async () => {
    await expectRejectedBeforeAnyResource(
      withAws((aws) => {
        aws.cluster.endpoint = { publicAccess: false };
      }),
      /^stack config: hybridai:aws\.cluster\.endpoint = .* is not valid\. Allowed: .*private endpoint is reachable only from inside the VPC.*privateAccessCidrs/,
    );
  });

  it("two pools with the same name", async () => {
    await expectRejectedBeforeAnyResource(
      withAws((aws) => {
        aws.fleets.push(structuredClone(aws.fleets[0]));
      }),
      'stack config: hybridai:aws.fleets[1].name = "l4" is not valid. Allowed: a name not used by another fleet or node group.',
    );
  });
});

describe("stack aws-gpu: the program from its own file", () => {
  let outputs: Record<string, Record<string, pulumi.Input<unknown>>>;
  beforeAll(async () => {
    mocks.reset();
    mocks.setConfig(file);
    outputs = runStack(
      { ...withSectionsOnly(pulumi.runtime.allConfig(), ["aws"]), "hybridai:probe": "{}" },
      [awsSection, probe],
    );
    await settle();
  });

  it("creates the EKS cluster in a new VPC from the file, its API open only to the runner's CIDRs", () => {
    const cluster = mocks.one("aws:eks/cluster:Cluster").inputs;
    expect(cluster).toMatchObject({
      name: "hybridai-gpu",
      version: "1.33",
      vpcConfig: {
        endpointPrivateAccess: true,
        endpointPublicAccess: true,
        publicAccessCidrs: ["203.0.113.0/24"],
      },
    });
    expect(mocks.one("aws:ec2/vpc:Vpc").inputs.cidrBlock).toBe("10.40.0.0/16");
    expect(cluster.enabledClusterLogTypes).toEqual(["audit", "authenticator"]);
    expect(mocks.one("aws:eks/nodeGroup:NodeGroup").inputs.scalingConfig).toEqual({
      minSize: 2,
      maxSize: 3,
      desiredSize: 2,
    });
  });

  it("creates the L4 spot fleet with one on-demand node always and spot above it", () => {
    const group = mocks.one("aws:autoscaling/group:Group").inputs;
    expect(group).toMatchObject({
      name: "hybridai-fleet-hybridai-gpu-l4",
      minSize: 1,
      maxSize: 8,
      mixedInstancesPolicy: {
        instancesDistribution: { onDemandBaseCapacity: 1, onDemandPercentageAboveBaseCapacity: 0 },
      },
    });
    expect(mocks.ofType("aws:cloudwatch/eventRule:EventRule")).toHaveLength(5);
    expect(
      mocks
        .ofType("kubernetes:helm.sh/v3:Release")
        .map((r) => r.inputs.name)
        .sort(),
    ).toEqual(["cluster-autoscaler", "nth-l4", "nvidia-device-plugin"]);
    const plugin = mocks.one("kubernetes:helm.sh/v3:Release", "nvidia-device-plugin");
    const terms =
      plugin.inputs.values.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution;
    expect(terms.nodeSelectorTerms[0].matchExpressions).toContainEqual({
      key: "hybridai.dev/accelerator",
      operator: "In",
      values: ["nvidia-l4"],
    });
    expect(plugin.provider).toContain("pulumi:providers:kubernetes::hybridai-gpu");
    // Helm releases are not Kubernetes objects the schema knows: all three are skipped.
    expect(validateKubernetesObjects(mocks.resources).map((o) => [o.kind, o.status])).toEqual([
      ["Release", "skipped"],
      ["Release", "skipped"],
      ["Release", "skipped"],
    ]);
  });

  it("creates only least-privilege IAM policies", () => {
    const documents = [
      ...mocks.ofType("aws:iam/rolePolicy:RolePolicy").map((p) => p.inputs.policy),
      ...mocks.ofType("aws:iam/role:Role").map((r) => r.inputs.assumeRolePolicy),
      ...mocks.ofType("aws:s3/bucketPolicy:BucketPolicy").map((p) => p.inputs.policy),
      ...mocks.ofType("aws:sqs/queuePolicy:QueuePolicy").map((p) => p.inputs.policy),
    ];
    expect(documents).toHaveLength(4 + 6 + 1 + 1);
    for (const document of documents) expect(wildcardGrants(JSON.parse(document))).toEqual([]);
  });

  it("registers the cluster with its provider and model store for the serving section", async () => {
    const cluster = seen.get("hybridai-gpu");
    expect(cluster?.cloud).toBe("aws");
    expect(cluster?.provider).toBeInstanceOf(pulumi.ProviderResource);
    const store = cluster?.modelStore;
    const bucket = mocks.one("aws:s3/bucket:Bucket").state.bucket;
    expect(await awaitOutput(store?.uriFor("ranker") ?? "")).toBe(`s3://${bucket}/models/ranker`);
    expect(store?.reader.namespace).toBe("hybridai");
    expect(store?.reader.serviceAccountName).toBe("model-reader");
    const readerRole = mocks.one("aws:iam/role:Role", "hybridai-gpu-models-reader").state.arn;
    expect(await awaitOutput(store?.reader.annotations ?? {})).toEqual({
      "eks.amazonaws.com/role-arn": readerRole,
    });
  });

  it("returns the cluster's outputs, the fleet's split and a monthly estimate", async () => {
    const aws = outputs.aws as Record<string, pulumi.Input<unknown>>;
    expect(await awaitOutput(aws.clusterName)).toBe("hybridai-gpu");
    expect(aws.fleets).toEqual([
      expect.objectContaining({
        autoScalingGroupName: "hybridai-fleet-hybridai-gpu-l4",
        split: { onDemand: { min: 1, max: 1, desired: 1 }, spot: { min: 0, max: 7, desired: 0 } },
      }),
    ]);
    // One on-demand g6.xlarge at the desired size: 0.8048 $/h × 730 h.
    expect(aws.estimatedAcceleratorMonthlyUsd).toBe(588);
  });
});
