import * as eks from "@pulumi/aws/eks";
import * as s3 from "@pulumi/aws/s3";
import type { ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { validateResourceOfType, validateStackResourcesOfType } from "@pulumi/policy";
import * as pulumi from "@pulumi/pulumi";
import {
  checkResourcePolicy,
  checkStackPolicy,
  installMocks,
  policyResourcesFromRecords,
  resourceValidationArgs,
  runResourcePolicy,
  runStackPolicy,
  settle,
  stackValidationArgs,
} from "pulumi-hybridai/testing";
import { beforeEach, describe, expect, it } from "vitest";

const recorder = installMocks();

/** Sample resource policy: EKS API endpoints stay private unless config allows it. */
const privateEndpoint: ResourceValidationPolicy = {
  name: "eks-private-endpoint",
  description: "EKS API endpoints must not be public.",
  enforcementLevel: "mandatory",
  configSchema: { properties: { allowPublic: { type: "boolean", default: false } } },
  validateResource: validateResourceOfType(eks.Cluster, (cluster, args, reportViolation) => {
    const { allowPublic } = args.getConfig<{ allowPublic: boolean }>();
    if (!allowPublic && cluster.vpcConfig?.endpointPublicAccess !== false) {
      reportViolation(
        `cluster "${args.name}" has a public endpoint; set vpcConfig.endpointPublicAccess: false`,
      );
    }
  }),
};

/** Sample stack policy: every bucket has a server-side encryption configuration. */
const encryptedBuckets: StackValidationPolicy = {
  name: "s3-encrypted",
  description: "Every S3 bucket has server-side encryption configured.",
  validateStack: (args, reportViolation) => {
    const encrypted = new Set(
      args.resources
        .filter(
          (r) =>
            r.type ===
            "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
        )
        .map((r) => r.props.bucket),
    );
    for (const bucket of args.resources.filter((r) => r.isType(s3.Bucket))) {
      if (!encrypted.has(bucket.props.bucket)) {
        reportViolation(`bucket ${bucket.props.bucket} is not encrypted`, bucket.urn);
      }
    }
  },
};

const privateCluster = { vpcConfig: { subnetIds: ["subnet-a"], endpointPublicAccess: false } };

class Store extends pulumi.ComponentResource {
  constructor(name: string, encrypt: boolean) {
    super("hybridai:index:Store", name, {}, {});
    const bucket = new s3.Bucket(name, {}, { parent: this });
    if (encrypt) {
      new s3.BucketServerSideEncryptionConfiguration(
        name,
        {
          bucket: bucket.bucket,
          rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms" } }],
        },
        { parent: this },
      );
    }
    this.registerOutputs({});
  }
}

describe("resource policy harness", () => {
  it("reports a violation for a bad resource and none for a good one", async () => {
    const bad = {
      type: "aws:eks/cluster:Cluster",
      name: "public",
      props: { vpcConfig: { subnetIds: [] } },
    };
    expect(await runResourcePolicy(privateEndpoint, bad)).toEqual([
      {
        policy: "eks-private-endpoint",
        message:
          'cluster "public" has a public endpoint; set vpcConfig.endpointPublicAccess: false',
        enforcementLevel: "mandatory",
      },
    ]);
    expect(
      await runResourcePolicy(privateEndpoint, {
        type: "aws:eks/cluster:Cluster",
        props: privateCluster,
      }),
    ).toEqual([]);
  });

  it("validates a recorded resource's inputs", async () => {
    new eks.Cluster("recorded", {
      roleArn: "arn:aws:iam::123456789012:role/r",
      vpcConfig: { subnetIds: [] },
    });
    await settle();
    const violations = await runResourcePolicy(
      privateEndpoint,
      recorder.one("aws:eks/cluster:Cluster"),
    );
    expect(violations.map((v) => v.message)).toEqual([
      'cluster "recorded" has a public endpoint; set vpcConfig.endpointPublicAccess: false',
    ]);
  });

  it("reports another type as not applicable, not as a violation", async () => {
    const bucket = { type: "aws:s3/bucket:Bucket", props: { bucket: "models" } };
    expect(await checkResourcePolicy(privateEndpoint, bucket)).toEqual({
      violations: [],
      notApplicable: ["Policy only applies to resources of type 'aws:eks/cluster:Cluster'"],
    });
    // Without the fast path (a list of validations) validateResourceOfType calls args.notApplicable.
    const listed = {
      ...privateEndpoint,
      validateResource: [privateEndpoint.validateResource as never],
    };
    expect(await checkResourcePolicy(listed, bucket)).toEqual({
      violations: [],
      notApplicable: ["Policy only applies to resources of type 'aws:eks/cluster:Cluster'"],
    });
    expect(() => resourceValidationArgs(bucket).notApplicable("no")).toThrow("no");
  });

  it("passes config to getConfig, with schema defaults and required keys", async () => {
    const bad = { type: "aws:eks/cluster:Cluster", props: {} };
    expect(
      await runResourcePolicy(privateEndpoint, bad, { config: { allowPublic: true } }),
    ).toEqual([]);
    expect(
      resourceValidationArgs({ ...bad, config: { allowPublic: true } }).getConfig<{
        allowPublic: boolean;
      }>(),
    ).toEqual({ allowPublic: true });
    const strict = {
      ...privateEndpoint,
      configSchema: { properties: { owner: { type: "string" as const } }, required: ["owner"] },
    };
    await expect(runResourcePolicy(strict, bad)).rejects.toThrow(/missing required "owner"/);
    expect(
      await runResourcePolicy(privateEndpoint, bad, { config: { enforcementLevel: "disabled" } }),
    ).toEqual([]);
  });

  it("builds args the way the engine does", () => {
    const args = resourceValidationArgs({
      type: "aws:eks/cluster:Cluster",
      name: "c",
      props: privateCluster,
    });
    expect(args.urn).toBe("urn:pulumi:stack::project::aws:eks/cluster:Cluster::c");
    expect(args.isType(eks.Cluster)).toBe(true);
    expect(args.isType(s3.Bucket)).toBe(false);
    expect(args.asType(eks.Cluster)?.vpcConfig?.endpointPublicAccess).toBe(false);
    expect(args.asType(s3.Bucket)).toBeUndefined();
    expect(args.opts).toMatchObject({ protect: false, ignoreChanges: [], aliases: [] });
    expect(args.stackTags.size).toBe(0);
  });

  it("reports reading an unknown value as a preview advisory", async () => {
    const unknownEndpoint = { vpcConfig: { endpointPublicAccess: pulumi.unknown } };
    expect(
      await runResourcePolicy(privateEndpoint, {
        type: "aws:eks/cluster:Cluster",
        props: unknownEndpoint,
      }),
    ).toEqual([
      {
        policy: "eks-private-endpoint",
        message: expect.stringMatching(
          /can't run policy 'eks-private-endpoint' during preview: value at \.vpcConfig\.endpointPublicAccess/,
        ),
        enforcementLevel: "advisory",
      },
    ]);
  });
});

describe("stack policy harness", () => {
  beforeEach(() => recorder.reset());

  it("reports the unencrypted bucket of a recorded stack and not the encrypted one", async () => {
    new Store("secure", true);
    new Store("leaky", false);
    await settle();

    const violations = await runStackPolicy(encryptedBuckets, recorder.resources);
    expect(violations).toEqual([
      {
        policy: "s3-encrypted",
        message: "bucket leaky is not encrypted",
        urn: recorder.one("aws:s3/bucket:Bucket", "leaky").urn,
        enforcementLevel: "advisory",
      },
    ]);
  });

  it("links parents and dependencies to the other resources, and sees outputs as props", async () => {
    new Store("linked", true);
    await settle();
    const { resources } = stackValidationArgs(policyResourcesFromRecords(recorder.resources));
    const bucket = resources.find((r) => r.type === "aws:s3/bucket:Bucket");
    const encryption = resources.find(
      (r) => r.name === "linked" && r !== bucket && r.type !== "hybridai:index:Store",
    );
    expect(bucket?.parent?.type).toBe("hybridai:index:Store");
    expect(bucket?.props.arn).toBe("arn:aws:s3:::linked");
    expect(encryption?.dependencies).toEqual([bucket]);
    expect(encryption?.propertyDependencies.bucket).toEqual([bucket]);
    expect(resources.some((r) => r.type.startsWith("pulumi:providers:"))).toBe(false);
  });

  it("reports a typed stack policy as not applicable when no resource has its type", async () => {
    const clustersOnly: StackValidationPolicy = {
      name: "clusters",
      description: "clusters only",
      validateStack: validateStackResourcesOfType(
        eks.Cluster,
        (_clusters, _args, reportViolation) => reportViolation("never for buckets"),
      ),
    };
    const buckets = [{ type: "aws:s3/bucket:Bucket", props: {} }];
    expect(await checkStackPolicy(clustersOnly, buckets)).toEqual({
      violations: [],
      notApplicable: ["Policy only applies to resources of type 'aws:eks/cluster:Cluster'"],
    });
    expect(
      await runStackPolicy(clustersOnly, [{ type: "aws:eks/cluster:Cluster", props: {} }]),
    ).toHaveLength(1);
  });
});
