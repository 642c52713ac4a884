import { type PackResourcePolicy, settingsOf } from "../../../shared/src/policy";
import { at, listAt, objectAt, stringAt } from "../../../shared/src/props";

/** AWS types that carry tags (any other AWS resource is checked when it declares `tags`). */
const TAGGED_AWS_TYPES = [
  "aws:ec2/vpc:Vpc",
  "aws:ec2/subnet:Subnet",
  "aws:ec2/instance:Instance",
  "aws:ec2/launchTemplate:LaunchTemplate",
  "aws:ec2/securityGroup:SecurityGroup",
  "aws:ec2/natGateway:NatGateway",
  "aws:ec2/eip:Eip",
  "aws:ebs/volume:Volume",
  "aws:eks/cluster:Cluster",
  "aws:eks/nodeGroup:NodeGroup",
  "aws:autoscaling/group:Group",
  "aws:s3/bucket:Bucket",
  "aws:s3/bucketV2:BucketV2",
  "aws:kms/key:Key",
  "aws:iam/role:Role",
  "aws:sqs/queue:Queue",
  "aws:cloudwatch/logGroup:LogGroup",
  "aws:ecr/repository:Repository",
  "aws:efs/fileSystem:FileSystem",
  "aws:lb/loadBalancer:LoadBalancer",
];

/** Where each GCP type keeps its labels. */
const GCP_LABEL_PATHS: Readonly<Record<string, string>> = {
  "gcp:storage/bucket:Bucket": "labels",
  "gcp:container/cluster:Cluster": "resourceLabels",
  "gcp:container/nodePool:NodePool": "nodeConfig.resourceLabels",
  "gcp:compute/instance:Instance": "labels",
  "gcp:compute/disk:Disk": "labels",
  "gcp:kms/cryptoKey:CryptoKey": "labels",
};

function keysOf(value: unknown): string[] {
  return Object.keys(value !== null && typeof value === "object" ? value : {});
}

/** The tag or label keys a resource will carry, provider defaults included; `undefined`: not taggable. */
function tagKeys(
  type: string,
  props: unknown,
  providerProps: unknown,
): { keys: string[]; noun: string } | undefined {
  if (type.startsWith("aws:")) {
    if (!TAGGED_AWS_TYPES.includes(type) && at(props, "tags") === undefined) return undefined;
    const ownTags =
      type === "aws:autoscaling/group:Group"
        ? listAt(props, "tags").map((t) => stringAt(t, "key") ?? "")
        : keysOf(at(props, "tags"));
    return { keys: [...ownTags, ...keysOf(at(providerProps, "defaultTags.tags"))], noun: "tags" };
  }
  const path = GCP_LABEL_PATHS[type];
  if (path) {
    return {
      keys: [...keysOf(objectAt(props, path)), ...keysOf(at(providerProps, "defaultLabels"))],
      noun: "labels",
    };
  }
  return undefined;
}

/** Cloud resources carry the organisation's required tags (AWS) or labels (GCP). */
export const requiredTags: PackResourcePolicy = {
  name: "required-tags",
  description:
    "AWS resources that take tags, and GCP resources that take labels, carry every required key " +
    "(provider default tags and labels count). Nothing is required until configured.",
  remediationSteps:
    "Add the keys to the resource's tags/labels, or once for all resources through the AWS " +
    "provider's defaultTags or the Google provider's defaultLabels.",
  enforcementLevel: "mandatory",
  configSchema: {
    properties: {
      requiredKeys: {
        type: "array",
        items: { type: "string" },
        default: [],
        description: 'Keys every taggable resource must carry, e.g. ["owner", "cost-center"].',
      },
    },
  },
  validateResource: (args, report) => {
    const { requiredKeys } = settingsOf<{ requiredKeys: string[] }>(
      args,
      requiredTags.configSchema,
    );
    const found = tagKeys(args.type, args.props, args.provider?.props);
    if (!found) {
      return args.notApplicable("applies to AWS resources with tags and GCP resources with labels");
    }
    const missing = requiredKeys.filter((key) => !found.keys.includes(key));
    if (missing.length > 0) {
      report(`"${args.name}" lacks required ${found.noun} ${missing.join(", ")}.`);
    }
  },
};
