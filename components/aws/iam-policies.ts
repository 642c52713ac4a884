import { assertKubernetesName } from "./names";
import { type PolicyDocument, policyDocument } from "./policy-document";

/** Where ARNs point: the partition, region and account of the resources. */
export interface AwsAccount {
  /** ARN partition, e.g. `aws`. */
  partition: string;
  /** Region, e.g. `us-west-2`. */
  region: string;
  /** Twelve-digit account id. */
  accountId: string;
}

/** The AWS managed policies an EKS node needs, and nothing more. */
export const NODE_MANAGED_POLICIES = [
  "AmazonEKSWorkerNodePolicy",
  "AmazonEC2ContainerRegistryReadOnly",
  "AmazonEKS_CNI_Policy",
] as const;

/** The AWS managed policy the EKS control plane's role needs. */
export const CLUSTER_MANAGED_POLICIES = ["AmazonEKSClusterPolicy"] as const;

/** The ARN of an AWS managed policy in a partition. */
export function managedPolicyArn(partition: string, name: string): string {
  return `arn:${partition}:iam::aws:policy/${name}`;
}

/** A trust policy that lets one AWS service (e.g. `ec2.amazonaws.com`) assume the role. */
export function serviceTrustPolicy(service: string): PolicyDocument {
  return policyDocument({
    Sid: "AssumedByService",
    Effect: "Allow",
    Principal: { Service: service },
    Action: ["sts:AssumeRole"],
  });
}

/** What an IRSA trust policy is scoped to. */
export interface IrsaTrust {
  /** ARN of the cluster's IAM OIDC provider. */
  oidcProviderArn: string;
  /** The cluster's OIDC issuer URL (`https://oidc.eks.<region>.amazonaws.com/id/<id>`). */
  oidcIssuer: string;
  /** Namespace of the one service account allowed to assume the role. */
  namespace: string;
  /** Name of that service account. */
  serviceAccountName: string;
}

/**
 * An IAM Roles for Service Accounts trust policy: only tokens for exactly
 * `system:serviceaccount:<namespace>:<name>`, with audience `sts.amazonaws.com`, may assume the role.
 */
