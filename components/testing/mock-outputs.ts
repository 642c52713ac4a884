import { createHash } from "node:crypto";
import type * as pulumi from "@pulumi/pulumi";
import { isNamespacedKind } from "./kubernetes-scope";
import type { PropertyMap } from "./property-map";

/** The fake AWS account every mocked ARN and identity uses. */
export const MOCK_AWS_ACCOUNT_ID = "123456789012";
/** The AWS region every mocked ARN, endpoint and `getRegion` result uses. */
export const MOCK_AWS_REGION = "us-west-2";
/** The GCP project every mocked GCP resource and `getProject`/`getClientConfig` result uses. */
export const MOCK_GCP_PROJECT = "hybridai-mock";
/** The GCP region `getClientConfig` reports. */
export const MOCK_GCP_REGION = "us-central1";

const MOCK_CERTIFICATE_PEM = Buffer.from(
  "-----BEGIN CERTIFICATE-----\nTU9DSyBDRVJUSUZJQ0FURQ==\n-----END CERTIFICATE-----\n",
).toString("base64");

/** A stable hex string derived from the given parts, so repeated runs record identical outputs. */
function stableHex(length: number, ...parts: string[]): string {
  return createHash("sha256").update(parts.join("\u0000")).digest("hex").slice(0, length);
}

