import * as pulumi from "@pulumi/pulumi";
import { aws } from "pulumi-hybridai";
import { awaitOutput, installMocks, type RecordedResource, settle } from "pulumi-hybridai/testing";
import { beforeAll, describe, expect, it } from "vitest";
import { compareScopes, normalizedInputs } from "./compare-scopes";

const { EksCluster, GpuNodeGroup, ModelStore, SpotFleet } = aws;

/** A public endpoint limited to a documentation range: how `pulumi up` reaches the API. */
const REACHABLE = { publicAccess: true, publicAccessCidrs: ["203.0.113.0/24"] };

const mocks = installMocks({
  outputs: ({ type, inputs }) =>
    type === "aws:eks/cluster:Cluster"
      ? { vpcConfig: { ...inputs.vpcConfig, clusterSecurityGroupId: "sg-0created000000001" } }
      : undefined,
});

/** The attributes a cluster hands its node groups, fleets and stores, resolved. */
async function attributesOf(cluster: aws.EksClusterRef): Promise<Record<string, string>> {
  const subnets = await awaitOutput(cluster.privateSubnetIds);
  const issuer = await awaitOutput(cluster.oidcIssuer);
  return {
    endpoint: await awaitOutput(cluster.endpoint),
    certificateAuthorityData: await awaitOutput(cluster.certificateAuthorityData),
    oidcProviderArn: await awaitOutput(cluster.oidcProviderArn),
    oidcIssuer: issuer.replace(/^https:\/\//, ""),
    clusterSecurityGroupId: await awaitOutput(cluster.clusterSecurityGroupId),
    nodeRoleArn: await awaitOutput(cluster.nodeRoleArn),
    ...Object.fromEntries(subnets.map((id, i) => [`subnet${i}`, String(id)])),
  };
}

const { inBothScopes, descendants } = compareScopes(
  mocks,
  "test:index:OnCreated",
  "test:index:OnExisting",
);

let created: aws.EksCluster;
let existing: aws.ExistingEksCluster;

beforeAll(async () => {
  // Two scopes of different types in one program (URNs name the parent types, not names), so
  // the same component names can be compared side by side.
  const onCreated = new pulumi.ComponentResource("test:index:OnCreated", "scope");
  const onExisting = new pulumi.ComponentResource("test:index:OnExisting", "scope");
  created = new EksCluster(
    "cluster",
    { clusterName: "platform-prod", endpoint: REACHABLE, clusterAutoscaler: false },
    { parent: onCreated },
  );
  existing = EksCluster.get(
    "cluster",
    { clusterName: "platform-prod", systemNodeGroupName: "platform-prod-system" },
    { parent: onExisting },
  );
  for (const [parent, cluster] of [
    [onCreated, created],
    [onExisting, existing],
  ] as const) {
    new GpuNodeGroup(
      "l4",
      {
        cluster,
        accelerator: { type: "nvidia-l4" },
        capacity: { min: 1, max: 6, spot: { onDemandBase: 1 } },
      },
      { parent },
    );
    new SpotFleet(
      "a10g",
      {
        cluster,
        accelerator: { type: "nvidia-a10g" },
        capacity: { min: 1, max: 6, spot: { onDemandBase: 1, onDemandPercentAboveBase: 20 } },
      },
      { parent },
    );
    new ModelStore("models", { cluster }, { parent });
  }
  await settle();
});

describe("a created cluster and a looked-up one give node groups, fleets and stores the same plan", () => {
  for (const [type, name] of [
    ["hybridai:index:AwsGpuNodeGroup", "l4"],
    ["hybridai:index:AwsSpotFleet", "a10g"],
    ["hybridai:index:AwsModelStore", "models"],
  ] as const) {
    it(`${name}: the same resources with the same inputs, up to the cluster's own attributes`, async () => {
      const [onCreated, onExisting] = inBothScopes(type, name);
      const a = descendants(onCreated);
      const b = descendants(onExisting);
      expect(a.size).toBeGreaterThanOrEqual(3);
      expect([...b.keys()].sort()).toEqual([...a.keys()].sort());
      const attributesA = await attributesOf(created);
      const attributesB = await attributesOf(existing);
      for (const [key, record] of a) {
        const other = b.get(key) as RecordedResource;
        expect(normalizedInputs(other, attributesB), key).toBe(
          normalizedInputs(record, attributesA),
        );
      }
    });
  }

  it("differs only in what the new cluster's nodes wait for (its add-ons) and the system node group", () => {
    const [onCreated, onExisting] = inBothScopes("hybridai:index:AwsSpotFleet", "a10g").map(
      (fleet) => descendants(fleet).get("aws:autoscaling/group:Group a10g") as RecordedResource,
    );
    const addonUrns = mocks.ofType("aws:eks/addon:Addon").map((a) => a.urn);
    expect(addonUrns.length).toBeGreaterThan(0);
    expect(onCreated.dependencies.some((urn) => addonUrns.includes(urn))).toBe(true);
    expect(onExisting.dependencies.some((urn) => addonUrns.includes(urn))).toBe(false);
  });
});
