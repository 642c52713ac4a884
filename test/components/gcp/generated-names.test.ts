import { installMocks, type RecordedResource, settle } from "pulumi-hybridai/testing";
import { describe, expect, it } from "vitest";
import { GkeCluster, GpuNodePool, ModelStore, TpuNodePool } from "../../../components/gcp";

const mocks = installMocks();

const AUTHORIZED = [{ cidrBlock: "203.0.113.0/24" }];

/** A cluster with GPU and TPU pools and a model store; returns what was registered. */
async function deploy(name: string, region: string): Promise<RecordedResource[]> {
  await settle();
  mocks.reset();
  const cluster = new GkeCluster(name, {
    project: "acme-ml",
    region,
    masterAuthorizedNetworks: AUTHORIZED,
  });
  new GpuNodePool(`${name}-gpu`, {
    cluster,
    accelerator: { type: "nvidia-l4" },
    capacity: { min: 1, max: 4, spot: { onDemandBase: 1 } },
    nodeLocations: [`${region}-a`],
  });
  new TpuNodePool(`${name}-tpu`, {
    cluster,
    accelerator: { type: "tpu-v5e", topology: "4x4" },
    capacity: { min: 0, max: 2 },
    zone: `${region}-a`,
  });
  new ModelStore(`${name}-models`, { cluster });
  await settle();
  return [...mocks.resources];
}

const inputsOf = (records: RecordedResource[], type: string) =>
  records.filter((r) => r.type === type).map((r) => r.inputs);

describe("GCP names", () => {
  const longest = `g${"k".repeat(38)}e`; // 40 characters: the GKE cluster name limit

  it("names the cluster exactly as asked, up to GKE's 40 characters", async () => {
    const records = await deploy(longest, "us-central1");
    expect(inputsOf(records, "gcp:container/cluster:Cluster")[0].name).toBe(longest);
  });

  it("keeps every node pool name within 40 characters and distinct", async () => {
    const records = await deploy(longest, "us-central1");
    const names = inputsOf(records, "gcp:container/nodePool:NodePool").map((p) => p.name);
    expect(names).toHaveLength(5);
    for (const name of names) {
      expect(name.length).toBeLessThanOrEqual(40);
      expect(name).toMatch(/^[a-z]([-a-z0-9]*[a-z0-9])?$/);
    }
    expect(new Set(names).size).toBe(5);
  });

  it("gives the same cluster in two regions of one project different service account ids", async () => {
    const ids = (records: RecordedResource[]) =>
      inputsOf(records, "gcp:serviceaccount/account:Account").map((a) => a.accountId);
    const central = ids(await deploy("ai", "us-central1"));
    const europe = ids(await deploy("ai", "europe-west4"));
    expect(central).toHaveLength(2);
    expect(central.filter((id) => europe.includes(id))).toEqual([]);
    for (const id of [...central, ...europe]) expect(id).toMatch(/^[a-z][-a-z0-9]{4,28}[a-z0-9]$/);
  });
});
