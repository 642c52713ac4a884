import type * as pulumi from "@pulumi/pulumi";
import {
  installMocks,
  type RecordedResource,
  settle,
  validateKubernetesObjects,
} from "pulumi-hybridai/testing";
import { expect, it } from "vitest";
import { secondRegion } from "./second-region";
import { expectShownVerbatim } from "./verbatim";

// Each cloud call answers for the region of the provider it was made with, as AWS would.
const EUROPE = { region: "eu-west-1", account: "210987654321" };
const inEurope = (args: pulumi.runtime.MockCallArgs) => args.provider?.includes("::eu-west-1::");
const mocks = installMocks({
  calls: (args) => {
    if (!inEurope(args)) return undefined;
    if (args.token === "aws:index/getRegion:getRegion") {
      return { id: EUROPE.region, name: EUROPE.region, region: EUROPE.region };
    }
    if (args.token === "aws:index/getCallerIdentity:getCallerIdentity") {
      return {
        id: EUROPE.account,
        accountId: EUROPE.account,
        arn: `arn:aws:iam::${EUROPE.account}:role/pulumi-deploy`,
      };
    }
    if (args.token === "aws:index/getAvailabilityZones:getAvailabilityZones") {
      return { id: EUROPE.region, names: ["a", "b", "c"].map((z) => `${EUROPE.region}${z}`) };
    }
    return undefined;
  },
});

/** The cluster component a resource belongs to (its nearest `AwsEksCluster`, `AwsSpotFleet` … ancestor's name suffix). */
function regionOf(
  record: RecordedResource,
  byUrn: Map<string, RecordedResource>,
): string | undefined {
  for (
    let r: RecordedResource | undefined = record;
    r;
    r = r.parent ? byUrn.get(r.parent) : undefined
  ) {
    const match = /-(us|eu)$/.exec(r.name);
    if (r.type.startsWith("hybridai:") && match) return match[1];
  }
  return undefined;
}

it("deploys the same capacity in two regions and accounts, every AWS resource through its region's provider", async () => {
  secondRegion();
  await settle();
  const byUrn = new Map(mocks.resources.map((r) => [r.urn, r]));
  const providers = mocks.ofType("pulumi:providers:aws");
  expect(providers.map((p) => [p.name, p.inputs.region])).toEqual([
    ["us-west-2", "us-west-2"],
    ["eu-west-1", "eu-west-1"],
  ]);
  // Provider inputs reach the engine JSON-encoded.
  expect(JSON.parse(providers[1].inputs.assumeRoles)).toEqual([
    { roleArn: "arn:aws:iam::210987654321:role/pulumi-deploy" },
  ]);
  const awsResources = mocks.resources.filter((r) => r.custom && r.type.startsWith("aws:"));
  expect(awsResources.length).toBeGreaterThan(40);
  for (const record of awsResources) {
    const region = regionOf(record, byUrn);
    const provider = region === "eu" ? providers[1] : providers[0];
    expect({
      name: record.name,
      provider: record.provider?.split("::").slice(0, -1).join("::"),
    }).toEqual({
      name: record.name,
      provider: provider.urn,
    });
  }
  // The European cluster's subnets are in the European zones its provider reports.
  const zones = mocks
    .ofType("aws:ec2/subnet:Subnet")
    .filter((s) => regionOf(s, byUrn) === "eu")
    .map((s) => s.inputs.availabilityZone);
  expect(new Set(zones)).toEqual(new Set(["eu-west-1a", "eu-west-1b", "eu-west-1c"]));
  // No two resources share a physical name that AWS keeps unique per account or region.
  const named = mocks.ofType("aws:autoscaling/group:Group").map((g) => g.inputs.name);
  expect(new Set(named).size).toBe(named.length);
  validateKubernetesObjects(mocks.resources);
});

it("docs/recipes.md shows this program verbatim", () => {
  expectShownVerbatim("test/recipes/second-region.ts", "  // One AWS provider per region");
});
