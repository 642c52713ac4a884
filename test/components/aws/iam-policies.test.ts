import { aws, HybridAiConfigError } from "pulumi-hybridai";
import { describe, expect, it } from "vitest";

const {
  clusterAutoscalerPolicy,
  interruptionQueuePolicy,
  irsaTrustPolicy,
  modelStoreReadPolicy,
  policyDocument,
  terminationHandlerPolicy,
  tlsOnlyBucketPolicy,
  wildcardGrants,
} = aws;
type PolicyDocument = aws.PolicyDocument;

const account = { partition: "aws", region: "us-west-2", accountId: "123456789012" };
const roundTrip = (doc: PolicyDocument): PolicyDocument => JSON.parse(JSON.stringify(doc));

describe("wildcardGrants", () => {
  it("flags * on *, service:* on *, and * on anything; ignores Deny and scoped grants", () => {
    const doc = policyDocument(
      { Sid: "All", Effect: "Allow", Action: ["*"], Resource: ["arn:aws:s3:::b"] },
      { Sid: "S3", Effect: "Allow", Action: ["s3:*"], Resource: ["*"] },
      { Sid: "Scoped", Effect: "Allow", Action: ["s3:*"], Resource: ["arn:aws:s3:::b/*"] },
      { Sid: "Describe", Effect: "Allow", Action: ["ec2:DescribeInstances"], Resource: ["*"] },
      { Sid: "Deny", Effect: "Deny", Action: ["*"], Resource: ["*"] },
    );
    expect(wildcardGrants(doc)).toEqual(["All: Allow * on arn:aws:s3:::b", "S3: Allow s3:* on *"]);
  });
});

describe("IRSA trust policy", () => {
  const trust = irsaTrustPolicy({
    oidcProviderArn:
      "arn:aws:iam::123456789012:oidc-provider/oidc.eks.us-west-2.amazonaws.com/id/ABC",
    oidcIssuer: "https://oidc.eks.us-west-2.amazonaws.com/id/ABC",
    namespace: "serving",
    serviceAccountName: "model-reader",
  });

  it("lets exactly one service account assume the role, with the STS audience", () => {
    expect(roundTrip(trust).Statement).toEqual([
      {
        Sid: "AssumedByOneServiceAccount",
        Effect: "Allow",
        Principal: {
          Federated:
            "arn:aws:iam::123456789012:oidc-provider/oidc.eks.us-west-2.amazonaws.com/id/ABC",
        },
        Action: ["sts:AssumeRoleWithWebIdentity"],
        Condition: {
          StringEquals: {
            "oidc.eks.us-west-2.amazonaws.com/id/ABC:sub":
              "system:serviceaccount:serving:model-reader",
            "oidc.eks.us-west-2.amazonaws.com/id/ABC:aud": "sts.amazonaws.com",
          },
        },
      },
    ]);
  });

  it.each([
    ["serving", "*"],
    ["*", "reader"],
    ["Serving", "reader"],
  ])("rejects wildcards and bad names (%s:%s)", (namespace, serviceAccountName) => {
    expect(() =>
      irsaTrustPolicy(
        { oidcProviderArn: "arn", oidcIssuer: "https://x", namespace, serviceAccountName },
        "AwsModelStore",
      ),
    ).toThrow(HybridAiConfigError);
  });
});

describe("cluster-autoscaler policy", () => {
  const doc = roundTrip(clusterAutoscalerPolicy(account, "prod"));

  it("is least privilege: writes only on groups tagged as owned by this cluster", () => {
    expect(wildcardGrants(doc)).toEqual([]);
    const writes = doc.Statement.filter((s) => s.Action.some((a) => /Set|Terminate/.test(a)));
    expect(writes).toEqual([
      {
        Sid: "ScaleOwnedGroupsOnly",
        Effect: "Allow",
        Action: [
          "autoscaling:SetDesiredCapacity",
          "autoscaling:TerminateInstanceInAutoScalingGroup",
        ],
        Resource: ["arn:aws:autoscaling:us-west-2:123456789012:autoScalingGroup:*"],
        Condition: { StringEquals: { "aws:ResourceTag/k8s.io/cluster-autoscaler/prod": "owned" } },
      },
    ]);
    const unscoped = doc.Statement.filter((s) => s.Resource?.includes("*")).flatMap(
      (s) => s.Action,
    );
    // Read-only calls cluster-autoscaler's AWS provider documents as needing Resource "*".
    expect(unscoped).toEqual([
      "autoscaling:DescribeAutoScalingGroups",
      "autoscaling:DescribeAutoScalingInstances",
      "autoscaling:DescribeLaunchConfigurations",
      "autoscaling:DescribeScalingActivities",
      "autoscaling:DescribeTags",
      "ec2:DescribeImages",
      "ec2:DescribeInstanceTypes",
      "ec2:DescribeLaunchTemplateVersions",
      "ec2:GetInstanceTypesFromInstanceRequirements",
    ]);
  });
});

