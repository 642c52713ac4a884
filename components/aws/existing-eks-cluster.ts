import * as ec2 from "@pulumi/aws/ec2";
import * as eks from "@pulumi/aws/eks";
import * as iam from "@pulumi/aws/iam";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { awsAccountOf } from "./aws-account";
import { CLUSTER_AUTOSCALER_SERVICE_ACCOUNT, clusterAutoscalerValues } from "./cluster-autoscaler";
import type { EksClusterRef } from "./cluster-ref";
import type { ExistingEksClusterArgs } from "./existing-eks-cluster-args";
import {
  assertAutoscalerVersion,
  assertPrivateSubnets,
  type ExistingEksClusterPlan,
  existingClusterAttributes,
  oidcProviderArnFor,
  PRIVATE_SUBNET_TAG,
  planExistingEksCluster,
} from "./existing-eks-cluster-plan";
import { CLUSTER_AUTOSCALER_CHART } from "./helm-charts";
import { type AwsAccount, clusterAutoscalerPolicy, NODE_MANAGED_POLICIES } from "./iam-policies";
import { createIrsaRole, createNodeRole } from "./iam-roles";
import { buildKubeconfig } from "./kubeconfig";

/**
 * An EKS cluster this program did not create, looked up by name, so `aws.GpuNodeGroup`,
 * `aws.SpotFleet` and `aws.ModelStore` can add capacity and model stores to it exactly as to an
 * `aws.EksCluster`. Reads the endpoint, certificate authority, OIDC issuer, cluster security
 * group, subnets, service CIDR, version and access mode from EKS; creates a node role (unless
 * given), and only on request the IAM OIDC provider and cluster-autoscaler. Also reached as
 * `aws.EksCluster.get(name, args)`.
 */
export class ExistingEksCluster extends pulumi.ComponentResource implements EksClusterRef {
  /** The EKS cluster name (known before deployment). */
  readonly clusterName: string;
  /** The cluster name EKS reports. */
  readonly name: pulumi.Output<string>;
  /** Kubernetes minor version new nodes follow. */
  readonly kubernetesVersion: pulumi.Output<string>;
  /** The IPv4 service CIDR (`""` on an IPv6 cluster; spot fleets refuse that). */
  readonly serviceIpv4Cidr: pulumi.Output<string>;
  /** API server endpoint URL. */
  readonly endpoint: pulumi.Output<string>;
  /** Base64 PEM of the certificate authority. */
  readonly certificateAuthorityData: pulumi.Output<string>;
  /** The cluster's OIDC issuer URL. */
  readonly oidcIssuer: pulumi.Output<string>;
  /** ARN of the cluster's IAM OIDC provider. */
  readonly oidcProviderArn: pulumi.Output<string>;
  /** The security group self-managed nodes get. */
  readonly clusterSecurityGroupId: pulumi.Output<string>;
  /** The private subnets new nodes run in. */
  readonly privateSubnetIds: pulumi.Output<string[]>;
  /** The node role of managed node groups. */
  readonly nodeRoleArn: pulumi.Output<string>;
  /** The node role, when this component created it. */
  readonly nodeRole?: iam.Role;
  /** `API`, `API_AND_CONFIG_MAP` or `CONFIG_MAP`. */
  readonly authenticationMode: pulumi.Output<string>;
  /** The on-demand node group add-ons run on, when named. */
  readonly systemNodeGroupName?: string;
  /** Partition, region and account of the component's AWS provider. */
  readonly account: pulumi.Output<AwsAccount>;
  /** A kubeconfig using `aws eks get-token` (holds no credentials). */
  readonly kubeconfig: pulumi.Output<string>;
  /** A Kubernetes provider for the cluster. */
  readonly provider: k8s.Provider;

