import { describe, expect, it } from "vitest";
import {
  ebsEncrypted,
  eksNodeVolumesEncrypted,
  s3BucketEncrypted,
  s3NoPublicAcl,
  s3NoPublicPolicy,
  s3PublicAccessBlocked,
} from "../../../policies/compliance/src";
import { notApplicableReasons, stackViolationsOf, urnOf, violationsOf } from "../harness";

const BUCKET = "aws:s3/bucket:Bucket";
const SSE =
  "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration";
const PAB = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock";
const bucketUrn = urnOf(BUCKET, "models");
const bucket = { type: BUCKET, name: "models", props: { bucket: "models-1234" } };
const kmsRule = {
  rules: [
    { applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: "arn:k" } },
  ],
};

describe("s3-bucket-encrypted", () => {
  it("reports a bucket without any server-side encryption configuration", async () => {
    expect(await stackViolationsOf(s3BucketEncrypted, [bucket])).toEqual([
      {
        message: expect.stringContaining('S3 bucket "models" declares no server-side encryption'),
        urn: bucketUrn,
      },
    ]);
  });

  it("accepts a configuration linked by property dependency, even when the bucket id is unknown", async () => {
    const sse = {
      type: SSE,
      name: "models",
      props: { bucket: "models-id", ...kmsRule },
      propertyDependencies: { bucket: [bucketUrn] },
    };
    expect(await stackViolationsOf(s3BucketEncrypted, [bucket, sse])).toEqual([]);
  });

  it("links by bucket name too, and with requireKms rejects SSE-S3", async () => {
    const sse = {
      type: SSE,
      name: "other",
      props: {
        bucket: "models-1234",
        rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }],
      },
    };
    expect(await stackViolationsOf(s3BucketEncrypted, [bucket, sse])).toEqual([]);
    const strict = await stackViolationsOf(s3BucketEncrypted, [bucket, sse], {
      config: { requireKms: true },
    });
    expect(strict.map((v) => v.message)).toEqual([
      expect.stringContaining("is encrypted with AES256; requireKms asks for sseAlgorithm aws:kms"),
    ]);
  });

  it("accepts an inline rule on the bucket itself", async () => {
    const inline = {
      type: BUCKET,
      name: "inline",
      props: {
        serverSideEncryptionConfiguration: {
          rule: { applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms" } },
        },
      },
    };
    expect(
      await stackViolationsOf(s3BucketEncrypted, [inline], { config: { requireKms: true } }),
    ).toEqual([]);
  });
});

describe("s3-public-access-blocked", () => {
  const block = (props: Record<string, boolean>) => ({
    type: PAB,
    name: "models",
    props: { bucket: "models-1234", ...props },
  });
  const allOn = {
    blockPublicAcls: true,
    blockPublicPolicy: true,
    ignorePublicAcls: true,
    restrictPublicBuckets: true,
  };

  it("reports a bucket with no block, and a block that leaves a setting off", async () => {
    expect(
      (await stackViolationsOf(s3PublicAccessBlocked, [bucket])).map((v) => v.message),
    ).toEqual([expect.stringContaining('S3 bucket "models" has no BucketPublicAccessBlock')]);
    const partial = await stackViolationsOf(s3PublicAccessBlocked, [
      bucket,
      block({ ...allOn, restrictPublicBuckets: false }),
    ]);
    expect(partial.map((v) => v.message)).toEqual([
      expect.stringContaining("leaves restrictPublicBuckets off"),
    ]);
  });

  it("accepts a full block on the bucket, or an account-wide block", async () => {
    expect(await stackViolationsOf(s3PublicAccessBlocked, [bucket, block(allOn)])).toEqual([]);
    const account = {
      type: "aws:s3/accountPublicAccessBlock:AccountPublicAccessBlock",
      name: "account",
      props: allOn,
    };
    expect(await stackViolationsOf(s3PublicAccessBlocked, [bucket, account])).toEqual([]);
  });
});

describe("s3-no-public-acl", () => {
  it("reports a public canned ACL and an AllUsers grant", async () => {
    expect(
      await violationsOf(s3NoPublicAcl, { type: BUCKET, props: { acl: "public-read" } }),
    ).toEqual(['Bucket "subject" is public: canned ACL "public-read".']);
    const grant = {
      type: "aws:s3/bucketAclV2:BucketAclV2",
      props: {
        accessControlPolicy: {
          grants: [
            {
              grantee: { type: "Group", uri: "http://acs.amazonaws.com/groups/global/AllUsers" },
              permission: "READ",
            },
          ],
          owner: { id: "owner" },
        },
      },
    };
    expect(await violationsOf(s3NoPublicAcl, grant)).toEqual([
      'BucketAclV2 "subject" is public: a grant to AllUsers.',
    ]);
  });

  it("accepts a private bucket and is not applicable to other types", async () => {
    expect(await violationsOf(s3NoPublicAcl, { type: BUCKET, props: { acl: "private" } })).toEqual(
      [],
    );
    expect(
      await notApplicableReasons(s3NoPublicAcl, { type: "aws:sqs/queue:Queue", props: {} }),
    ).toHaveLength(1);
  });
});

