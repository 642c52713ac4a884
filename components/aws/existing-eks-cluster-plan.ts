import { HybridAiConfigError } from "../errors";
import { clusterRolePrefix, EKS_CLUSTER_NAME_MAX } from "./eks-cluster-plan";
import { CLUSTER_AUTOSCALER_IMAGE_TAGS } from "./helm-charts";

const COMPONENT = "AwsExistingEksCluster";

/** The tag that marks a private subnet on EKS (internal load balancers go there). */
export const PRIVATE_SUBNET_TAG = "kubernetes.io/role/internal-elb";

/** The plain settings of an existing-cluster lookup that decide what gets created. */
export interface ExistingEksClusterSpec {
  /** Name of the existing EKS cluster. */
  clusterName: unknown;
  /** Explicit node subnets, when given (only an empty list is refused here). */
  subnetIds?: unknown;
  /** An existing node role ARN, when given. */
  nodeRoleArn?: unknown;
  /** An existing IAM OIDC provider ARN, when given. */
  oidcProviderArn?: unknown;
  /** Create the IAM OIDC provider. */
  createOidcProvider?: boolean;
  /** The cluster security group, when given. */
  clusterSecurityGroupId?: unknown;
  /** Kubernetes version, when given. */
  kubernetesVersion?: unknown;
  /** The on-demand managed node group for add-ons, when given. */
  systemNodeGroupName?: unknown;
  /** Install cluster-autoscaler. */
  installClusterAutoscaler?: boolean;
}

/** What an existing-cluster lookup creates, validated. */
export interface ExistingEksClusterPlan {
  /** The cluster name. */
  clusterName: string;
  /** Create a node role for managed node groups (no `nodeRoleArn` given). */
  createNodeRole: boolean;
  /** Create the cluster's IAM OIDC provider. */
  createOidcProvider: boolean;
  /** Install cluster-autoscaler (Helm, IRSA). */
  installClusterAutoscaler: boolean;
  /** Pick private subnets from the cluster's own (no `subnetIds` given). */
  discoverSubnets: boolean;
  /** `namePrefix` of the roles it creates. */
  rolePrefixes: { node: string; clusterAutoscaler: string };
}

/** EKS cluster names: a letter or digit, then letters, digits, `-` and `_`. */
const EKS_CLUSTER_NAME = /^[0-9A-Za-z][A-Za-z0-9_-]*$/;
/** EKS managed node group names. */
const NODE_GROUP_NAME = /^[0-9A-Za-z][A-Za-z0-9_-]{0,62}$/;
const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/;
const OIDC_PROVIDER_ARN = /^arn:aws[a-z-]*:iam::\d{12}:oidc-provider\/.+$/;
const SECURITY_GROUP_ID = /^sg-[0-9a-f]+$/;
const MINOR_VERSION = /^\d+\.\d+$/;

function checkFormat(field: string, value: unknown, pattern: RegExp, allowed: string): void {
  if (value !== undefined && typeof value === "string" && !pattern.test(value)) {
    throw new HybridAiConfigError(COMPONENT, field, value, allowed);
  }
}

/**
 * Validates the settings of an existing-cluster lookup and decides what it creates: a node role
 * unless `nodeRoleArn` is given, the IAM OIDC provider only with `createOidcProvider`,
 * cluster-autoscaler only with `installClusterAutoscaler`. Values given as outputs are checked
 * by the cloud. Throws {@link HybridAiConfigError} naming the field, the value and what is allowed.
 */
export function planExistingEksCluster(spec: ExistingEksClusterSpec): ExistingEksClusterPlan {
  const name = spec.clusterName;
  if (
    typeof name !== "string" ||
    name.length > EKS_CLUSTER_NAME_MAX ||
    !EKS_CLUSTER_NAME.test(name)
  ) {
    throw new HybridAiConfigError(
      COMPONENT,
      "clusterName",
      name,
      `the name of an existing EKS cluster: a letter or digit, then letters, digits, '-' or '_', at most ${EKS_CLUSTER_NAME_MAX} characters`,
    );
  }
  if (spec.createOidcProvider && spec.oidcProviderArn !== undefined) {
    throw new HybridAiConfigError(
      COMPONENT,
      "createOidcProvider",
      true,
      "false when oidcProviderArn is given: IAM holds one OIDC provider per issuer URL, so either name the existing one or create it, not both",
    );
  }
  if (Array.isArray(spec.subnetIds) && spec.subnetIds.length === 0) {
    throw new HybridAiConfigError(
      COMPONENT,
      "subnetIds",
      spec.subnetIds,
      "a non-empty list of private subnets with NAT egress, or leave it out to use the cluster's subnets tagged kubernetes.io/role/internal-elb",
    );
  }
  checkFormat(
    "nodeRoleArn",
    spec.nodeRoleArn,
    ROLE_ARN,
    "an IAM role ARN such as arn:aws:iam::123456789012:role/eks-nodes",
  );
  checkFormat(
    "oidcProviderArn",
    spec.oidcProviderArn,
    OIDC_PROVIDER_ARN,
    "an IAM OIDC provider ARN such as arn:aws:iam::123456789012:oidc-provider/oidc.eks.us-west-2.amazonaws.com/id/EXAMPLE",
  );
  checkFormat(
    "clusterSecurityGroupId",
    spec.clusterSecurityGroupId,
    SECURITY_GROUP_ID,
    "a security group id such as sg-0123456789abcdef0",
  );
  checkFormat(
    "kubernetesVersion",
    spec.kubernetesVersion,
    MINOR_VERSION,
    "a Kubernetes minor version such as 1.33",
  );
  checkFormat(
    "systemNodeGroupName",
    spec.systemNodeGroupName,
    NODE_GROUP_NAME,
    "the name of an EKS managed node group: a letter or digit, then letters, digits, '-' or '_', at most 63 characters",
  );
  if (spec.installClusterAutoscaler && typeof spec.kubernetesVersion === "string") {
    assertAutoscalerVersion(spec.kubernetesVersion);
  }
  return {
    clusterName: name,
    createNodeRole: spec.nodeRoleArn === undefined,
    createOidcProvider: spec.createOidcProvider ?? false,
    installClusterAutoscaler: spec.installClusterAutoscaler ?? false,
    discoverSubnets: spec.subnetIds === undefined,
    rolePrefixes: {
      node: clusterRolePrefix(name, "node"),
      clusterAutoscaler: clusterRolePrefix(name, "cluster-autoscaler"),
    },
  };
}

