import type * as pulumi from "@pulumi/pulumi";
import type { EndpointSpec, SystemNodesSpec, VpcSpec } from "./eks-cluster-plan";

/** Arguments of {@link EksCluster}. Fields that decide which resources exist are plain values. */
export interface EksClusterArgs {
  /** EKS cluster name. Default: the component name. */
  clusterName?: string;
  /** Kubernetes version, one of `EKS_VERSIONS`. Default `1.33`. */
  version?: string;
  /** Existing private subnets (at least 2 zones) with NAT egress. Default: a new VPC is created. */
  subnetIds?: pulumi.Input<pulumi.Input<string>[]>;
  /** The new VPC's layout (only without `subnetIds`). Default `10.0.0.0/16`, 3 zones, one NAT gateway. */
  vpc?: VpcSpec;
  /**
   * API endpoint access; required, because `pulumi up` installs add-ons through it: the public
   * endpoint limited to your runner's CIDRs, or the private endpoint with 443 opened to a runner
   * inside the VPC (`privateAccessCidrs` / `privateAccessSecurityGroupIds`).
   */
  endpoint?: EndpointSpec;
  /** IAM principal ARNs (roles or users) that get cluster-admin access entries. Default none. */
  admins?: pulumi.Input<string>[];
  /**
   * Give the principal that runs `pulumi up` cluster-admin access, so it can install the add-ons.
   * Default `true`.
   */
  creatorIsAdmin?: boolean;
  /** The on-demand system node group. Default 2–3 × `m6i.large`/`m7i.large`. */
  systemNodes?: SystemNodesSpec;
  /** Control plane log types; must include `audit`. Default `["audit", "authenticator"]` (see `DEFAULT_EKS_LOG_TYPES`). */
  logTypes?: string[];
  /** Days to keep control plane logs in CloudWatch. Default 90. */
  logRetentionDays?: number;
  /** Kubernetes service CIDR. Default `172.20.0.0/16`. */
  serviceCidr?: string;
  /**
   * Install metrics-server (the EKS community add-on), which serves the metrics API every
   * HorizontalPodAutoscaler reads. Default `true`; `false` when the cluster gets it otherwise.
   */
  metricsServer?: boolean;
  /** Install cluster-autoscaler (Helm, IRSA). Default `true`. */
  clusterAutoscaler?: boolean;
  /**
   * Install the AWS Load Balancer Controller (pinned Helm chart, IRSA role with the reviewed
   * least-privilege policy `loadBalancerControllerPolicy`), which turns `OnnxService`s exposed
   * with `loadBalancer: "aws-nlb"` into internet-facing Network Load Balancers. Default `false`.
   */
  loadBalancerController?: boolean;
  /** Tags for every AWS resource that takes them. */
  tags?: Record<string, string>;
}
