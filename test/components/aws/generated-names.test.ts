import { aws } from "pulumi-hybridai";
import { installMocks, type RecordedResource, settle } from "pulumi-hybridai/testing";
import { describe, expect, it } from "vitest";

const { EksCluster, ModelStore, SpotFleet } = aws;

const mocks = installMocks({
  outputs: ({ type, inputs }) =>
    type === "aws:eks/cluster:Cluster"
      ? { vpcConfig: { ...inputs.vpcConfig, clusterSecurityGroupId: "sg-0cluster" } }
      : undefined,
});

const ENDPOINT = { publicAccess: true, publicAccessCidrs: ["203.0.113.0/24"] };

/** Creates a cluster, a fleet and a model store, and returns what was registered. */
async function deploy(clusterName: string, fleetName: string): Promise<RecordedResource[]> {
  await settle();
  mocks.reset();
  const cluster = new EksCluster("cluster", { clusterName, endpoint: ENDPOINT });
  new SpotFleet(fleetName, {
    cluster,
    accelerator: { type: "nvidia-l4" },
    capacity: { min: 0, max: 4 },
  });
  new ModelStore("models", { cluster });
  await settle();
  return [...mocks.resources];
}

const inputsOf = (records: RecordedResource[], type: string) =>
  records.filter((r) => r.type === type).map((r) => r.inputs);

describe("AWS names are unique per cluster", () => {
  it("gives two clusters' fleets named l4 different Auto Scaling groups and termination tags", async () => {
    const [east, west] = [await deploy("east", "l4"), await deploy("west", "l4")];
    const [eastGroup] = inputsOf(east, "aws:autoscaling/group:Group");
    const [westGroup] = inputsOf(west, "aws:autoscaling/group:Group");
    expect(eastGroup.name).toBe("hybridai-fleet-east-l4");
    expect(westGroup.name).toBe("hybridai-fleet-west-l4");
    const managed = (group: typeof eastGroup): string[] =>
      group.tags
        .map((t: { key: string }) => t.key)
        .filter((k: string) => k.startsWith("aws-node-termination-handler/"));
    expect(managed(eastGroup)).toEqual(["aws-node-termination-handler/hybridai-fleet-east-l4"]);
    expect(managed(westGroup)).toEqual(["aws-node-termination-handler/hybridai-fleet-west-l4"]);
    const rules = (records: RecordedResource[]) =>
      inputsOf(records, "aws:cloudwatch/eventRule:EventRule").map((r) => r.name);
    expect(rules(east)).toHaveLength(5);
    expect(rules(east).filter((name) => rules(west).includes(name))).toEqual([]);
  });
});

describe("AWS names stay within the cloud's limits for the longest names accepted", () => {
  const clusterName = `c${"x".repeat(98)}z`; // 100 characters: the EKS limit
  const fleetName = `f${"y".repeat(38)}z`; // 40 characters: the longest fleet name

  it("accepts a 100-character cluster name and a 40-character fleet name", async () => {
    const records = await deploy(clusterName, fleetName);
    expect(inputsOf(records, "aws:eks/cluster:Cluster")[0].name).toBe(clusterName);
  });

  it("keeps the system node group within 63 and the Auto Scaling group within 99 characters", async () => {
    const records = await deploy(clusterName, fleetName);
    const [system] = inputsOf(records, "aws:eks/nodeGroup:NodeGroup");
    expect(system.nodeGroupName.length).toBeLessThanOrEqual(63);
    expect(system.nodeGroupName).toMatch(/^cx+-[0-9a-f]{6}-system$/);
    const [group] = inputsOf(records, "aws:autoscaling/group:Group");
    expect(group.name.length).toBeLessThanOrEqual(99);
    expect(group.name).toMatch(/^hybridai-fleet-/);
    for (const tag of group.tags as { key: string; value: string }[]) {
      expect(tag.key.length).toBeLessThanOrEqual(128);
      expect(tag.value.length).toBeLessThanOrEqual(256);
    }
  });

  it("names IAM roles by prefix (at most 38 characters) and inline policies by purpose", async () => {
    const records = await deploy(clusterName, fleetName);
    const roles = inputsOf(records, "aws:iam/role:Role");
    expect(roles).toHaveLength(6);
    for (const role of roles) {
      expect(role.name).toBeUndefined();
      expect(role.namePrefix.length).toBeLessThanOrEqual(38);
      expect(role.namePrefix.endsWith("-")).toBe(true);
    }
    const policies = inputsOf(records, "aws:iam/rolePolicy:RolePolicy")
      .map((p) => p.name)
      .sort();
    expect(policies).toEqual([
      "cluster-autoscaler",
      "model-store-read",
      "secrets-encryption",
      "termination-handler",
    ]);
  });

  it("keeps EventBridge rules within 64 characters and the bucket prefix within 37", async () => {
    const records = await deploy(clusterName, fleetName);
    const rules = inputsOf(records, "aws:cloudwatch/eventRule:EventRule");
    expect(rules).toHaveLength(5);
    for (const rule of rules) expect(rule.name.length).toBeLessThanOrEqual(64);
    const [bucket] = inputsOf(records, "aws:s3/bucket:Bucket");
    expect(bucket.bucket).toBeUndefined();
    expect(bucket.bucketPrefix.length).toBeLessThanOrEqual(37);
    expect(bucket.bucketPrefix).toMatch(/^[a-z0-9][-a-z0-9]*-$/);
  });
});