/** The attributes of an existing cluster EKS reports (a subset of `aws.eks.getCluster`'s result). */
export interface EksClusterFacts {
  /** Cluster name. */
  name: string;
  /** Kubernetes minor version. */
  version: string;
  /** API server endpoint URL. */
  endpoint: string;
  /** Certificate authorities (the first one's `data` is used). */
  certificateAuthorities: { data: string }[];
  /** OIDC identities (the first issuer is used). */
  identities: { oidcs: { issuer: string }[] }[];
  /** VPC settings. */
  vpcConfig: { clusterSecurityGroupId: string; subnetIds: string[] };
  /** Kubernetes network settings. */
  kubernetesNetworkConfigs: { ipFamily: string; serviceIpv4Cidr: string }[];
  /** Access settings (absent on clusters that predate access entries: `CONFIG_MAP`). */
  accessConfigs: { authenticationMode: string }[];
}

/** The attributes hybridai reads from an existing cluster, flattened. */
export interface ExistingEksClusterAttributes {
  /** Cluster name. */
  name: string;
  /** Kubernetes minor version. */
  version: string;
  /** API server endpoint URL. */
  endpoint: string;
  /** Base64 PEM of the certificate authority. */
  certificateAuthorityData: string;
  /** OIDC issuer URL. */
  oidcIssuer: string;
  /** The cluster security group. */
  clusterSecurityGroupId: string;
  /** The subnets the cluster was created with (control plane network interfaces). */
  subnetIds: string[];
  /** The IPv4 service CIDR, or `""` on an IPv6 cluster. */
  serviceIpv4Cidr: string;
  /** `API`, `API_AND_CONFIG_MAP` or `CONFIG_MAP`. */
  authenticationMode: string;
}

/** Flattens what `aws.eks.getCluster` reports into the attributes node groups and fleets use. */
export function existingClusterAttributes(facts: EksClusterFacts): ExistingEksClusterAttributes {
  const network = facts.kubernetesNetworkConfigs?.[0];
  return {
    name: facts.name,
    version: facts.version,
    endpoint: facts.endpoint,
    certificateAuthorityData: facts.certificateAuthorities?.[0]?.data ?? "",
    oidcIssuer: facts.identities?.[0]?.oidcs?.[0]?.issuer ?? "",
    clusterSecurityGroupId: facts.vpcConfig?.clusterSecurityGroupId ?? "",
    subnetIds: facts.vpcConfig?.subnetIds ?? [],
    serviceIpv4Cidr: network?.ipFamily === "ipv6" ? "" : (network?.serviceIpv4Cidr ?? ""),
    authenticationMode: facts.accessConfigs?.[0]?.authenticationMode ?? "CONFIG_MAP",
  };
}

/**
 * The ARN IAM gives a cluster's OIDC provider: `arn:<partition>:iam::<account>:oidc-provider/`
 * followed by the issuer URL without `https://`.
 */
export function oidcProviderArnFor(partition: string, accountId: string, issuer: string): string {
  return `arn:${partition}:iam::${accountId}:oidc-provider/${issuer.replace(/^https:\/\//, "")}`;
}

/**
 * Checks that some of the cluster's subnets are tagged private (the node subnets default to
 * them). Returns them.
 */
export function assertPrivateSubnets(
  clusterSubnetIds: string[],
  privateSubnetIds: string[],
): string[] {
  if (privateSubnetIds.length === 0) {
    throw new HybridAiConfigError(
      COMPONENT,
      "vpcConfig.subnetIds",
      clusterSubnetIds,
      `at least one subnet tagged ${PRIVATE_SUBNET_TAG} (the EKS convention for private subnets) to put the nodes in; or pass subnetIds: private subnets with NAT egress in the cluster's VPC`,
    );
  }
  return privateSubnetIds;
}

/**
 * Checks that cluster-autoscaler has an image for the cluster's Kubernetes version (it must match
 * the control plane). Returns the version.
 */
export function assertAutoscalerVersion(version: string): string {
  if (!(version in CLUSTER_AUTOSCALER_IMAGE_TAGS)) {
    throw new HybridAiConfigError(
      COMPONENT,
      "kubernetesVersion",
      version,
      `${Object.keys(CLUSTER_AUTOSCALER_IMAGE_TAGS).join(", ")} with installClusterAutoscaler (the autoscaler image must match the control plane); leave installClusterAutoscaler off and run your own cluster-autoscaler on other versions`,
    );
  }
  return version;
}
