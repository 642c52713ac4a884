import type * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";

/**
 * Arguments of {@link ExistingEksCluster}. Every cluster attribute is read from EKS
 * (`aws.eks.getCluster`); the optional fields override what is read or choose what hybridai
 * creates. `createOidcProvider` and `installClusterAutoscaler` decide which resources exist, so
 * they are plain values.
 */
export interface ExistingEksClusterArgs {
  /** Name of the existing EKS cluster, in the region of the component's AWS provider. */
  clusterName: string;
  /**
   * Private subnets (with NAT egress) for new nodes. Default: the cluster's own subnets
   * (`vpcConfig.subnetIds`) that carry the `kubernetes.io/role/internal-elb` tag, EKS's mark of
   * a private subnet.
   */
  subnetIds?: pulumi.Input<pulumi.Input<string>[]>;
  /**
   * An existing IAM role for managed node groups (it needs `AmazonEKSWorkerNodePolicy`,
   * `AmazonEC2ContainerRegistryReadOnly` and `AmazonEKS_CNI_Policy`). Default: a new role with
   * exactly those; EKS maps a managed node group's role into the cluster itself.
   */
  nodeRoleArn?: pulumi.Input<string>;
  /**
   * ARN of the cluster's IAM OIDC provider (IRSA). Default: the ARN IAM gives the provider of
   * the cluster's issuer in this account, which must exist (`eksctl utils
   * associate-iam-oidc-provider`, or `createOidcProvider`).
   */
  oidcProviderArn?: pulumi.Input<string>;
  /** Create the IAM OIDC provider for the cluster's issuer (it has none yet). Default `false`. */
  createOidcProvider?: boolean;
  /** The security group self-managed nodes get. Default: the cluster security group EKS created. */
  clusterSecurityGroupId?: pulumi.Input<string>;
  /** API server endpoint URL. Default: the cluster's. */
  endpoint?: pulumi.Input<string>;
  /** Base64 PEM of the cluster's certificate authority. Default: the cluster's. */
  certificateAuthorityData?: pulumi.Input<string>;
  /** Kubernetes minor version new nodes' AMIs follow, e.g. `1.33`. Default: the control plane's. */
  kubernetesVersion?: pulumi.Input<string>;
  /**
   * A Kubernetes provider for the cluster. Default: one built from the endpoint and certificate
   * authority that authenticates with `aws eks get-token` (the runner needs cluster access).
   */
  provider?: k8s.Provider;
  /**
   * An on-demand managed node group of the cluster where add-ons hybridai installs
   * (termination handlers, cluster-autoscaler) run. Default: any node not labelled spot.
   */
  systemNodeGroupName?: string;
  /**
   * Install cluster-autoscaler (Helm release `cluster-autoscaler` in `kube-system`, IRSA, the
   * priority expander). Default `false`: the cluster runs its own autoscaler (or none).
   */
  installClusterAutoscaler?: boolean;
  /** Tags for the IAM resources it creates. */
  tags?: Record<string, string>;
}