/** A stable UUID-shaped identifier (KMS key ids look like this). */
function stableUuid(...parts: string[]): string {
  const hex = stableHex(32, ...parts);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

function awsArn(service: string, resource: string, region: string = MOCK_AWS_REGION): string {
  return `arn:aws:${service}:${region}:${MOCK_AWS_ACCOUNT_ID}:${resource}`;
}

/** What a default-output rule sees: the mock's arguments and the id chosen for the resource. */
interface OutputContext {
  args: pulumi.runtime.MockResourceArgs;
  id: string;
  /** The name the cloud would use: the `name` input when given, else the logical name. */
  physicalName: string;
}

interface OutputRule {
  /** The id the mock returns, when the type has a recognizable id format. */
  id?: (args: pulumi.runtime.MockResourceArgs) => string;
  /** Outputs added to the inputs (inputs given by the program win). */
  outputs: (context: OutputContext) => Record<string, unknown>;
}

/**
 * Plausible outputs for the resource types our components (and typical user programs) create.
 * Keyed by type token. Anything missing here gets its inputs back and the id `<name>-id`.
 */
const DEFAULT_OUTPUTS: Record<string, OutputRule> = {
  "aws:eks/cluster:Cluster": {
    outputs: ({ physicalName }) => {
      const hex = stableHex(32, "eks", physicalName).toUpperCase();
      return {
        name: physicalName,
        arn: awsArn("eks", `cluster/${physicalName}`),
        endpoint: `https://${hex}.gr7.${MOCK_AWS_REGION}.eks.amazonaws.com`,
        certificateAuthority: { data: MOCK_CERTIFICATE_PEM },
        identities: [
          { oidcs: [{ issuer: `https://oidc.eks.${MOCK_AWS_REGION}.amazonaws.com/id/${hex}` }] },
        ],
        version: "1.31",
        platformVersion: "eks.1",
        status: "ACTIVE",
      };
    },
  },
  "aws:eks/nodeGroup:NodeGroup": {
    outputs: ({ args }) => {
      const nodeGroupName = (args.inputs.nodeGroupName as string | undefined) ?? args.name;
      return {
        nodeGroupName,
        arn: awsArn(
          "eks",
          `nodegroup/${args.inputs.clusterName}/${nodeGroupName}/${stableUuid(args.name)}`,
        ),
        status: "ACTIVE",
        resources: [
          { autoscalingGroups: [{ name: `eks-${nodeGroupName}-${stableHex(8, args.name)}` }] },
        ],
      };
    },
  },
  "aws:eks/addon:Addon": {
    outputs: ({ args }) => ({
      arn: awsArn(
        "eks",
        `addon/${args.inputs.clusterName}/${args.inputs.addonName}/${stableUuid(args.name)}`,
      ),
    }),
  },
  "aws:iam/role:Role": {
    outputs: ({ physicalName }) => ({
      name: physicalName,
      arn: awsArn("iam", `role/${physicalName}`, ""),
      uniqueId: `AROA${stableHex(17, "role", physicalName).toUpperCase()}`,
    }),
  },
  "aws:iam/policy:Policy": {
    outputs: ({ physicalName }) => ({
      name: physicalName,
      arn: awsArn("iam", `policy/${physicalName}`, ""),
      policyId: `ANPA${stableHex(17, "policy", physicalName).toUpperCase()}`,
    }),
  },
  "aws:iam/instanceProfile:InstanceProfile": {
    outputs: ({ physicalName }) => ({
      name: physicalName,
      arn: awsArn("iam", `instance-profile/${physicalName}`, ""),
    }),
  },
  "aws:iam/openIdConnectProvider:OpenIdConnectProvider": {
    outputs: ({ args }) => {
      const url = String(args.inputs.url ?? `https://oidc.example/${args.name}`);
      return { arn: awsArn("iam", `oidc-provider/${url.replace(/^https:\/\//, "")}`, "") };
    },
  },
  "random:index/randomPassword:RandomPassword": {
    outputs: ({ args }) => ({
      result: stableHex(Number(args.inputs.length ?? 16), "password", args.name).padEnd(
        Number(args.inputs.length ?? 16),
        "0",
      ),
    }),
  },
  "aws:kms/key:Key": {
    id: (args) => stableUuid("kms", args.name),
    outputs: ({ id }) => ({ keyId: id, arn: awsArn("kms", `key/${id}`) }),
  },
  "aws:kms/alias:Alias": {
    outputs: ({ physicalName }) => ({ arn: awsArn("kms", physicalName) }),
  },
  "aws:s3/bucket:Bucket": { outputs: s3BucketOutputs },
  "aws:s3/bucketV2:BucketV2": { outputs: s3BucketOutputs },
  "aws:sqs/queue:Queue": {
    outputs: ({ physicalName }) => ({
      name: physicalName,
      arn: awsArn("sqs", physicalName),
      url: `https://sqs.${MOCK_AWS_REGION}.amazonaws.com/${MOCK_AWS_ACCOUNT_ID}/${physicalName}`,
    }),
  },
  "aws:cloudwatch/eventRule:EventRule": {
    outputs: ({ physicalName }) => ({
      name: physicalName,
      arn: awsArn("events", `rule/${physicalName}`),
    }),
  },
  "aws:ecr/repository:Repository": {
    outputs: ({ physicalName }) => ({
      name: physicalName,
      arn: awsArn("ecr", `repository/${physicalName}`),
      repositoryUrl: `${MOCK_AWS_ACCOUNT_ID}.dkr.ecr.${MOCK_AWS_REGION}.amazonaws.com/${physicalName}`,
    }),
  },
  "aws:ec2/vpc:Vpc": {
    id: (args) => `vpc-${stableHex(17, args.name)}`,
    outputs: ({ id }) => ({
      arn: awsArn("ec2", `vpc/${id}`),
      defaultSecurityGroupId: `sg-${stableHex(17, id)}`,
      mainRouteTableId: `rtb-${stableHex(17, id)}`,
    }),
  },
  "aws:ec2/subnet:Subnet": {
    id: (args) => `subnet-${stableHex(17, args.name)}`,
    outputs: ({ id }) => ({
      arn: awsArn("ec2", `subnet/${id}`),
      availabilityZone: `${MOCK_AWS_REGION}a`,
    }),
  },
  "aws:ec2/securityGroup:SecurityGroup": {
    id: (args) => `sg-${stableHex(17, args.name)}`,
    outputs: ({ id }) => ({ arn: awsArn("ec2", `security-group/${id}`) }),
  },
  "aws:ec2/launchTemplate:LaunchTemplate": {
    id: (args) => `lt-${stableHex(17, args.name)}`,
    outputs: ({ id }) => ({
      arn: awsArn("ec2", `launch-template/${id}`),
      latestVersion: 1,
      defaultVersion: 1,
    }),
  },
  "gcp:container/cluster:Cluster": {
    outputs: ({ args, physicalName }) => {
      const location = String(args.inputs.location ?? MOCK_GCP_REGION);
      const project = String(args.inputs.project ?? MOCK_GCP_PROJECT);
      return {
        name: physicalName,
        location,
        project,
        endpoint: "34.118.0.10",
        masterAuth: { clusterCaCertificate: MOCK_CERTIFICATE_PEM },
        masterVersion: "1.31.1-gke.1000",
        selfLink: `https://container.googleapis.com/v1/projects/${project}/locations/${location}/clusters/${physicalName}`,
      };
    },
  },
  "gcp:container/nodePool:NodePool": {
    outputs: ({ args, physicalName }) => ({
      name: physicalName,
      instanceGroupUrls: [
        `https://www.googleapis.com/compute/v1/projects/${MOCK_GCP_PROJECT}/zones/${MOCK_GCP_REGION}-a/instanceGroupManagers/gke-${args.name}-grp`,
      ],
    }),
  },
  "gcp:serviceaccount/account:Account": {
    outputs: ({ args }) => {
      const project = String(args.inputs.project ?? MOCK_GCP_PROJECT);
      const email = `${args.inputs.accountId ?? args.name}@${project}.iam.gserviceaccount.com`;
      return {
        email,
        member: `serviceAccount:${email}`,
        name: `projects/${project}/serviceAccounts/${email}`,
        uniqueId: BigInt(`0x${stableHex(15, email)}`).toString(),
      };
    },
  },
  "gcp:storage/bucket:Bucket": {
    outputs: ({ physicalName }) => ({
      name: physicalName,
      url: `gs://${physicalName}`,
      selfLink: `https://www.googleapis.com/storage/v1/b/${physicalName}`,
    }),
  },
  "gcp:compute/network:Network": {
    outputs: ({ physicalName }) => ({
      name: physicalName,
      selfLink: `https://www.googleapis.com/compute/v1/projects/${MOCK_GCP_PROJECT}/global/networks/${physicalName}`,
    }),
  },
  "gcp:compute/subnetwork:Subnetwork": {
    outputs: ({ args, physicalName }) => ({
      name: physicalName,
      selfLink: `https://www.googleapis.com/compute/v1/projects/${MOCK_GCP_PROJECT}/regions/${args.inputs.region ?? MOCK_GCP_REGION}/subnetworks/${physicalName}`,
    }),
  },
};

function s3BucketOutputs({ args }: OutputContext): Record<string, unknown> {
  const bucket = String(args.inputs.bucket ?? args.name);
  return {
    bucket,
    arn: `arn:aws:s3:::${bucket}`,
    bucketDomainName: `${bucket}.s3.amazonaws.com`,
    bucketRegionalDomainName: `${bucket}.s3.${MOCK_AWS_REGION}.amazonaws.com`,
    region: MOCK_AWS_REGION,
  };
}

/** A `kubernetes:<group>/<version>:<Kind>` type of a single object (not Helm, YAML or a List). */
const KUBERNETES_OBJECT_TYPE = /^kubernetes:([^:]+\/[^:]+):([A-Za-z0-9]+)$/;

/** `metadata.name` defaulting to the logical name (mocks don't autoname) and the namespace. */
function kubernetesOutputs(
  args: pulumi.runtime.MockResourceArgs,
): Record<string, unknown> | undefined {
  const match = KUBERNETES_OBJECT_TYPE.exec(args.type);
  if (!match || match[1].startsWith("helm.sh/") || match[1].startsWith("yaml/")) {
    return undefined;
  }
  const kind = match[2];
  const metadata = (args.inputs.metadata ?? {}) as Record<string, unknown>;
  const namespaced = isNamespacedKind(kind);
  return {
    metadata: {
      ...metadata,
      name: metadata.name ?? args.name,
      ...(namespaced ? { namespace: metadata.namespace ?? "default" } : {}),
      uid: stableUuid("k8s", args.type, args.name),
    },
  };
}

/** The physical name a cloud resource gets: its `name` input when given, else the logical name. */
function physicalNameOf(args: pulumi.runtime.MockResourceArgs): string {
  const name = args.inputs.name;
  return typeof name === "string" && name.length > 0 ? name : args.name;
}

/**
 * The default mock result for a resource: its inputs plus plausible outputs for its type. The
 * program's own inputs always win over a default output of the same name.
 */
export function defaultResourceResult(args: pulumi.runtime.MockResourceArgs): {
  id: string;
  state: Record<string, unknown>;
} {
  const kubernetes = kubernetesOutputs(args);
  if (kubernetes) {
    const metadata = kubernetes.metadata as { name: string; namespace?: string };
    const id = metadata.namespace ? `${metadata.namespace}/${metadata.name}` : metadata.name;
    return { id, state: { ...args.inputs, ...kubernetes } };
  }
  const rule = DEFAULT_OUTPUTS[args.type];
  const id = args.id || rule?.id?.(args) || `${args.name}-id`;
  const outputs = rule?.outputs({ args, id, physicalName: physicalNameOf(args) }) ?? {};
  return { id, state: { ...outputs, ...args.inputs } };
}

/** Renders `aws.iam.getPolicyDocument` statements as the IAM JSON the provider would return. */
function renderPolicyDocument(inputs: PropertyMap): Record<string, unknown> {
  const principalsOf = (principals: { type: string; identifiers: string[] }[] | undefined) =>
    principals &&
    Object.fromEntries(
      principals.map((p) => [
        p.type,
        p.identifiers.length === 1 ? p.identifiers[0] : p.identifiers,
      ]),
    );
  const statements = ((inputs.statements ?? []) as PropertyMap[]).map((s) => {
    const conditions = s.conditions as
      | { test: string; variable: string; values: string[] }[]
      | undefined;
    const rendered: Record<string, unknown> = {
      Sid: s.sid,
      Effect: s.effect ?? "Allow",
      Action: s.actions,
      NotAction: s.notActions,
      Resource: s.resources,
      NotResource: s.notResources,
      Principal: principalsOf(s.principals),
      NotPrincipal: principalsOf(s.notPrincipals),
      Condition: conditions?.reduce<Record<string, Record<string, string[]>>>((acc, c) => {
        acc[c.test] = { ...acc[c.test], [c.variable]: c.values };
        return acc;
      }, {}),
    };
    return Object.fromEntries(Object.entries(rendered).filter(([, v]) => v !== undefined));
  });
  const json = JSON.stringify({ Version: inputs.version ?? "2012-10-17", Statement: statements });
  return { id: stableHex(10, json), json, minifiedJson: json, statements: inputs.statements ?? [] };
}

const AWS_ZONES = ["a", "b", "c"].map((suffix) => `${MOCK_AWS_REGION}${suffix}`);

/** Results for the provider functions (invokes) programs commonly call, keyed by token. */
const DEFAULT_CALLS: Record<string, (inputs: PropertyMap) => Record<string, unknown>> = {
  "aws:index/getRegion:getRegion": () => ({
    id: MOCK_AWS_REGION,
    name: MOCK_AWS_REGION,
    region: MOCK_AWS_REGION,
    description: "US West (Oregon)",
    endpoint: `ec2.${MOCK_AWS_REGION}.amazonaws.com`,
  }),
  "aws:index/getCallerIdentity:getCallerIdentity": () => ({
    id: MOCK_AWS_ACCOUNT_ID,
    accountId: MOCK_AWS_ACCOUNT_ID,
    arn: `arn:aws:iam::${MOCK_AWS_ACCOUNT_ID}:user/hybridai-mock`,
    userId: "AIDAMOCKUSERID000000",
  }),
  "aws:index/getPartition:getPartition": () => ({
    id: "aws",
    partition: "aws",
    dnsSuffix: "amazonaws.com",
    reverseDnsPrefix: "com.amazonaws",
  }),
  "aws:index/getAvailabilityZones:getAvailabilityZones": () => ({
    id: MOCK_AWS_REGION,
    names: AWS_ZONES,
    zoneIds: ["usw2-az1", "usw2-az2", "usw2-az3"],
    groupNames: [MOCK_AWS_REGION],
    state: "available",
  }),
  "aws:iam/getPolicyDocument:getPolicyDocument": renderPolicyDocument,
  "aws:ec2/getVpc:getVpc": (inputs) => ({
    id: inputs.id ?? "vpc-0mockdefault0000",
    cidrBlock: "10.0.0.0/16",
    arn: awsArn("ec2", `vpc/${inputs.id ?? "vpc-0mockdefault0000"}`),
  }),
  "aws:ec2/getSubnets:getSubnets": () => ({
    id: MOCK_AWS_REGION,
    ids: AWS_ZONES.map((zone) => `subnet-${stableHex(17, zone)}`),
  }),
  "aws:ssm/getParameter:getParameter": (inputs) => ({
    id: inputs.name,
    name: inputs.name,
    type: "String",
    value: `ami-${stableHex(17, String(inputs.name))}`,
    arn: awsArn("ssm", `parameter${inputs.name}`),
  }),
  "aws:ec2/getAmi:getAmi": (inputs) => ({
    id: `ami-${stableHex(17, JSON.stringify(inputs))}`,
    architecture: "x86_64",
  }),
  "aws:eks/getClusterAuth:getClusterAuth": (inputs) => ({
    id: inputs.name,
    name: inputs.name,
    token: "k8s-aws-v1.mock-token",
  }),
  "aws:eks/getCluster:getCluster": (inputs) => {
    const name = String(inputs.name);
    const hex = stableHex(32, "eks", name).toUpperCase();
    return {
      id: name,
      name,
      arn: awsArn("eks", `cluster/${name}`),
      endpoint: `https://${hex}.gr7.${MOCK_AWS_REGION}.eks.amazonaws.com`,
      version: "1.33",
      platformVersion: "eks.1",
      status: "ACTIVE",
      certificateAuthorities: [{ data: MOCK_CERTIFICATE_PEM }],
      identities: [
        { oidcs: [{ issuer: `https://oidc.eks.${MOCK_AWS_REGION}.amazonaws.com/id/${hex}` }] },
      ],
      vpcConfig: {
        clusterSecurityGroupId: `sg-${stableHex(17, "eks-cluster-sg", name)}`,
        subnetIds: AWS_ZONES.map((zone) => `subnet-${stableHex(17, zone)}`),
        securityGroupIds: [],
        vpcId: "vpc-0mockdefault0000",
        endpointPrivateAccess: true,
        endpointPublicAccess: false,
        publicAccessCidrs: [],
      },
      kubernetesNetworkConfigs: [
        { ipFamily: "ipv4", serviceIpv4Cidr: "172.20.0.0/16", serviceIpv6Cidr: "" },
      ],
      accessConfigs: [
        { authenticationMode: "API_AND_CONFIG_MAP", bootstrapClusterCreatorAdminPermissions: true },
      ],
    };
  },
  "gcp:container/getCluster:getCluster": (inputs) => {
    const project = String(inputs.project ?? MOCK_GCP_PROJECT);
    const location = String(inputs.location ?? MOCK_GCP_REGION);
    const name = String(inputs.name);
    return {
      id: `projects/${project}/locations/${location}/clusters/${name}`,
      name,
      project,
      location,
      endpoint: "34.118.0.10",
      masterAuths: [{ clusterCaCertificate: MOCK_CERTIFICATE_PEM }],
      masterVersion: "1.31.1-gke.1000",
      workloadIdentityConfigs: [{ workloadPool: `${project}.svc.id.goog` }],
      enableAutopilot: false,
      network: "default",
      subnetwork: "default",
      selfLink: `https://container.googleapis.com/v1/projects/${project}/locations/${location}/clusters/${name}`,
    };
  },
  "gcp:organizations/getClientConfig:getClientConfig": () => ({
    id: MOCK_GCP_PROJECT,
    project: MOCK_GCP_PROJECT,
    region: MOCK_GCP_REGION,
    zone: `${MOCK_GCP_REGION}-a`,
    accessToken: "ya29.mock-access-token",
  }),
  "gcp:organizations/getProject:getProject": (inputs) => ({
    id: `projects/${inputs.projectId ?? MOCK_GCP_PROJECT}`,
    projectId: inputs.projectId ?? MOCK_GCP_PROJECT,
    name: inputs.projectId ?? MOCK_GCP_PROJECT,
    number: "123456789012",
  }),
  "gcp:compute/getZones:getZones": (inputs) => ({
    id: inputs.region ?? MOCK_GCP_REGION,
    names: ["a", "b", "c"].map((suffix) => `${inputs.region ?? MOCK_GCP_REGION}-${suffix}`),
  }),
  "gcp:container/getEngineVersions:getEngineVersions": () => ({
    id: MOCK_GCP_REGION,
    defaultClusterVersion: "1.31.1-gke.1000",
    latestMasterVersion: "1.31.1-gke.1000",
    latestNodeVersion: "1.31.1-gke.1000",
    validMasterVersions: ["1.31.1-gke.1000", "1.30.5-gke.1000"],
    validNodeVersions: ["1.31.1-gke.1000", "1.30.5-gke.1000"],
  }),
};

/** The default result for a provider function call: a plausible record, or `{}` for unknown tokens. */
export function defaultCallResult(args: pulumi.runtime.MockCallArgs): Record<string, unknown> {
  return DEFAULT_CALLS[args.token]?.(args.inputs) ?? {};
}
