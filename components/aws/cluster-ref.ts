import type * as eks from "@pulumi/aws/eks";
import type * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import type { Dependency } from "../dependency";
import { HybridAiConfigError } from "../errors";
import { assertOneOf } from "../validate";
import { parseCidr } from "./cidr";

/**
 * What `aws.GpuNodeGroup`, `aws.SpotFleet` and `aws.ModelStore` need from an EKS cluster. Both
 * `aws.EksCluster` (a cluster this program creates) and `aws.ExistingEksCluster` (one it looks
 * up, also reached as `aws.EksCluster.get`) are one, so every component takes either with the
 * same plan. One interface rather than a union, so a multi-language schema can describe it.
 */
export interface EksClusterRef {
  /** EKS cluster name, known before deployment (generated names and discovery tags derive from it). */
  clusterName: string;
  /** The cluster name, once the cluster exists (resources naming it wait for it). */
  name: pulumi.Input<string>;
  /** Kubernetes minor version of the control plane, e.g. `1.33` (picks node AMIs). */
  kubernetesVersion: pulumi.Input<string>;
  /** Kubernetes service CIDR (self-managed nodes' kubelet needs it). */
  serviceIpv4Cidr: pulumi.Input<string>;
  /** API server endpoint URL. */
  endpoint: pulumi.Input<string>;
  /** Base64 PEM of the cluster's certificate authority. */
  certificateAuthorityData: pulumi.Input<string>;
  /** The cluster's OIDC issuer URL (IRSA trust policies name it). */
  oidcIssuer: pulumi.Input<string>;
  /** ARN of the cluster's IAM OIDC provider (IRSA). */
  oidcProviderArn: pulumi.Input<string>;
  /** The cluster security group EKS created (control plane ↔ nodes); self-managed nodes get it. */
  clusterSecurityGroupId: pulumi.Input<string>;
  /** Private subnets nodes run in unless a component is given its own. */
  privateSubnetIds: pulumi.Input<pulumi.Input<string>[]>;
  /** IAM role of managed node groups (EKS gives it cluster access when a node group uses it). */
  nodeRoleArn: pulumi.Input<string>;
  /** A Kubernetes provider for the cluster (spot fleets install their termination handler with it). */
  provider: k8s.Provider;
  /**
   * The cluster's access mode: `API`, `API_AND_CONFIG_MAP` or `CONFIG_MAP`. Spot fleets join
   * self-managed nodes through an `EC2_LINUX` access entry, which needs one of the first two.
   * Default `API` (what `aws.EksCluster` creates).
   */
  authenticationMode?: pulumi.Input<string>;
  /**
   * An on-demand managed node group where the add-ons hybridai installs (termination handlers,
   * cluster-autoscaler) run. Default none: they run on any node not labelled spot.
   */
  systemNodeGroupName?: string;
  /** That node group, when this program creates it (add-ons wait for it). Default none. */
  systemNodeGroup?: eks.NodeGroup;
  /**
   * What every new node waits for before it boots (a new cluster's pod network add-ons and NAT
   * routes). Default none: an existing cluster has them.
   */
  nodeDependencies?: pulumi.Input<Dependency[]>;
}

/**
 * Checks that `cluster` is an {@link EksClusterRef} (an `aws.EksCluster` or
 * `aws.ExistingEksCluster`), naming the component otherwise.
 */
export function assertEksClusterRef(component: string, cluster: unknown): EksClusterRef {
  const candidate = cluster as Partial<EksClusterRef> | undefined;
  if (
    candidate === null ||
    typeof candidate !== "object" ||
    typeof candidate.clusterName !== "string" ||
    candidate.name === undefined
  ) {
    throw new HybridAiConfigError(
      component,
      "cluster",
      cluster,
      "an aws.EksCluster, or an existing cluster from aws.EksCluster.get(name, { clusterName })",
    );
  }
  return candidate as EksClusterRef;
}

/** The access modes in which EKS accepts access entries. */
export const ACCESS_ENTRY_MODES = ["API", "API_AND_CONFIG_MAP"] as const;

/**
 * Checks that self-managed nodes can join through an access entry: the cluster's access mode
 * must be `API` or `API_AND_CONFIG_MAP`. Returns the mode.
 */
export function assertAccessEntries(component: string, clusterName: string, mode: string): string {
  return assertOneOf(
    component,
    "cluster.authenticationMode",
    mode,
    ACCESS_ENTRY_MODES,
    `${ACCESS_ENTRY_MODES.join(" or ")}: self-managed nodes join through an EC2_LINUX access entry, which EKS refuses in CONFIG_MAP mode. ` +
      `Switch with \`aws eks update-cluster-config --name ${clusterName} --access-config authenticationMode=API_AND_CONFIG_MAP\` ` +
      "(aws-auth mappings keep working), or use aws.GpuNodeGroup, whose managed node groups EKS maps itself",
  );
}

/**
 * Checks that the cluster has an IPv4 service CIDR, which self-managed nodes' kubelet is given
 * (an IPv6 cluster reports none). Returns the CIDR.
 */
export function assertIpv4ServiceCidr(component: string, cidr: string): string {
  if (!parseCidr(cidr)) {
    throw new HybridAiConfigError(
      component,
      "cluster.serviceIpv4Cidr",
      cidr,
      "an IPv4 network CIDR such as 172.20.0.0/16: spot fleets join IPv4 clusters only (an IPv6 cluster reports none); use aws.GpuNodeGroup on IPv6 clusters",
    );
  }
  return cidr;
}