export function irsaTrustPolicy(trust: IrsaTrust, component = "irsaTrustPolicy"): PolicyDocument {
  const namespace = assertKubernetesName(component, "namespace", trust.namespace);
  const name = assertKubernetesName(component, "serviceAccountName", trust.serviceAccountName);
  const issuer = trust.oidcIssuer.replace(/^https:\/\//, "");
  return policyDocument({
    Sid: "AssumedByOneServiceAccount",
    Effect: "Allow",
    Principal: { Federated: trust.oidcProviderArn },
    Action: ["sts:AssumeRoleWithWebIdentity"],
    Condition: {
      StringEquals: {
        [`${issuer}:sub`]: `system:serviceaccount:${namespace}:${name}`,
        [`${issuer}:aud`]: "sts.amazonaws.com",
      },
    },
  });
}

/**
 * What the EKS control plane's role needs to envelope-encrypt Kubernetes secrets with the
 * cluster's KMS key: encrypt, decrypt, describe and list grants on that one key.
 */
export function clusterEncryptionPolicy(kmsKeyArn: string): PolicyDocument {
  return policyDocument({
    Sid: "EncryptSecretsWithClusterKey",
    Effect: "Allow",
    Action: ["kms:Encrypt", "kms:Decrypt", "kms:ListGrants", "kms:DescribeKey"],
    Resource: [kmsKeyArn],
  });
}

/** The tag key cluster-autoscaler discovers a cluster's node groups by. */
export function clusterAutoscalerOwnerTag(clusterName: string): string {
  return `k8s.io/cluster-autoscaler/${clusterName}`;
}

/**
 * cluster-autoscaler's permissions: describe calls (which support no resource scoping) on `*`;
 * scaling only Auto Scaling groups tagged `k8s.io/cluster-autoscaler/<cluster>=owned`; node
 * group descriptions only for this cluster's managed node groups.
 */
export function clusterAutoscalerPolicy(account: AwsAccount, clusterName: string): PolicyDocument {
  const { partition, region, accountId } = account;
  return policyDocument(
    {
      Sid: "DescribeScalingState",
      Effect: "Allow",
      Action: [
        "autoscaling:DescribeAutoScalingGroups",
        "autoscaling:DescribeAutoScalingInstances",
        "autoscaling:DescribeLaunchConfigurations",
        "autoscaling:DescribeScalingActivities",
        "autoscaling:DescribeTags",
        "ec2:DescribeImages",
        "ec2:DescribeInstanceTypes",
        "ec2:DescribeLaunchTemplateVersions",
        "ec2:GetInstanceTypesFromInstanceRequirements",
      ],
      Resource: ["*"],
    },
    {
      Sid: "ScaleOwnedGroupsOnly",
      Effect: "Allow",
      Action: ["autoscaling:SetDesiredCapacity", "autoscaling:TerminateInstanceInAutoScalingGroup"],
      Resource: [`arn:${partition}:autoscaling:${region}:${accountId}:autoScalingGroup:*`],
      Condition: {
        StringEquals: { [`aws:ResourceTag/${clusterAutoscalerOwnerTag(clusterName)}`]: "owned" },
      },
    },
    {
      Sid: "DescribeThisClustersNodeGroups",
      Effect: "Allow",
      Action: ["eks:DescribeNodegroup"],
      Resource: [`arn:${partition}:eks:${region}:${accountId}:nodegroup/${clusterName}/*`],
    },
  );
}

/** What aws-node-termination-handler works on. */
export interface TerminationHandlerScope {
  /** ARN of its SQS queue. */
  queueArn: string;
  /** Name of the one Auto Scaling group whose lifecycle actions it completes. */
  autoScalingGroupName: string;
  /** The cluster, whose owner tag the group must carry. */
  clusterName: string;
}

/**
 * aws-node-termination-handler's permissions in queue mode: read and delete messages of its own
 * queue, complete lifecycle actions of its own Auto Scaling group only (by ARN and owner tag),
 * and the describe calls it needs (which support no resource scoping).
 */
export function terminationHandlerPolicy(
  account: AwsAccount,
  scope: TerminationHandlerScope,
): PolicyDocument {
  const { partition, region, accountId } = account;
  return policyDocument(
    {
      Sid: "ConsumeOwnQueue",
      Effect: "Allow",
      Action: ["sqs:ReceiveMessage", "sqs:DeleteMessage"],
      Resource: [scope.queueArn],
    },
    {
      Sid: "CompleteOwnLifecycleActions",
      Effect: "Allow",
      Action: ["autoscaling:CompleteLifecycleAction"],
      Resource: [
        `arn:${partition}:autoscaling:${region}:${accountId}:autoScalingGroup:*:autoScalingGroupName/${scope.autoScalingGroupName}`,
      ],
      Condition: {
        StringEquals: {
          [`aws:ResourceTag/${clusterAutoscalerOwnerTag(scope.clusterName)}`]: "owned",
        },
      },
    },
    {
      Sid: "DescribeInstances",
      Effect: "Allow",
      Action: [
        "autoscaling:DescribeAutoScalingInstances",
        "autoscaling:DescribeTags",
        "ec2:DescribeInstances",
      ],
      Resource: ["*"],
    },
  );
}

/** The part of a model store one reader may read. */
export interface ModelStoreReadScope {
  /** ARN of the bucket. */
  bucketArn: string;
  /** ARN of the KMS key the objects are encrypted with. */
  kmsKeyArn: string;
  /** Key prefix the reader may read, e.g. `models/` (empty for the whole bucket). */
  prefix: string;
  /** Region of the bucket (decrypt is allowed only through S3 there). */
  region: string;
}

/**
 * Read-only access to a model store: list the prefix, get objects (and their versions) under it,
 * and decrypt with the store's key only when S3 in the bucket's region asks.
 */
export function modelStoreReadPolicy(scope: ModelStoreReadScope): PolicyDocument {
  return policyDocument(
    {
      Sid: "ListModelPrefix",
      Effect: "Allow",
      Action: ["s3:ListBucket"],
      Resource: [scope.bucketArn],
      Condition: { StringLike: { "s3:prefix": [`${scope.prefix}*`] } },
    },
    {
      Sid: "ReadModels",
      Effect: "Allow",
      Action: ["s3:GetObject", "s3:GetObjectVersion"],
      Resource: [`${scope.bucketArn}/${scope.prefix}*`],
    },
    {
      Sid: "DecryptThroughS3",
      Effect: "Allow",
      Action: ["kms:Decrypt"],
      Resource: [scope.kmsKeyArn],
      Condition: { StringEquals: { "kms:ViaService": `s3.${scope.region}.amazonaws.com` } },
    },
  );
}

/** A bucket policy that denies every request not made over TLS. */
export function tlsOnlyBucketPolicy(bucketArn: string): PolicyDocument {
  return policyDocument({
    Sid: "DenyInsecureTransport",
    Effect: "Deny",
    Principal: "*",
    Action: ["s3:*"],
    Resource: [bucketArn, `${bucketArn}/*`],
    Condition: { Bool: { "aws:SecureTransport": "false" } },
  });
}

/**
 * The interruption queue's policy: only EventBridge (and SQS itself) may send, and only on behalf
 * of the given rules; any request without TLS is denied.
 */
export function interruptionQueuePolicy(queueArn: string, ruleArns: string[]): PolicyDocument {
  return policyDocument(
    {
      Sid: "SendFromInterruptionRules",
      Effect: "Allow",
      Principal: { Service: ["events.amazonaws.com", "sqs.amazonaws.com"] },
      Action: ["sqs:SendMessage"],
      Resource: [queueArn],
      Condition: { ArnEquals: { "aws:SourceArn": ruleArns } },
    },
    {
      Sid: "DenyInsecureTransport",
      Effect: "Deny",
      Principal: "*",
      Action: ["sqs:*"],
      Resource: [queueArn],
      Condition: { Bool: { "aws:SecureTransport": "false" } },
    },
  );
}
