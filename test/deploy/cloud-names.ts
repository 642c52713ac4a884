import type { RecordedResource } from "pulumi-hybridai/testing";

/**
 * Where a physical name must be unique: across every account of the cloud (`global`), in one
 * AWS account or GCP project (`account`), in one account and region (`region`), or only inside
 * something else the resource belongs to (`local`: a cluster, a role, a router).
 */
export type NameScope = "global" | "account" | "region" | "local";

/** How a resource type's physical name is set and how long it may be. */
export interface NameRule {
  /** The input holding the name. */
  field: string;
  /** The cloud's length limit for it. */
  max: number;
  /** Where it must be unique. */
  scope: NameScope;
  /** Pulumi names it `<logical name>-<7 random characters>` when the field is absent. */
  autonamed: boolean;
  /** An input the cloud completes with a unique suffix, and its length limit. */
  prefix?: { field: string; max: number };
  /** Characters an autoname adds: `-` and 7 random for the bridged providers, `-` and 8 for Kubernetes. */
  autonameSuffix?: number;
}

const rule = (
  field: string,
  max: number,
  scope: NameScope,
  extra: Partial<NameRule> = {},
): NameRule => ({ field, max, scope, autonamed: true, ...extra });

/**
 * The physical names of every resource type the shipped stacks create, with the limits the
 * clouds document (EKS cluster 100, node group 63, IAM role 64 with a 38-character prefix, S3
 * bucket 63 with a 37-character prefix, EventBridge rule 64, SQS queue 80, GKE cluster and node
 * pool 40, GCP service account id 30, Cloud Router and NAT 63, Helm release 53).
 */
export const NAME_RULES: Readonly<Record<string, NameRule>> = {
  "aws:eks/cluster:Cluster": rule("name", 100, "region"),
  "aws:eks/nodeGroup:NodeGroup": rule("nodeGroupName", 63, "local"),
  "aws:iam/role:Role": rule("name", 64, "account", { prefix: { field: "namePrefix", max: 38 } }),
  "aws:iam/rolePolicy:RolePolicy": rule("name", 128, "local", {
    prefix: { field: "namePrefix", max: 102 },
  }),
  "aws:iam/instanceProfile:InstanceProfile": rule("name", 128, "account", {
    prefix: { field: "namePrefix", max: 102 },
  }),
  "aws:autoscaling/group:Group": rule("name", 255, "region", {
    prefix: { field: "namePrefix", max: 229 },
  }),
  "aws:ec2/launchTemplate:LaunchTemplate": rule("name", 128, "region", {
    prefix: { field: "namePrefix", max: 102 },
  }),
  "aws:sqs/queue:Queue": rule("name", 80, "region", { prefix: { field: "namePrefix", max: 54 } }),
  "aws:cloudwatch/eventRule:EventRule": rule("name", 64, "region", {
    prefix: { field: "namePrefix", max: 38 },
  }),
  "aws:cloudwatch/eventTarget:EventTarget": rule("targetId", 64, "local", { autonamed: false }),
  "aws:cloudwatch/logGroup:LogGroup": rule("name", 512, "region", {
    prefix: { field: "namePrefix", max: 483 },
  }),
  "aws:s3/bucket:Bucket": rule("bucket", 63, "global", {
    prefix: { field: "bucketPrefix", max: 37 },
  }),
  "aws:kms/alias:Alias": rule("name", 256, "region", { autonamed: false }),
  "kubernetes:helm.sh/v3:Release": rule("name", 53, "local"),
  "gcp:container/cluster:Cluster": rule("name", 40, "region"),
  "gcp:container/nodePool:NodePool": rule("name", 40, "local"),
  "gcp:serviceaccount/account:Account": rule("accountId", 30, "account", { autonamed: false }),
  "gcp:storage/bucket:Bucket": rule("name", 63, "global"),
  "gcp:compute/router:Router": rule("name", 63, "region"),
  "gcp:compute/routerNat:RouterNat": rule("name", 63, "local"),
  "gcp:compute/globalAddress:GlobalAddress": rule("name", 63, "account"),
};

