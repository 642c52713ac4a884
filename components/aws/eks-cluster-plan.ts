import type * as pulumi from "@pulumi/pulumi";
import { HybridAiConfigError } from "../errors";
import { LABELS } from "../kubernetes/labels";
import { cloudName } from "../names";
import { assertOneOf, assertWholeNumber } from "../validate";
import { parseCidr, subnetCidr } from "./cidr";
import { type NodeLaunchSettings, nodeLaunchSettings } from "./gpu-nodes";
import { assertAwsName } from "./names";

const COMPONENT = "AwsEksCluster";

/** Kubernetes versions the component supports (EKS standard support, with a matching cluster-autoscaler). */
export const EKS_VERSIONS = ["1.31", "1.32", "1.33", "1.34"] as const;

/** The longest EKS cluster name AWS accepts. */
export const EKS_CLUSTER_NAME_MAX = 100;

/** Length limits of the names AWS gives IAM roles and EKS node groups. */
export const AWS_NAME_LIMITS = {
  /** `namePrefix` of an IAM role (64 minus the 26-character unique suffix AWS appends). */
  iamRolePrefix: 38,
  /** An EKS managed node group name. */
  nodeGroup: 63,
} as const;

/** The default Kubernetes version. */
export const DEFAULT_EKS_VERSION = "1.33";

/** Every EKS control plane log type; `audit` is always required. */
export const EKS_LOG_TYPES = [
  "api",
  "audit",
  "authenticator",
  "controllerManager",
  "scheduler",
] as const;

/**
 * The log types on by default: who did what (`audit`) and who authenticated (`authenticator`).
 * `api`, `controllerManager` and `scheduler` are verbose, rarely read and billed per GB by
 * CloudWatch; turn them on with `logTypes` when debugging the control plane.
 */
export const DEFAULT_EKS_LOG_TYPES = ["audit", "authenticator"] as const;

/** How many NAT gateways a new VPC gets, by name. */
export const NatGatewayMode = {
  /** One NAT gateway, cheapest. */
  Single: "single",
  /** One NAT gateway a zone, which survives a zone outage. */
  PerZone: "per-zone",
} as const;

/** `single` (one NAT gateway, cheapest) or `per-zone` (one a zone, survives a zone outage). */
export type NatGatewayMode = (typeof NatGatewayMode)[keyof typeof NatGatewayMode];

/** How the new VPC is laid out. */
export interface VpcSpec {
  /** IPv4 CIDR of the VPC, a /16 to /20. Default `10.0.0.0/16`. */
  cidr?: string;
  /** Availability zones to spread subnets over, 2 or 3. Default 3. */
  zones?: number;
  /** `single` (one NAT gateway, cheapest) or `per-zone` (one per zone, survives a zone outage). Default `single`. */
  natGateways?: NatGatewayMode;
}

/**
 * Who may reach the Kubernetes API endpoint. `pulumi up` installs Helm releases and workloads
 * through it, so the machine running it needs a path: the public endpoint limited to its
 * addresses, or, inside the VPC (or connected by VPN or peering), port 443 opened on the
 * cluster security group to its CIDRs or security groups. Without either, the cluster is
 * refused.
 */
export interface EndpointSpec {
  /** Also expose the endpoint publicly, to `publicAccessCidrs` only. Default `false`. */
  publicAccess?: boolean;
  /** With `publicAccess`, the CIDRs allowed to reach it (required, and never `0.0.0.0/0`). */
  publicAccessCidrs?: string[];
  /** CIDRs inside the VPC (or routed to it) allowed to reach the private endpoint on 443, e.g. a CI runner subnet. */
  privateAccessCidrs?: string[];
  /** Security groups (e.g. a runner's or a bastion's) allowed to reach the private endpoint on 443. */
  privateAccessSecurityGroupIds?: pulumi.Input<string>[];
}

/** The port the EKS API listens on. */
export const EKS_API_PORT = 443;

/** Who the cluster security group lets reach the private endpoint, besides the cluster itself. */
export interface ApiAccessPlan {
  /** IPv4 CIDRs, one ingress rule each. */
  cidrs: string[];
  /** Security group ids (or outputs of them), one ingress rule each. */
  securityGroupIds: pulumi.Input<string>[];
  /** Always 443. */
  port: typeof EKS_API_PORT;
}

/** The small on-demand node group for system add-ons (CoreDNS, cluster-autoscaler, termination handler). */
export interface SystemNodesSpec {
  /** Instance types. Default `["m6i.large", "m7i.large"]`. */
  instanceTypes?: string[];
  /** Minimum nodes. Default 2. */
  min?: number;
  /** Maximum nodes. Default 3. */
  max?: number;
  /** Initial nodes. Default `min`. */
  desired?: number;
}