describe("s3-no-public-policy", () => {
  const policyOf = (statement: object) => ({
    type: "aws:s3/bucketPolicy:BucketPolicy",
    props: {
      bucket: "models",
      policy: JSON.stringify({ Version: "2012-10-17", Statement: [statement] }),
    },
  });

  it("reports an unconditional Allow to Principal *", async () => {
    const open = policyOf({
      Sid: "Public",
      Effect: "Allow",
      Principal: { AWS: "*" },
      Action: "s3:GetObject",
      Resource: "*",
    });
    expect(await violationsOf(s3NoPublicPolicy, open)).toEqual([
      'bucket policy "subject" allows Principal "*" without a Condition in statement(s) Public.',
    ]);
  });

  it("accepts a Deny to everyone and a conditioned Allow", async () => {
    const deny = policyOf({
      Effect: "Deny",
      Principal: "*",
      Action: "s3:*",
      Resource: "*",
      Condition: { Bool: { "aws:SecureTransport": "false" } },
    });
    const viaEndpoint = policyOf({
      Effect: "Allow",
      Principal: "*",
      Action: "s3:GetObject",
      Resource: "*",
      Condition: { StringEquals: { "aws:SourceVpce": "vpce-1" } },
    });
    expect(await violationsOf(s3NoPublicPolicy, deny)).toEqual([]);
    expect(await violationsOf(s3NoPublicPolicy, viaEndpoint)).toEqual([]);
  });
});

describe("ebs-encrypted", () => {
  it("reports an unencrypted volume, launch template mapping and instance root volume", async () => {
    expect(
      await violationsOf(ebsEncrypted, { type: "aws:ebs/volume:Volume", props: { size: 100 } }),
    ).toEqual(['EBS volume "subject" is not encrypted; set encrypted: true.']);
    const template = {
      type: "aws:ec2/launchTemplate:LaunchTemplate",
      props: {
        blockDeviceMappings: [
          { deviceName: "/dev/xvda", ebs: { volumeSize: 100, encrypted: "false" } },
        ],
      },
    };
    expect(await violationsOf(ebsEncrypted, template)).toEqual([
      expect.stringContaining('launch template "subject" maps unencrypted EBS volume(s) /dev/xvda'),
    ]);
    const instance = { type: "aws:ec2/instance:Instance", props: { instanceType: "g6.xlarge" } };
    expect(await violationsOf(ebsEncrypted, instance)).toEqual([
      expect.stringContaining('EC2 instance "subject" has unencrypted volume(s) root'),
    ]);
  });

  it('accepts encrypted volumes (launch templates say "true")', async () => {
    expect(
      await violationsOf(ebsEncrypted, {
        type: "aws:ebs/volume:Volume",
        props: { encrypted: true },
      }),
    ).toEqual([]);
    const template = {
      type: "aws:ec2/launchTemplate:LaunchTemplate",
      props: { blockDeviceMappings: [{ deviceName: "/dev/xvda", ebs: { encrypted: "true" } }] },
    };
    expect(await violationsOf(ebsEncrypted, template)).toEqual([]);
    const instance = {
      type: "aws:ec2/instance:Instance",
      props: {
        rootBlockDevice: { encrypted: true },
        ebsBlockDevices: [{ deviceName: "/dev/sdf", encrypted: true }],
      },
    };
    expect(await violationsOf(ebsEncrypted, instance)).toEqual([]);
  });
});

describe("eks-node-volumes-encrypted (advisory)", () => {
  const group = {
    type: "aws:eks/nodeGroup:NodeGroup",
    name: "system",
    props: { instanceTypes: ["m6i.large"] },
  };

  it("reports a node group without a launch template at advisory level", async () => {
    const report = await stackViolationsOf(eksNodeVolumesEncrypted, [group]);
    expect(report).toEqual([
      {
        message: expect.stringContaining('EKS node group "system" has no launch template'),
        urn: urnOf(group.type, "system"),
      },
    ]);
    expect(eksNodeVolumesEncrypted.enforcementLevel).toBe("advisory");
  });

  it("accepts it once the stack turns on EBS encryption by default, or with a launch template", async () => {
    const byDefault = {
      type: "aws:ebs/encryptionByDefault:EncryptionByDefault",
      name: "ebs",
      props: { enabled: true },
    };
    expect(await stackViolationsOf(eksNodeVolumesEncrypted, [group, byDefault])).toEqual([]);
    const templated = { ...group, props: { launchTemplate: { id: "lt-1", version: "1" } } };
    expect(await stackViolationsOf(eksNodeVolumesEncrypted, [templated])).toEqual([]);
  });
});
