import { checkResourcePolicy } from "pulumi-hybridai/testing";
import { describe, expect, it } from "vitest";
import { allowedRegions, requiredTags } from "../../../policies/compliance/src";
import { notApplicableReasons, violationsOf } from "../harness";

const required = { config: { requiredKeys: ["owner", "cost-center"] } };
const awsProvider = (props: object) => ({
  type: "pulumi:providers:aws",
  name: "default",
  urn: "urn:pulumi:stack::project::pulumi:providers:aws::default",
  props,
});

describe("required-tags", () => {
  it("reports missing AWS tags, ASG tags and GCP labels", async () => {
    const cluster = { type: "aws:eks/cluster:Cluster", props: { tags: { owner: "ml" } } };
    expect(await violationsOf(requiredTags, cluster, required)).toEqual([
      '"subject" lacks required tags cost-center.',
    ]);
    const group = {
      type: "aws:autoscaling/group:Group",
      props: { tags: [{ key: "owner", value: "ml", propagateAtLaunch: true }] },
    };
    expect(await violationsOf(requiredTags, group, required)).toEqual([
      '"subject" lacks required tags cost-center.',
    ]);
    const pool = {
      type: "gcp:container/nodePool:NodePool",
      props: { nodeConfig: { labels: { owner: "ml" } } },
    };
    expect(await violationsOf(requiredTags, pool, required)).toEqual([
      '"subject" lacks required labels owner, cost-center.',
    ]);
  });

  it("counts provider default tags, and requires nothing until configured", async () => {
    const vpc = {
      type: "aws:ec2/vpc:Vpc",
      props: { cidrBlock: "10.0.0.0/16", tags: { owner: "ml" } },
    };
    expect(await violationsOf(requiredTags, vpc, required)).toEqual([
      '"subject" lacks required tags cost-center.',
    ]);
    const withDefaults = await checkResourcePolicy(
      requiredTags,
      {
        ...vpc,
        provider: awsProvider({
          region: "us-west-2",
          defaultTags: { tags: { "cost-center": "42" } },
        }),
      },
      required,
    );
    expect(withDefaults.violations).toEqual([]);
    expect(await violationsOf(requiredTags, { type: "aws:ec2/vpc:Vpc", props: {} })).toEqual([]);
    expect(
      await notApplicableReasons(requiredTags, {
        type: "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
        props: {},
      }),
    ).toHaveLength(1);
  });
});

describe("allowed-regions", () => {
  const config = { config: { allowedRegions: ["us-west-2", "us-central1"] } };

  it("reports an AWS resource whose provider is elsewhere and GCP zones outside the list", async () => {
    const report = await checkResourcePolicy(
      allowedRegions,
      {
        type: "aws:s3/bucket:Bucket",
        name: "models",
        props: {},
        provider: awsProvider({ region: "eu-west-1" }),
      },
      config,
    );
    expect(report.violations.map((v) => v.message)).toEqual([
      '"models" is placed in eu-west-1; allowed: us-west-2, us-central1.',
    ]);
    const pool = {
      type: "gcp:container/nodePool:NodePool",
      props: { location: "us-central1", nodeLocations: ["us-central1-a", "europe-west4-a"] },
    };
    expect(await violationsOf(allowedRegions, pool, config)).toEqual([
      '"subject" is placed in europe-west4; allowed: us-west-2, us-central1.',
    ]);
    const multiRegion = { type: "gcp:storage/bucket:Bucket", props: { location: "US" } };
    expect(await violationsOf(allowedRegions, multiRegion, config)).toEqual([
      '"subject" is placed in us; allowed: us-west-2, us-central1.',
    ]);
  });

  it("accepts allowed regions (the resource's own region wins), global IAM, and any region until configured", async () => {
    const own = { type: "aws:s3/bucket:Bucket", props: { region: "us-west-2" } };
    expect(await violationsOf(allowedRegions, own, config)).toEqual([]);
    expect(
      await violationsOf(allowedRegions, { type: "aws:iam/role:Role", props: {} }, config),
    ).toEqual([]);
    expect(
      await violationsOf(allowedRegions, {
        type: "gcp:storage/bucket:Bucket",
        props: { location: "EU" },
      }),
    ).toEqual([]);
    expect(
      await notApplicableReasons(allowedRegions, {
        type: "kubernetes:apps/v1:Deployment",
        props: {},
      }),
    ).toEqual(["applies to AWS and GCP resources"]);
  });
});
