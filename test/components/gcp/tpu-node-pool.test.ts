import { awaitOutput, installMocks, settle } from "pulumi-hybridai/testing";
import { describe, expect, it } from "vitest";
import { GkeCluster, TpuNodePool } from "../../../components/gcp";

/** The runner range allowed to reach the control plane (`pulumi up` needs a path to it). */
const AUTHORIZED = [{ cidrBlock: "203.0.113.0/24" }];

const mocks = installMocks();
const gke = new GkeCluster("tpu", {
  project: "acme-ml",
  region: "us-west4",
  masterAuthorizedNetworks: AUTHORIZED,
});

describe("TpuNodePool under mocks", () => {
  it("creates one compact pool per multi-host slice with the slice's node count", async () => {
    const pool = new TpuNodePool("v5e", {
      cluster: gke,
      accelerator: { type: "tpu-v5e", topology: "4x8" },
      capacity: { min: 1, max: 2, spot: { onDemandBase: 1 } },
      zone: "us-west4-a",
    });
    await settle();
    const component = mocks.one("hybridai:index:GcpTpuNodePool", "v5e");
    const pools = mocks.childrenOf(component.urn);
    expect(pools.map((p) => p.name)).toEqual(["v5e-on-demand-0", "v5e-spot-0"]);
    for (const p of pools) {
      expect(p.inputs).toMatchObject({
        cluster: "tpu",
        location: "us-west4",
        nodeLocations: ["us-west4-a"],
        placementPolicy: { type: "COMPACT", tpuTopology: "4x8" },
        nodeConfig: {
          machineType: "ct5lp-hightpu-4t",
          serviceAccount: "tpu-675111-nodes@acme-ml.iam.gserviceaccount.com",
          taints: [{ key: "google.com/tpu", value: "present", effect: "NO_SCHEDULE" }],
        },
      });
      expect(p.inputs.nodeConfig.guestAccelerators).toBeUndefined();
    }
    expect(pools[0]?.inputs.nodeCount).toBe(8);
    expect(pools[1]?.inputs).toMatchObject({
      initialNodeCount: 0,
      autoscaling: { totalMinNodeCount: 0, totalMaxNodeCount: 8 },
      nodeConfig: { spot: true },
    });
    expect(pool.slice).toMatchObject({ chips: 32, nodeCount: 8, multiHost: true });
    expect(await awaitOutput(pool.nodePoolNames)).toEqual(["v5e-on-demand-0", "v5e-spot-0"]);
  });

  it("rejects a topology the generation lacks before registering anything", async () => {
    await settle();
    const before = mocks.resources.length;
    expect(
      () =>
        new TpuNodePool("v6e-bad", {
          cluster: gke,
          accelerator: { type: "tpu-v6e", topology: "2x2x2" },
          capacity: { min: 0, max: 1 },
          zone: "us-west4-a",
        }),
    ).toThrow(
      /accelerator\.topology = "2x2x2" is not valid\. Allowed: for tpu-v6e: 1x1, 2x2, 2x4, 4x4/,
    );
    await settle();
    expect(mocks.resources.slice(before)).toEqual([]);
  });
});