/** The plain (non-Output) settings of an EKS cluster that decide what gets created. */
export interface EksClusterSpec {
  /** The EKS cluster name. */
  name: string;
  /** Kubernetes version. */
  version?: string;
  /** Existing subnets, when given (only their count is checked here, when known). */
  subnetIds?: unknown;
  /** A new VPC's layout, when no subnets are given. */
  vpc?: VpcSpec;
  /** API endpoint access. */
  endpoint?: EndpointSpec;
  /** System node group. */
  systemNodes?: SystemNodesSpec;
  /** Control plane log types. */
  logTypes?: string[];
  /** Days to keep control plane logs. */
  logRetentionDays?: number;
  /** Kubernetes service CIDR. */
  serviceCidr?: string;
}

/** A new VPC's subnets. */
export interface NetworkPlan {
  /** VPC CIDR. */
  cidr: string;
  /** Private subnet CIDRs, one a zone (nodes and pods). */
  privateSubnetCidrs: string[];
  /** Public subnet CIDRs, one a zone (NAT gateways and internet-facing load balancers). */
  publicSubnetCidrs: string[];
  /** NAT gateways to create (1, or one a zone). */
  natGatewayCount: number;
}

/** IAM role name prefixes of a cluster (AWS completes each with a unique suffix). */
export interface EksRolePrefixes {
  /** The control plane's role. */
  cluster: string;
  /** The managed node groups' role. */
  node: string;
  /** cluster-autoscaler's IRSA role. */
  clusterAutoscaler: string;
  /** The AWS Load Balancer Controller's IRSA role. */
  loadBalancerController: string;
}

/**
 * The `namePrefix` of an IAM role belonging to a cluster: `<cluster>-<purpose>-`, within IAM's
 * 38-character prefix limit (the cluster part shortened with a hash when needed). IAM names are
 * account-wide, so AWS's unique suffix keeps two regions' clusters of one name apart.
 */
export function clusterRolePrefix(clusterName: string, purpose: string): string {
  return cloudName({
    scope: clusterName,
    suffix: purpose,
    max: AWS_NAME_LIMITS.iamRolePrefix,
    trailingDash: true,
  });
}

/** Everything an EKS cluster needs, validated, with defaults applied. */
export interface EksClusterPlan {
  /** Cluster name. */
  name: string;
  /** IAM role name prefixes. */
  rolePrefixes: EksRolePrefixes;
  /** Kubernetes version. */
  version: string;
  /** Endpoint access, in `aws.eks.Cluster` `vpcConfig` terms. */
  endpoint: {
    endpointPrivateAccess: true;
    endpointPublicAccess: boolean;
    publicAccessCidrs?: string[];
  };
  /** Ingress to the private endpoint from inside the VPC, on the cluster security group. */
  apiAccess: ApiAccessPlan;
  /** Control plane log types (always including `audit`). */
  enabledClusterLogTypes: string[];
  /** Days to keep control plane logs. */
  logRetentionDays: number;
  /** Kubernetes service CIDR. */
  serviceIpv4Cidr: string;
  /** The new VPC, when the cluster creates one. */
  network?: NetworkPlan;
  /** The system node group. */
  systemNodeGroup: {
    nodeGroupName: string;
    instanceTypes: string[];
    amiType: "AL2023_x86_64_STANDARD";
    capacityType: "ON_DEMAND";
    scalingConfig: { minSize: number; maxSize: number; desiredSize: number };
    labels: Record<string, string>;
    /**
     * Launch template settings: IMDSv2 with hop limit 1 and an encrypted 30 GiB gp3 root volume
     * at gp3's included throughput, rather than the account's EBS default and EKS's IMDS default.
     */
    launch: NodeLaunchSettings;
  };
}

