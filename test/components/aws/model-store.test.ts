import { aws, HybridAiConfigError } from "pulumi-hybridai";
import { awaitOutput, installMocks, MOCK_AWS_REGION, settle } from "pulumi-hybridai/testing";
import { beforeAll, describe, expect, it } from "vitest";
import { irsaRole, leastPrivilegeDocument } from "./iam-assertions";

/** A public endpoint limited to a documentation range: how `pulumi up` reaches the API. */
const REACHABLE = { publicAccess: true, publicAccessCidrs: ["203.0.113.0/24"] };

const { EksCluster, ModelStore } = aws;

const mocks = installMocks();

let store: aws.ModelStore;

beforeAll(async () => {
  const cluster = new EksCluster("prod", { clusterAutoscaler: false, endpoint: REACHABLE });
  store = new ModelStore("models", {
    cluster,
    reader: { namespace: "serving", serviceAccountName: "ranker" },
  });
  await awaitOutput(store.readerRoleArn);
  await settle();
});

describe("aws.ModelStore bucket security", () => {
  it("versions, encrypts with a rotating KMS key and a bucket key, and enforces bucket-owner objects", () => {
    const bucket = mocks.one("aws:s3/bucket:Bucket");
    expect(bucket.inputs.forceDestroy).toBe(false);
    expect(
      mocks.one("aws:s3/bucketVersioning:BucketVersioning").inputs.versioningConfiguration,
    ).toEqual({ status: "Enabled" });
    const key = mocks.one("aws:kms/key:Key", "models-models");
    expect(key.inputs.enableKeyRotation).toBe(true);
    expect(
      mocks.one(
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
      ).inputs.rules,
    ).toEqual([
      {
        applyServerSideEncryptionByDefault: {
          sseAlgorithm: "aws:kms",
          kmsMasterKeyId: key.state.arn,
        },
        bucketKeyEnabled: true,
      },
    ]);
    expect(mocks.one("aws:s3/bucketOwnershipControls:BucketOwnershipControls").inputs.rule).toEqual(
      {
        objectOwnership: "BucketOwnerEnforced",
      },
    );
  });

  it("blocks every kind of public access and denies requests without TLS", () => {
    expect(
      mocks.one("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock").inputs,
    ).toMatchObject({
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });
    const policy = mocks.one("aws:s3/bucketPolicy:BucketPolicy");
    const document = leastPrivilegeDocument(policy.inputs.policy);
    const arn = mocks.one("aws:s3/bucket:Bucket").state.arn;
    expect(document.Statement).toEqual([
      {
        Sid: "DenyInsecureTransport",
        Effect: "Deny",
        Principal: "*",
        Action: ["s3:*"],
        Resource: [arn, `${arn}/*`],
        Condition: { Bool: { "aws:SecureTransport": "false" } },
      },
    ]);
    expect(policy.dependencies).toContain(
      mocks.one("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock").urn,
    );
  });

  it("expires old model versions, stale uploads and orphan delete markers", () => {
    const rules = mocks.one("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration")
      .inputs.rules;
    expect(rules).toEqual([
      {
        id: "expire-old-model-versions",
        status: "Enabled",
        filter: {},
        noncurrentVersionExpiration: { noncurrentDays: 30 },
      },
      {
        id: "abort-stale-uploads",
        status: "Enabled",
        filter: {},
        abortIncompleteMultipartUpload: { daysAfterInitiation: 7 },
      },
      {
        id: "remove-expired-delete-markers",
        status: "Enabled",
        filter: {},
        expiration: { expiredObjectDeleteMarker: true },
      },
    ]);
  });
});

describe("aws.ModelStore reader", () => {
  it("lets exactly one service account read the model prefix, nothing more", async () => {
    const { role, trust, permissions } = irsaRole(mocks, "models-reader");
    expect(Object.values(trust.Statement[0].Condition?.StringEquals ?? {})).toEqual([
      "system:serviceaccount:serving:ranker",
      "sts.amazonaws.com",
    ]);
    const bucketArn = mocks.one("aws:s3/bucket:Bucket").state.arn;
    expect(permissions.Statement.find((s) => s.Sid === "ReadModels")?.Resource).toEqual([
      `${bucketArn}/models/*`,
    ]);
    expect(permissions.Statement.find((s) => s.Sid === "DecryptThroughS3")?.Condition).toEqual({
      StringEquals: { "kms:ViaService": `s3.${MOCK_AWS_REGION}.amazonaws.com` },
    });
    expect(store.reader.namespace).toBe("serving");
    expect(store.reader.serviceAccountName).toBe("ranker");
    expect(await awaitOutput(store.reader.annotations)).toEqual({
      "eks.amazonaws.com/role-arn": role.state.arn,
    });
  });

  it("gives model URIs in the Triton repository layout and rejects bad model names", async () => {
    const bucket = mocks.one("aws:s3/bucket:Bucket").state.bucket;
    expect(await awaitOutput(store.uriFor("ranker"))).toBe(`s3://${bucket}/models/ranker`);
    expect(() => store.uriFor("../etc")).toThrow(HybridAiConfigError);
    expect(() => store.uriFor("a b")).toThrow(/AwsModelStore: model = "a b"/);
  });

  it("rejects a bad reader or prefix before creating anything", async () => {
    const cluster = new EksCluster("other", { clusterAutoscaler: false, endpoint: REACHABLE });
    await settle();
    const before = mocks.resources.length;
    expect(() => new ModelStore("bad", { cluster, reader: { namespace: "Serving" } })).toThrow(
      /reader.namespace/,
    );
    expect(() => new ModelStore("bad", { cluster, prefix: "/models" })).toThrow(/prefix/);
    expect(() => new ModelStore("bad", { cluster, noncurrentVersionDays: 0 })).toThrow(
      /noncurrentVersionDays/,
    );
    await settle();
    expect(mocks.resources).toHaveLength(before);
  });
});
