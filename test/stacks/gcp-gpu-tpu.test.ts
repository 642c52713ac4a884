import * as pulumi from "@pulumi/pulumi";
import { HybridAiConfigError } from "pulumi-hybridai";
import { awaitOutput, installMocks, settle } from "pulumi-hybridai/testing";
import { beforeAll, describe, expect, it } from "vitest";
import { runStack } from "../../stacks/program";
import { gcpSection } from "../../stacks/sections/gcp";
import { clusterProbe, loadStackConfig, withSectionsOnly } from "./stack-file";

const mocks = installMocks();
const file = loadStackConfig("gcp-gpu-tpu");
mocks.setConfig(file);

const { probe, seen } = clusterProbe();

/** The parts of the stack file's `hybridai:gcp` object these tests change. */
interface GcpConfigFile {
  project?: string;
  gpus?: unknown;
  cluster: { masterAuthorizedNetworks: { cidrBlock: string }[] };
  gpu: { accelerator: { type: string }; capacity: { min?: number; max?: number; spot?: object } };
  tpu: { accelerator: { topology: string } };
}

/** The stack file's `hybridai:gcp` object with `change` applied, as raw config. */
function withGcp(change: (gcp: GcpConfigFile) => void): Record<string, string> {
  const gcp = structuredClone(file["hybridai:gcp"]) as GcpConfigFile;
  change(gcp);
  return {
    ...withSectionsOnly(pulumi.runtime.allConfig(), ["gcp"]),
    "hybridai:gcp": JSON.stringify(gcp),
  };
}

