import { HybridAiConfigError } from "pulumi-hybridai";
import { awaitOutput, installMocks, settle } from "pulumi-hybridai/testing";
import { describe, expect, it } from "vitest";
import { GkeCluster, GpuNodePool } from "../../../components/gcp";

/** The runner range allowed to reach the control plane (`pulumi up` needs a path to it). */
const AUTHORIZED = [{ cidrBlock: "203.0.113.0/24" }];

const mocks = installMocks();
const gke = new GkeCluster("ml", {
  project: "acme-ml",
  region: "us-central1",
  masterAuthorizedNetworks: AUTHORIZED,
});
const NODE_EMAIL = "ml-1a7cfe-nodes@acme-ml.iam.gserviceaccount.com";

describe("GpuNodePool under mocks", () => {
  it("creates an on-demand floor pool and a Spot pool on the cluster, run by its node identity", async () => {
    const pool = new GpuNodePool("l4", {
      cluster: gke,
      accelerator: { type: "nvidia-l4", count: 1 },
      capacity: { min: 2, max: 8, spot: { onDemandBase: 1 } },
      nodeLocations: ["us-central1-a", "us-central1-b"],
    });
    await settle();
    const component = mocks.one("hybridai:index:GcpGpuNodePool", "l4");
    const pools = mocks.childrenOf(component.urn);
    expect(pools.map((p) => [p.type, p.name])).toEqual([
      ["gcp:container/nodePool:NodePool", "l4-on-demand"],
      ["gcp:container/nodePool:NodePool", "l4-spot"],
    ]);
    const [onDemand, spot] = pools.map((p) => p.inputs);
    // The floor of one node runs in the first zone (GKE starts initialNodeCount in every zone).
    expect(onDemand).toMatchObject({ nodeLocations: ["us-central1-a"], initialNodeCount: 1 });
    expect(spot).toMatchObject({
      nodeLocations: ["us-central1-a", "us-central1-b"],
      initialNodeCount: 1,
    });
    for (const inputs of [onDemand, spot]) {
      expect(inputs).toMatchObject({
        cluster: "ml",
        project: "acme-ml",
        location: "us-central1",
      });
      expect(inputs?.nodeConfig).toMatchObject({
        serviceAccount: NODE_EMAIL,
        machineType: "g2-standard-4",
        guestAccelerators: [{ type: "nvidia-l4", count: 1 }],
        taints: [{ key: "nvidia.com/gpu", value: "present", effect: "NO_SCHEDULE" }],
      });
    }
    expect(onDemand?.nodeConfig.spot).toBe(false);
    expect(onDemand?.autoscaling).toEqual({
      totalMinNodeCount: 1,
      totalMaxNodeCount: 1,
      locationPolicy: "BALANCED",
    });
    expect(spot?.nodeConfig.spot).toBe(true);
    expect(spot?.nodeConfig.labels["hybridai.dev/capacity-type"]).toBe("spot");
    expect(spot?.autoscaling).toEqual({
      totalMinNodeCount: 1,
      totalMaxNodeCount: 7,
      locationPolicy: "ANY",
    });
    expect(pools.every((p) => p.options.ignoreChanges.includes("initialNodeCount"))).toBe(true);
    expect(await awaitOutput(pool.nodePoolNames)).toEqual(["l4-on-demand", "l4-spot"]);
    expect(pool.machineType).toBe("g2-standard-4");
  });

  it("uses a given service account instead of the cluster's", async () => {
    new GpuNodePool("t4", {
      cluster: gke,
      accelerator: { type: "nvidia-t4" },
      capacity: { min: 0, max: 2 },
      nodeLocations: ["us-central1-b"],
      serviceAccountEmail: "gpu-nodes@acme-ml.iam.gserviceaccount.com",
    });
    await settle();
    const pool = mocks.one("gcp:container/nodePool:NodePool", "t4-on-demand");
    expect(pool.inputs.nodeConfig.serviceAccount).toBe("gpu-nodes@acme-ml.iam.gserviceaccount.com");
    expect(pool.inputs.nodeConfig.guestAccelerators).toEqual([
      {
        type: "nvidia-tesla-t4",
        count: 1,
        gpuDriverInstallationConfig: { gpuDriverVersion: "DEFAULT" },
      },
    ]);
  });

  it("rejects an invalid spec before registering anything", async () => {
    await settle();
    const before = mocks.resources.length;
    expect(
      () =>
        new GpuNodePool("bad-mig", {
          cluster: gke,
          accelerator: { type: "nvidia-l4" },
          capacity: { min: 0, max: 2 },
          migPartitionSize: "1g.10gb",
        }),
    ).toThrow(/GcpGpuNodePool: migPartitionSize = "1g.10gb" is not valid/);
    expect(
      () =>
        new GpuNodePool("no-cluster", {
          cluster: undefined as never,
          accelerator: { type: "nvidia-l4" },
          capacity: { min: 0, max: 2 },
        }),
    ).toThrow(HybridAiConfigError);
    await settle();
    expect(mocks.resources.slice(before)).toEqual([]);
  });
});