/** Resource types whose physical identity is not a name the program chooses (ids, ARNs, Name tags). */
export const UNNAMED_TYPES: ReadonlySet<string> = new Set([
  "aws:cloudwatch/eventTarget:EventTarget",
  "aws:ec2/eip:Eip",
  "aws:ec2/internetGateway:InternetGateway",
  "aws:ec2/natGateway:NatGateway",
  "aws:ec2/routeTable:RouteTable",
  "aws:ec2/routeTableAssociation:RouteTableAssociation",
  "aws:ec2/subnet:Subnet",
  "aws:ec2/vpc:Vpc",
  "aws:ec2/vpcEndpoint:VpcEndpoint",
  "aws:eks/accessEntry:AccessEntry",
  "aws:eks/accessPolicyAssociation:AccessPolicyAssociation",
  "aws:eks/addon:Addon",
  "aws:iam/openIdConnectProvider:OpenIdConnectProvider",
  "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
  "aws:kms/key:Key",
  "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
  "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
  "aws:s3/bucketPolicy:BucketPolicy",
  "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
  "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
  "aws:s3/bucketVersioning:BucketVersioning",
  "aws:sqs/queuePolicy:QueuePolicy",
  "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
  "gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember",
  "gcp:projects/iAMMember:IAMMember",
  "gcp:serviceaccount/iAMMember:IAMMember",
  "gcp:storage/bucketIAMMember:BucketIAMMember",
  "pulumi:providers:kubernetes",
  // A Route 53 record is the DNS name the user chose (with a set identifier), the same name on
  // purpose whichever cluster serves it; health checks are identified by id.
  "aws:route53/healthCheck:HealthCheck",
  "aws:route53/record:Record",
  "random:index/randomPassword:RandomPassword",
]);

/** Kubernetes kinds whose names are DNS labels (63 characters); the rest are DNS subdomains (253). */
const LABEL_NAMED_KINDS = ["kubernetes:core/v1:Namespace", "kubernetes:core/v1:Service"];

/** The rule for a resource type: the table above, or Kubernetes `metadata.name`; `undefined` when unclassified. */
export function nameRuleFor(type: string): NameRule | undefined {
  if (NAME_RULES[type]) return NAME_RULES[type];
  if (type.startsWith("kubernetes:")) {
    return rule("metadata.name", LABEL_NAMED_KINDS.includes(type) ? 63 : 253, "local", {
      autonameSuffix: 9,
    });
  }
  return undefined;
}

/** The value at a dotted input path. */
function valueAt(inputs: Record<string, unknown>, path: string): unknown {
  return path
    .split(".")
    .reduce<unknown>((v, key) => (v as Record<string, unknown> | undefined)?.[key], inputs);
}

/** The name a resource gets in the cloud, as far as the program decides it. */
export interface PhysicalName {
  /** `explicit` (the program chose it), `prefix` (the cloud appends a unique suffix) or `auto` (Pulumi appends one). */
  kind: "explicit" | "prefix" | "auto";
  /** The name, prefix, or the logical name Pulumi builds on. */
  value: string;
  /** Its length in the cloud (an autoname adds its random suffix). */
  length: number;
  /** The limit. */
  max: number;
}

/** The physical name of a record under its rule, or `undefined` when neither set nor autonamed. */
export function physicalName(
  record: RecordedResource,
  nameRule: NameRule,
): PhysicalName | undefined {
  const explicit = valueAt(record.inputs, nameRule.field);
  if (typeof explicit === "string") {
    return { kind: "explicit", value: explicit, length: explicit.length, max: nameRule.max };
  }
  const prefix = nameRule.prefix && valueAt(record.inputs, nameRule.prefix.field);
  if (nameRule.prefix && typeof prefix === "string") {
    return { kind: "prefix", value: prefix, length: prefix.length, max: nameRule.prefix.max };
  }
  if (nameRule.autonamed) {
    const length = record.name.length + (nameRule.autonameSuffix ?? 8);
    return { kind: "auto", value: record.name, length, max: nameRule.max };
  }
  return undefined;
}