async function expectRejectedBeforeAnyResource(raw: Record<string, string>, message: string) {
  await settle();
  const before = mocks.resources.length;
  let error: unknown;
  try {
    runStack(raw, [gcpSection]);
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(HybridAiConfigError);
  expect((error as Error).message).toBe(message);
  await settle();
  expect(mocks.resources.length).toBe(before);
}

describe("stack gcp-gpu-tpu: bad configs are rejected before any resource", () => {
  it("a TPU topology the generation lacks, listing the valid ones", async () => {
    await expectRejectedBeforeAnyResource(
      withGcp((gcp) => {
        gcp.tpu.accelerator.topology = "3x3";
      }),
      'stack config: hybridai:gcp.tpu.accelerator.topology = "3x3" is not valid. Allowed: for tpu-v5e: 1x1, 2x2, 2x4, 4x4, 4x8, 8x8, 8x16, 16x16.',
    );
  });

  it("an all-Spot GPU pool of two or more nodes", async () => {
    await expectRejectedBeforeAnyResource(
      withGcp((gcp) => {
        gcp.gpu.capacity = { min: 2, max: 8, spot: {} };
      }),
      "stack config: hybridai:gcp.gpu.capacity.spot.onDemandBase = 0 is not valid. Allowed: at least 1 when capacity.min is 2: a Spot preemption (30 s notice) must never take every node or TPU slice; or lower capacity.min below 2 for an all-Spot pool.",
    );
  });

  it("a misspelt key, a GPU GCP lacks and a bad CIDR, all reported together", async () => {
    await expectRejectedBeforeAnyResource(
      withGcp((gcp) => {
        gcp.gpus = gcp.gpu;
        gcp.cluster.masterAuthorizedNetworks[0].cidrBlock = "203.0.113.0";
      }),
      [
        "stack config: 2 problems:",
        "  hybridai:gcp.gpus is not a known key. Known keys: project, region, cluster, gpu, tpu, modelStore.",
        '  hybridai:gcp.cluster.masterAuthorizedNetworks[0].cidrBlock = "203.0.113.0" is not valid. Allowed: an IPv4 CIDR block such as 203.0.113.0/24.',
      ].join("\n"),
    );
    await expectRejectedBeforeAnyResource(
      withGcp((gcp) => {
        gcp.gpu.accelerator.type = "nvidia-a10g";
      }),
      'stack config: hybridai:gcp.gpu.accelerator.type = "nvidia-a10g" is not valid. Allowed: nvidia-a10g is offered on aws only; on gcp: nvidia-t4, nvidia-l4, nvidia-a100-40gb, nvidia-a100-80gb, nvidia-h100-80gb, tpu-v5e, tpu-v5p, tpu-v6e.',
    );
  });

  it("a missing region, naming the config key to set", async () => {
    const saved = withSectionsOnly(pulumi.runtime.allConfig(), ["gcp"]);
    const { "gcp:region": _region, ...withoutRegion } = saved;
    pulumi.runtime.setAllConfig(withoutRegion);
    try {
      await expectRejectedBeforeAnyResource(
        withSectionsOnly(pulumi.runtime.allConfig(), ["gcp"]),
        "stack config: hybridai:gcp.region is missing. Expected: the GCP region: set gcp:region in the stack config (or hybridai:gcp.region).",
      );
    } finally {
      pulumi.runtime.setAllConfig(saved);
    }
  });

  it("a project id GCP would refuse", async () => {
    await expectRejectedBeforeAnyResource(
      withGcp((gcp) => {
        gcp.project = "My Project";
      }),
      'stack config: hybridai:gcp.project = "My Project" is not valid. Allowed: a GCP project id: 6–30 lowercase letters, digits or hyphens, starting with a letter.',
    );
  });
});

describe("stack gcp-gpu-tpu: the program from its own file", () => {
  let outputs: Record<string, Record<string, pulumi.Input<unknown>>>;
  beforeAll(async () => {
    outputs = runStack(
      { ...withSectionsOnly(pulumi.runtime.allConfig(), ["gcp"]), "hybridai:probe": "{}" },
      [gcpSection, probe],
    );
    await settle();
  });

  it("creates the cluster in the configured project and region with its system pool", () => {
    const cluster = mocks.one("gcp:container/cluster:Cluster", "ai-gke");
    expect(cluster.inputs).toMatchObject({
      project: "hybridai-demo",
      location: "us-central1",
      releaseChannel: { channel: "REGULAR" },
      masterAuthorizedNetworksConfig: {
        cidrBlocks: [{ cidrBlock: "203.0.113.0/24", displayName: "ci-runners" }],
      },
      workloadIdentityConfig: { workloadPool: "hybridai-demo.svc.id.goog" },
    });
    expect(
      mocks.one("gcp:container/nodePool:NodePool", "ai-gke-system").inputs.autoscaling,
    ).toEqual({
      totalMinNodeCount: 1,
      totalMaxNodeCount: 3,
      locationPolicy: "BALANCED",
    });
  });

  it("creates an L4 on-demand floor of one node and a Spot pool for up to seven more, starting one GPU", () => {
    const onDemand = mocks.one("gcp:container/nodePool:NodePool", "ai-gke-gpu-on-demand").inputs;
    const spot = mocks.one("gcp:container/nodePool:NodePool", "ai-gke-gpu-spot").inputs;
    expect([onDemand.autoscaling, spot.autoscaling]).toEqual([
      { totalMinNodeCount: 1, totalMaxNodeCount: 1, locationPolicy: "BALANCED" },
      { totalMinNodeCount: 0, totalMaxNodeCount: 7, locationPolicy: "ANY" },
    ]);
    for (const pool of [onDemand, spot]) {
      expect(pool.nodeConfig).toMatchObject({
        machineType: "g2-standard-4",
        guestAccelerators: [{ type: "nvidia-l4", count: 1 }],
      });
    }
    // GKE starts initialNodeCount nodes in each zone: one on-demand node, no Spot node.
    expect([onDemand.nodeLocations, onDemand.initialNodeCount]).toEqual([["us-central1-a"], 1]);
    expect([spot.nodeLocations, spot.initialNodeCount]).toEqual([
      ["us-central1-a", "us-central1-b", "us-central1-c"],
      0,
    ]);
  });

  it("creates a Spot TPU v5e 2x4 single-host pool in its zone, up to two slices", () => {
    const tpuPools = mocks
      .ofType("gcp:container/nodePool:NodePool")
      .filter((p) => p.name.startsWith("ai-gke-tpu"));
    expect(tpuPools.map((p) => p.name)).toEqual(["ai-gke-tpu-spot"]);
    expect(tpuPools[0]?.inputs).toMatchObject({
      nodeLocations: ["us-central1-a"],
      autoscaling: { totalMinNodeCount: 0, totalMaxNodeCount: 2 },
      nodeConfig: { machineType: "ct5lp-hightpu-8t", spot: true },
    });
  });

  it("gives the private nodes a Cloud NAT on the default network, which every node pool waits for", () => {
    const nat = mocks.one("gcp:compute/routerNat:RouterNat");
    expect(nat.inputs).toMatchObject({
      router: "ai-gke-nat-router",
      region: "us-central1",
      sourceSubnetworkIpRangesToNat: "ALL_SUBNETWORKS_ALL_IP_RANGES",
    });
    expect(mocks.one("gcp:compute/router:Router").inputs.network).toBe("default");
    const pools = mocks.ofType("gcp:container/nodePool:NodePool");
    expect(pools).toHaveLength(4);
    for (const pool of pools) expect(pool.dependencies).toContain(nat.urn);
  });

  it("runs every node pool as the dedicated node identity, never the default compute account", () => {
    const pools = mocks.ofType("gcp:container/nodePool:NodePool");
    expect(pools).toHaveLength(4);
    for (const pool of pools) {
      expect(pool.inputs.nodeConfig.serviceAccount).toBe(
        "ai-gke-565ec9-nodes@hybridai-demo.iam.gserviceaccount.com",
      );
    }
  });

  it("creates the model store with bucket-level read for the serving service account only", () => {
    expect(mocks.one("gcp:storage/bucket:Bucket", "ai-gke-models").inputs).toMatchObject({
      publicAccessPrevention: "enforced",
      uniformBucketLevelAccess: true,
    });
    const grants = mocks.ofType("gcp:storage/bucketIAMMember:BucketIAMMember");
    expect(grants.map((g) => [g.inputs.bucket, g.inputs.role])).toEqual([
      ["ai-gke-models", "roles/storage.objectViewer"],
    ]);
    const projectRoles = mocks.ofType("gcp:projects/iAMMember:IAMMember").map((g) => g.inputs.role);
    expect(projectRoles.sort()).toEqual([
      "roles/logging.logWriter",
      "roles/monitoring.metricWriter",
      "roles/monitoring.viewer",
      "roles/stackdriver.resourceMetadata.writer",
    ]);
  });

  it("registers the cluster with its provider and model store for the serving section", async () => {
    const cluster = seen.get("ai-gke");
    expect(cluster?.cloud).toBe("gcp");
    expect(cluster?.provider).toBeInstanceOf(pulumi.ProviderResource);
    expect(await awaitOutput(cluster?.provider.urn as pulumi.Output<string>)).toMatch(
      /pulumi:providers:kubernetes::ai-gke-k8s$/,
    );
    const store = cluster?.modelStore;
    expect(await awaitOutput(store?.uriFor("ranker") ?? "")).toBe(
      "gs://ai-gke-models/models/ranker",
    );
    expect(store?.reader.namespace).toBe("hybridai");
    expect(store?.reader.serviceAccountName).toBe("model-reader");
    expect(await awaitOutput(store?.reader.annotations ?? {})).toEqual({
      "iam.gke.io/gcp-service-account":
        "ai-gke-models-c8cc1e-reader@hybridai-demo.iam.gserviceaccount.com",
    });
  });

  it("returns the cluster's outputs and a monthly estimate of the on-demand floor", async () => {
    const gcp = outputs.gcp as Record<string, pulumi.Input<unknown>>;
    expect(await awaitOutput(gcp.clusterName)).toBe("ai-gke");
    expect(await awaitOutput(gcp.gpuNodePools)).toEqual([
      "ai-gke-gpu-on-demand",
      "ai-gke-gpu-spot",
    ]);
    expect(await awaitOutput(gcp.modelBucket)).toBe("ai-gke-models");
    const { gpu } = gcp.estimatedMonthlyUsd as { gpu: number };
    // One on-demand g2-standard-4 at the desired size: 0.7068 $/h × 730 h.
    expect(gpu).toBeCloseTo(0.7068 * 730, 0);
  });
});