function planNetwork(vpc: VpcSpec): NetworkPlan {
  const cidrText = vpc.cidr ?? "10.0.0.0/16";
  const cidr = parseCidr(cidrText);
  if (!cidr || cidr.prefix < 16 || cidr.prefix > 20) {
    throw new HybridAiConfigError(
      COMPONENT,
      "vpc.cidr",
      cidrText,
      "an IPv4 network CIDR from /16 to /20, e.g. 10.0.0.0/16",
    );
  }
  const zones = assertWholeNumber(COMPONENT, "vpc.zones", vpc.zones ?? 3, 2, 3);
  const nat = vpc.natGateways ?? "single";
  assertOneOf(COMPONENT, "vpc.natGateways", nat, ["single", "per-zone"]);
  const zoneIndexes = Array.from({ length: zones }, (_, i) => i);
  // Private subnets take three quarters of the VPC (one quarter a zone); public subnets are
  // small blocks in the last quarter.
  const publicBase = 3 * 16;
  return {
    cidr: cidrText,
    privateSubnetCidrs: zoneIndexes.map((i) => subnetCidr(cidr, cidr.prefix + 2, i)),
    publicSubnetCidrs: zoneIndexes.map((i) => subnetCidr(cidr, cidr.prefix + 6, publicBase + i)),
    natGatewayCount: nat === "single" ? 1 : zones,
  };
}

function specificCidrs(field: string, cidrs: string[]): string[] {
  for (const cidr of cidrs) {
    if (!parseCidr(cidr) || cidr === "0.0.0.0/0") {
      throw new HybridAiConfigError(
        COMPONENT,
        field,
        cidr,
        "specific IPv4 network CIDRs such as 203.0.113.0/24 (0.0.0.0/0 would open the API to the internet)",
      );
    }
  }
  return cidrs;
}

function planApiAccess(endpoint: EndpointSpec): ApiAccessPlan {
  const cidrs = specificCidrs("endpoint.privateAccessCidrs", endpoint.privateAccessCidrs ?? []);
  const securityGroupIds = endpoint.privateAccessSecurityGroupIds ?? [];
  for (const id of securityGroupIds) {
    if (typeof id === "string" && !/^sg-[0-9a-f]+$/.test(id)) {
      throw new HybridAiConfigError(
        COMPONENT,
        "endpoint.privateAccessSecurityGroupIds",
        id,
        "security group ids such as sg-0123456789abcdef0",
      );
    }
  }
  return { cidrs, securityGroupIds, port: EKS_API_PORT };
}

function planEndpoint(endpoint: EndpointSpec): EksClusterPlan["endpoint"] {
  if (!endpoint.publicAccess) {
    if (endpoint.publicAccessCidrs?.length) {
      throw new HybridAiConfigError(
        COMPONENT,
        "endpoint.publicAccessCidrs",
        endpoint.publicAccessCidrs,
        "only with endpoint.publicAccess: true",
      );
    }
    return { endpointPrivateAccess: true, endpointPublicAccess: false };
  }
  const cidrs = endpoint.publicAccessCidrs ?? [];
  if (cidrs.length === 0) {
    throw new HybridAiConfigError(
      COMPONENT,
      "endpoint.publicAccessCidrs",
      cidrs,
      "a non-empty allow-list of CIDRs when endpoint.publicAccess is true",
    );
  }
  specificCidrs("endpoint.publicAccessCidrs", cidrs);
  return { endpointPrivateAccess: true, endpointPublicAccess: true, publicAccessCidrs: cidrs };
}

/**
 * Refuses an endpoint nothing outside the cluster can reach: `pulumi up` would create the
 * cluster, then time out installing cluster-autoscaler and every workload.
 */
function assertReachable(
  endpoint: EndpointSpec,
  plan: EksClusterPlan["endpoint"],
  access: ApiAccessPlan,
) {
  if (plan.endpointPublicAccess || access.cidrs.length > 0 || access.securityGroupIds.length > 0) {
    return;
  }
  throw new HybridAiConfigError(
    COMPONENT,
    "endpoint",
    endpoint,
    "a path from where `pulumi up` runs to the Kubernetes API, which it needs to install the add-ons and workloads. " +
      "A private endpoint is reachable only from inside the VPC, and the cluster security group admits only the cluster itself. " +
      "Either set publicAccess: true with publicAccessCidrs listing your runner's addresses, or, for a runner inside the VPC " +
      "(or reaching it by VPN or peering), privateAccessCidrs or privateAccessSecurityGroupIds to open 443 to it",
  );
}

function planLogTypes(logTypes: string[] | undefined): string[] {
  const types = logTypes ?? [...DEFAULT_EKS_LOG_TYPES];
  for (const type of types) {
    assertOneOf(COMPONENT, "logTypes", type, EKS_LOG_TYPES);
  }
  if (!types.includes("audit")) {
    throw new HybridAiConfigError(COMPONENT, "logTypes", types, "a list that includes audit");
  }
  return types;
}

/** The retention periods CloudWatch Logs accepts, in days. */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288,
  3653,
] as const;