describe("termination handler policy", () => {
  const doc = roundTrip(
    terminationHandlerPolicy(account, {
      queueArn: "arn:aws:sqs:us-west-2:123456789012:q",
      autoScalingGroupName: "hybridai-fleet-l4",
      clusterName: "prod",
    }),
  );

  it("consumes only its queue and completes lifecycle actions only of its own tagged group", () => {
    expect(wildcardGrants(doc)).toEqual([]);
    expect(doc.Statement.find((s) => s.Sid === "ConsumeOwnQueue")?.Resource).toEqual([
      "arn:aws:sqs:us-west-2:123456789012:q",
    ]);
    const complete = doc.Statement.find((s) =>
      s.Action.includes("autoscaling:CompleteLifecycleAction"),
    );
    expect(complete?.Resource).toEqual([
      "arn:aws:autoscaling:us-west-2:123456789012:autoScalingGroup:*:autoScalingGroupName/hybridai-fleet-l4",
    ]);
    expect(complete?.Condition).toEqual({
      StringEquals: { "aws:ResourceTag/k8s.io/cluster-autoscaler/prod": "owned" },
    });
    const unscoped = doc.Statement.filter((s) => s.Resource?.includes("*")).flatMap(
      (s) => s.Action,
    );
    expect(unscoped).toEqual([
      "autoscaling:DescribeAutoScalingInstances",
      "autoscaling:DescribeTags",
      "ec2:DescribeInstances",
    ]);
  });
});

describe("model store policies", () => {
  const read = roundTrip(
    modelStoreReadPolicy({
      bucketArn: "arn:aws:s3:::models",
      kmsKeyArn: "arn:aws:kms:us-west-2:123456789012:key/k",
      prefix: "models/",
      region: "us-west-2",
    }),
  );

  it("reads the prefix only, and decrypts only through S3", () => {
    expect(wildcardGrants(read)).toEqual([]);
    expect(read.Statement.flatMap((s) => s.Action).sort()).toEqual([
      "kms:Decrypt",
      "s3:GetObject",
      "s3:GetObjectVersion",
      "s3:ListBucket",
    ]);
    expect(read.Statement.find((s) => s.Sid === "ReadModels")?.Resource).toEqual([
      "arn:aws:s3:::models/models/*",
    ]);
    expect(read.Statement.find((s) => s.Sid === "ListModelPrefix")?.Condition).toEqual({
      StringLike: { "s3:prefix": ["models/*"] },
    });
    expect(read.Statement.find((s) => s.Sid === "DecryptThroughS3")?.Condition).toEqual({
      StringEquals: { "kms:ViaService": "s3.us-west-2.amazonaws.com" },
    });
  });

  it("denies any request without TLS", () => {
    expect(roundTrip(tlsOnlyBucketPolicy("arn:aws:s3:::models")).Statement).toEqual([
      {
        Sid: "DenyInsecureTransport",
        Effect: "Deny",
        Principal: "*",
        Action: ["s3:*"],
        Resource: ["arn:aws:s3:::models", "arn:aws:s3:::models/*"],
        Condition: { Bool: { "aws:SecureTransport": "false" } },
      },
    ]);
  });
});

describe("interruption queue policy", () => {
  it("lets only EventBridge and SQS send, on behalf of the given rules, over TLS", () => {
    const doc = roundTrip(
      interruptionQueuePolicy("arn:aws:sqs:us-west-2:1:q", ["arn:rule/a", "arn:rule/b"]),
    );
    expect(wildcardGrants(doc)).toEqual([]);
    const [allow, deny] = doc.Statement;
    expect(allow).toEqual({
      Sid: "SendFromInterruptionRules",
      Effect: "Allow",
      Principal: { Service: ["events.amazonaws.com", "sqs.amazonaws.com"] },
      Action: ["sqs:SendMessage"],
      Resource: ["arn:aws:sqs:us-west-2:1:q"],
      Condition: { ArnEquals: { "aws:SourceArn": ["arn:rule/a", "arn:rule/b"] } },
    });
    expect(deny).toMatchObject({
      Effect: "Deny",
      Condition: { Bool: { "aws:SecureTransport": "false" } },
    });
  });
});