  /**
   * @param name component name.
   * @param args the cluster's name and overrides; validated before anything is looked up.
   * @param opts resource options; pass `providers: { aws }` for the cluster's account and region.
   */
  constructor(name: string, args: ExistingEksClusterArgs, opts?: pulumi.ComponentResourceOptions) {
    const plan = planExistingEksCluster({ ...args, clusterName: args?.clusterName });
    super("hybridai:index:AwsExistingEksCluster", name, args, opts);
    const parent = { parent: this };
    const tags = args.tags ?? {};
    this.clusterName = plan.clusterName;
    this.systemNodeGroupName = args.systemNodeGroupName;
    this.account = awsAccountOf(this);

    const found = eks
      .getClusterOutput({ name: plan.clusterName }, parent)
      .apply((cluster) => existingClusterAttributes(cluster));
    this.name = found.name;
    this.kubernetesVersion = pulumi.output(args.kubernetesVersion ?? found.version);
    this.serviceIpv4Cidr = found.serviceIpv4Cidr;
    this.endpoint = pulumi.output(args.endpoint ?? found.endpoint);
    this.certificateAuthorityData = pulumi.output(
      args.certificateAuthorityData ?? found.certificateAuthorityData,
    );
    this.oidcIssuer = found.oidcIssuer;
    this.clusterSecurityGroupId = pulumi.output(
      args.clusterSecurityGroupId ?? found.clusterSecurityGroupId,
    );
    this.authenticationMode = found.authenticationMode;
    this.privateSubnetIds = plan.discoverSubnets
      ? this.discoverPrivateSubnets(found.subnetIds)
      : pulumi.output(args.subnetIds as pulumi.Input<pulumi.Input<string>[]>);
    this.oidcProviderArn = this.oidcProvider(name, plan, args, tags);

    if (plan.createNodeRole) {
      this.nodeRole = createNodeRole(`${name}-node`, {
        parent: this,
        partition: this.account.partition,
        policyNames: NODE_MANAGED_POLICIES,
        namePrefix: plan.rolePrefixes.node,
        tags,
      });
      this.nodeRoleArn = this.nodeRole.arn;
    } else {
      this.nodeRoleArn = pulumi.output(args.nodeRoleArn as pulumi.Input<string>);
    }

    this.kubeconfig = pulumi.secret(
      pulumi
        .all([this.endpoint, this.certificateAuthorityData, this.account.region])
        .apply(([endpoint, certificateAuthorityData, region]) =>
          JSON.stringify(
            buildKubeconfig({
              clusterName: plan.clusterName,
              endpoint,
              certificateAuthorityData,
              region,
            }),
          ),
        ),
    );
    this.provider =
      args.provider ?? new k8s.Provider(name, { kubeconfig: this.kubeconfig }, parent);

    if (plan.installClusterAutoscaler) {
      this.installClusterAutoscaler(name, plan, tags);
    }

    this.registerOutputs({
      name: this.name,
      endpoint: this.endpoint,
      oidcProviderArn: this.oidcProviderArn,
      oidcIssuer: this.oidcIssuer,
      nodeRoleArn: this.nodeRoleArn,
      clusterSecurityGroupId: this.clusterSecurityGroupId,
      privateSubnetIds: this.privateSubnetIds,
      authenticationMode: this.authenticationMode,
      kubeconfig: this.kubeconfig,
    });
  }

  /** The cluster's subnets tagged private; refuses a cluster with none. */
  private discoverPrivateSubnets(clusterSubnetIds: pulumi.Output<string[]>) {
    const tagged = ec2.getSubnetsOutput(
      {
        filters: [
          { name: "subnet-id", values: clusterSubnetIds },
          { name: "tag-key", values: [PRIVATE_SUBNET_TAG] },
        ],
      },
      { parent: this },
    );
    return pulumi
      .all([clusterSubnetIds, tagged.ids])
      .apply(([all, ids]) => assertPrivateSubnets(all, [...ids].sort()));
  }

  /** The OIDC provider ARN: given, created, or the one IAM names after the issuer. */
  private oidcProvider(
    name: string,
    plan: ExistingEksClusterPlan,
    args: ExistingEksClusterArgs,
    tags: Record<string, string>,
  ): pulumi.Output<string> {
    if (args.oidcProviderArn !== undefined) {
      return pulumi.output(args.oidcProviderArn);
    }
    if (plan.createOidcProvider) {
      return new iam.OpenIdConnectProvider(
        name,
        { url: this.oidcIssuer, clientIdLists: ["sts.amazonaws.com"], tags },
        { parent: this },
      ).arn;
    }
    return pulumi
      .all([this.account, this.oidcIssuer])
      .apply(([account, issuer]) =>
        oidcProviderArnFor(account.partition, account.accountId, issuer),
      );
  }

  private installClusterAutoscaler(
    name: string,
    plan: ExistingEksClusterPlan,
    tags: Record<string, string>,
  ) {
    const role = createIrsaRole(`${name}-cluster-autoscaler`, {
      parent: this,
      oidcProviderArn: this.oidcProviderArn,
      oidcIssuer: this.oidcIssuer,
      namespace: CLUSTER_AUTOSCALER_SERVICE_ACCOUNT.namespace,
      serviceAccountName: CLUSTER_AUTOSCALER_SERVICE_ACCOUNT.name,
      permissions: this.account.apply((account) =>
        clusterAutoscalerPolicy(account, plan.clusterName),
      ),
      namePrefix: plan.rolePrefixes.clusterAutoscaler,
      policyName: "cluster-autoscaler",
      component: "AwsExistingEksCluster",
      tags,
    });
    new k8s.helm.v3.Release(
      `${name}-cluster-autoscaler`,
      {
        name: "cluster-autoscaler",
        namespace: CLUSTER_AUTOSCALER_SERVICE_ACCOUNT.namespace,
        chart: CLUSTER_AUTOSCALER_CHART.chart,
        version: CLUSTER_AUTOSCALER_CHART.version,
        repositoryOpts: { repo: CLUSTER_AUTOSCALER_CHART.repo },
        values: pulumi
          .all([this.kubernetesVersion, this.account.region, role.arn])
          .apply(([version, region, roleArn]) =>
            clusterAutoscalerValues({
              clusterName: plan.clusterName,
              version: assertAutoscalerVersion(version),
              region,
              roleArn,
              ...(this.systemNodeGroupName
                ? { systemNodeGroupName: this.systemNodeGroupName }
                : {}),
            }),
          ),
      },
      { parent: this, provider: this.provider },
    );
  }
}