function planLogRetention(days: number): number {
  return assertOneOf(COMPONENT, "logRetentionDays", days, LOG_RETENTION_DAYS);
}

/** Root volume of a system node: the AL2023 image, add-on images and logs. */
const SYSTEM_NODE_VOLUME_GIB = 30;

function planSystemNodes(name: string, nodes: SystemNodesSpec): EksClusterPlan["systemNodeGroup"] {
  const instanceTypes = nodes.instanceTypes ?? ["m6i.large", "m7i.large"];
  if (instanceTypes.length === 0 || instanceTypes.some((t) => !/^[a-z0-9-]+\.[a-z0-9]+$/.test(t))) {
    throw new HybridAiConfigError(
      COMPONENT,
      "systemNodes.instanceTypes",
      instanceTypes,
      "a non-empty list of EC2 instance types such as m6i.large",
    );
  }
  const min = assertWholeNumber(COMPONENT, "systemNodes.min", nodes.min ?? 2, 1, 100);
  const max = assertWholeNumber(
    COMPONENT,
    "systemNodes.max",
    nodes.max ?? Math.max(3, min),
    min,
    100,
  );
  const desired = assertWholeNumber(
    COMPONENT,
    "systemNodes.desired",
    nodes.desired ?? min,
    min,
    max,
  );
  return {
    nodeGroupName: cloudName({ scope: name, suffix: "system", max: AWS_NAME_LIMITS.nodeGroup }),
    instanceTypes,
    amiType: "AL2023_x86_64_STANDARD",
    capacityType: "ON_DEMAND",
    scalingConfig: { minSize: min, maxSize: max, desiredSize: desired },
    labels: { [LABELS.capacityType]: "on-demand" },
    launch: nodeLaunchSettings("al2023", SYSTEM_NODE_VOLUME_GIB, 125),
  };
}

/**
 * Validates an EKS cluster spec and applies defaults: audit and authenticator logs, a new
 * three-zone VPC with one NAT gateway when no subnets are given, two on-demand system nodes.
 * The endpoint must be reachable from where `pulumi up` runs (see {@link EndpointSpec}).
 * Throws {@link HybridAiConfigError} naming the field, the value and what is allowed.
 */
export function planEksCluster(spec: EksClusterSpec): EksClusterPlan {
  const name = assertAwsName(COMPONENT, "name", spec.name, EKS_CLUSTER_NAME_MAX);
  const version = spec.version ?? DEFAULT_EKS_VERSION;
  assertOneOf(COMPONENT, "version", version, EKS_VERSIONS);
  if (spec.subnetIds !== undefined && spec.vpc !== undefined) {
    throw new HybridAiConfigError(
      COMPONENT,
      "vpc",
      spec.vpc,
      "either subnetIds (existing private subnets) or vpc (a new VPC), not both",
    );
  }
  if (Array.isArray(spec.subnetIds) && spec.subnetIds.length < 2) {
    throw new HybridAiConfigError(
      COMPONENT,
      "subnetIds",
      spec.subnetIds,
      "private subnets in at least 2 availability zones",
    );
  }
  const serviceIpv4Cidr = spec.serviceCidr ?? "172.20.0.0/16";
  const serviceCidr = parseCidr(serviceIpv4Cidr);
  if (!serviceCidr || serviceCidr.prefix < 12 || serviceCidr.prefix > 24) {
    throw new HybridAiConfigError(
      COMPONENT,
      "serviceCidr",
      serviceIpv4Cidr,
      "an IPv4 network CIDR from /12 to /24 that does not overlap the VPC",
    );
  }
  const endpointSpec = spec.endpoint ?? {};
  const endpoint = planEndpoint(endpointSpec);
  const apiAccess = planApiAccess(endpointSpec);
  assertReachable(endpointSpec, endpoint, apiAccess);
  return {
    name,
    rolePrefixes: {
      cluster: clusterRolePrefix(name, "cluster"),
      node: clusterRolePrefix(name, "node"),
      clusterAutoscaler: clusterRolePrefix(name, "cluster-autoscaler"),
      loadBalancerController: clusterRolePrefix(name, "lb-controller"),
    },
    version,
    endpoint,
    apiAccess,
    enabledClusterLogTypes: planLogTypes(spec.logTypes),
    logRetentionDays: planLogRetention(spec.logRetentionDays ?? 90),
    serviceIpv4Cidr,
    ...(spec.subnetIds === undefined ? { network: planNetwork(spec.vpc ?? {}) } : {}),
    systemNodeGroup: planSystemNodes(name, spec.systemNodes ?? {}),
  };
}
