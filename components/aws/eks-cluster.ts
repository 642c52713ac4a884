import * as cloudwatch from "@pulumi/aws/cloudwatch";
import * as ec2 from "@pulumi/aws/ec2";
import { getVpcOutput } from "@pulumi/aws/ec2/getVpc";
import * as eks from "@pulumi/aws/eks";
import * as iam from "@pulumi/aws/iam";
import * as kms from "@pulumi/aws/kms";
import * as vpc from "@pulumi/aws/vpc";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { Dependency } from "../dependency";
import { awsAccountOf } from "./aws-account";
import { CLUSTER_AUTOSCALER_SERVICE_ACCOUNT, clusterAutoscalerValues } from "./cluster-autoscaler";
import type { EksClusterRef } from "./cluster-ref";
import { type PlannedAddon, planEksAddons } from "./eks-addons";
import type { EksClusterArgs } from "./eks-cluster-args";
import { type EksClusterPlan, planEksCluster } from "./eks-cluster-plan";
import { ExistingEksCluster } from "./existing-eks-cluster";
import type { ExistingEksClusterArgs } from "./existing-eks-cluster-args";
import { CLUSTER_AUTOSCALER_CHART } from "./helm-charts";
import {
  type AwsAccount,
  CLUSTER_MANAGED_POLICIES,
  clusterAutoscalerPolicy,
  clusterEncryptionPolicy,
  managedPolicyArn,
  NODE_MANAGED_POLICIES,
  serviceTrustPolicy,
} from "./iam-policies";
import { createIrsaRole, createNodeRole } from "./iam-roles";
import { buildKubeconfig } from "./kubeconfig";
import {
  LOAD_BALANCER_CONTROLLER_CHART,
  LOAD_BALANCER_CONTROLLER_SERVICE_ACCOUNT,
  loadBalancerControllerPolicy,
  loadBalancerControllerValues,
} from "./load-balancer-controller";
import { createNetwork } from "./network";

/**
 * An EKS control plane for AI workloads: an API endpoint reachable only from the runners you
 * name (public allow-list or 443 inside the VPC), KMS-encrypted secrets, audit and
 * authenticator logs, an IAM OIDC provider for IRSA, API-mode access entries, a node role with
 * exactly the three managed policies nodes need, a small on-demand system node group,
 * cluster-autoscaler, and a ready `kubernetes.Provider`.
 */
export class EksCluster extends pulumi.ComponentResource implements EksClusterRef {
  /**
   * An existing EKS cluster, looked up by name, to add node groups, spot fleets and model
   * stores to: the same as `new aws.ExistingEksCluster(name, args, opts)`.
   * @param name component name.
   * @param args the cluster's name (`clusterName`) and overrides.
   * @param opts resource options; pass `providers: { aws }` for the cluster's account and region.
   */
  static get(
    name: string,
    args: ExistingEksClusterArgs,
    opts?: pulumi.ComponentResourceOptions,
  ): ExistingEksCluster {
    return new ExistingEksCluster(name, args, opts);
  }

  /** The EKS cluster name (known before deployment). */
  readonly clusterName: string;
  /** Kubernetes version (known before deployment). */
  readonly kubernetesVersion: string;
  /** Kubernetes service CIDR (known before deployment). */
  readonly serviceIpv4Cidr: string;
  /** Name of the system node group (known before deployment). */
  readonly systemNodeGroupName: string;
  /** The cluster name, once the cluster exists. */
  readonly name: pulumi.Output<string>;
  /** API server endpoint URL. */
  readonly endpoint: pulumi.Output<string>;
  /** Base64 PEM of the cluster's certificate authority. */
  readonly certificateAuthorityData: pulumi.Output<string>;
  /** The cluster's OIDC issuer URL. */
  readonly oidcIssuer: pulumi.Output<string>;
  /** ARN of the IAM OIDC provider for IRSA. */
  readonly oidcProviderArn: pulumi.Output<string>;
  /** The cluster security group EKS created (control plane ↔ nodes). */
  readonly clusterSecurityGroupId: pulumi.Output<string>;
  /** The private subnets nodes run in. */
  readonly privateSubnetIds: pulumi.Output<string[]>;
  /** The cluster's VPC. */
  readonly vpcId: pulumi.Output<string>;
  /**
   * The VPC's IPv4 CIDR: where a Network Load Balancer's connections to pods (IP targets) come
   * from, for the serving pods' NetworkPolicy.
   */
  readonly vpcCidrBlock: pulumi.Output<string>;
  /** The on-demand system node group (add-ons wait for it). */
  readonly systemNodeGroup: eks.NodeGroup;
  /**
   * What every node of the cluster waits for before it boots: the VPC CNI and kube-proxy
   * add-ons (pod network with NetworkPolicy enforcement) and, in a VPC the cluster created, the
   * private subnets' NAT routes its image pulls use. Node groups and fleets depend on these.
   */
  readonly nodeDependencies: Dependency[];
  /** The EKS add-ons, by name. */
  readonly addons: Record<string, eks.Addon> = {};
  /** The IAM role of managed node groups. */
  readonly nodeRole: iam.Role;
  /** ARN of {@link nodeRole}. */
  readonly nodeRoleArn: pulumi.Output<string>;
  /** ARN of the KMS key encrypting Kubernetes secrets. */
  readonly kmsKeyArn: pulumi.Output<string>;
  /** Partition, region and account of the cluster. */
  readonly account: pulumi.Output<AwsAccount>;
  /** A kubeconfig using `aws eks get-token` (holds no credentials). */
  readonly kubeconfig: pulumi.Output<string>;
  /** A Kubernetes provider for the cluster. */
  readonly provider: k8s.Provider;
  /**
   * The AWS Load Balancer Controller's Helm release, when installed: Services it reconciles must
   * wait for it (pass it in `OnnxService`'s `exposure.waitFor`).
   */
  readonly loadBalancerController?: k8s.helm.v3.Release;

  /**
   * @param name component name (and default cluster name).
   * @param args cluster settings; validated before any resource is created.
   * @param opts resource options; pass `providers: { aws }` to choose account and region.
   */
  constructor(name: string, args: EksClusterArgs = {}, opts?: pulumi.ComponentResourceOptions) {
    const plan = planEksCluster({
      name: args.clusterName ?? name,
      version: args.version,
      subnetIds: args.subnetIds,
      vpc: args.vpc,
      endpoint: args.endpoint,
      systemNodes: args.systemNodes,
      logTypes: args.logTypes,
      logRetentionDays: args.logRetentionDays,
      serviceCidr: args.serviceCidr,
    });
    super("hybridai:index:AwsEksCluster", name, args, opts);
    const parent = { parent: this };
    const tags = args.tags ?? {};
    this.clusterName = plan.name;
    this.kubernetesVersion = plan.version;
    this.serviceIpv4Cidr = plan.serviceIpv4Cidr;
    this.systemNodeGroupName = plan.systemNodeGroup.nodeGroupName;
    this.account = awsAccountOf(this);

    const vpcNetwork = plan.network
      ? createNetwork(name, plan.name, plan.network, this.account.region, this, tags)
      : undefined;
    const subnetIds = vpcNetwork
      ? pulumi.all(vpcNetwork.privateSubnetIds)
      : pulumi.output(args.subnetIds as pulumi.Input<pulumi.Input<string>[]>);
    this.privateSubnetIds = subnetIds;

    const { cluster, key } = this.createControlPlane(name, plan, args, subnetIds, tags);
    this.kmsKeyArn = key.arn;
    this.name = cluster.name;
    this.endpoint = cluster.endpoint;
    this.certificateAuthorityData = cluster.certificateAuthority.apply((ca) => ca.data ?? "");
    this.clusterSecurityGroupId = cluster.vpcConfig.apply((v) => v.clusterSecurityGroupId ?? "");
    this.oidcIssuer = cluster.identities.apply((ids) => ids[0]?.oidcs?.[0]?.issuer ?? "");
    this.vpcId = vpcNetwork ? vpcNetwork.vpcId : cluster.vpcConfig.apply((v) => v.vpcId ?? "");
    this.vpcCidrBlock = plan.network
      ? pulumi.output(plan.network.cidr)
      : getVpcOutput({ id: this.vpcId }, parent).cidrBlock;
    this.oidcProviderArn = new iam.OpenIdConnectProvider(
      name,
      { url: this.oidcIssuer, clientIdLists: ["sts.amazonaws.com"], tags },
      parent,
    ).arn;

    for (const [i, admin] of (args.admins ?? []).entries()) {
      this.clusterAdmin(`${name}-admin-${i}`, cluster.name, admin);
    }

    const egress = vpcNetwork?.egress ?? [];
    const nodes = this.createSystemNodes(name, plan, args, cluster.name, subnetIds, tags, egress);
    this.nodeRole = nodes.nodeRole;
    this.nodeRoleArn = this.nodeRole.arn;
    this.nodeDependencies = nodes.nodeDependencies;
    this.systemNodeGroup = nodes.systemNodeGroup;

    const apiAccess = this.apiAccessRules(name, plan);
    this.kubeconfig = pulumi.secret(
      pulumi
        .all([cluster.name, cluster.endpoint, this.certificateAuthorityData, this.account.region])
        .apply(([clusterName, endpoint, certificateAuthorityData, region]) =>
          JSON.stringify(
            buildKubeconfig({ clusterName, endpoint, certificateAuthorityData, region }),
          ),
        ),
    );
    this.provider = new k8s.Provider(
      name,
      { kubeconfig: this.kubeconfig },
      { parent: this, dependsOn: apiAccess },
    );

    if (args.clusterAutoscaler ?? true) {
      this.installClusterAutoscaler(name, plan, tags);
    }
    if (args.loadBalancerController ?? false) {
      this.loadBalancerController = this.installLoadBalancerController(name, plan, tags);
    }

    this.registerOutputs({
      name: this.name,
      endpoint: this.endpoint,
      oidcProviderArn: this.oidcProviderArn,
      oidcIssuer: this.oidcIssuer,
      nodeRoleArn: this.nodeRoleArn,
      clusterSecurityGroupId: this.clusterSecurityGroupId,
      privateSubnetIds: this.privateSubnetIds,
      vpcId: this.vpcId,
      vpcCidrBlock: this.vpcCidrBlock,
      kmsKeyArn: this.kmsKeyArn,
      kubeconfig: this.kubeconfig,
    });
  }

  /**
   * The control plane: the KMS key for secrets, the cluster role, the log group and the cluster
   * itself (after its log group and role policies).
   */
  private createControlPlane(
    name: string,
    plan: EksClusterPlan,
    args: EksClusterArgs,
    subnetIds: pulumi.Input<pulumi.Input<string>[]>,
    tags: Record<string, string>,
  ): { cluster: eks.Cluster; key: kms.Key } {
    const parent = { parent: this };
    const key = new kms.Key(
      `${name}-secrets`,
      {
        description: `Envelope encryption of Kubernetes secrets in EKS cluster ${plan.name}`,
        enableKeyRotation: true,
        deletionWindowInDays: 30,
        tags,
      },
      parent,
    );
    const clusterRole = this.clusterRole(name, plan.rolePrefixes.cluster, key.arn, tags);
    const logGroup = new cloudwatch.LogGroup(
      `${name}-control-plane`,
      { name: `/aws/eks/${plan.name}/cluster`, retentionInDays: plan.logRetentionDays, tags },
      parent,
    );
    const cluster = new eks.Cluster(
      name,
      {
        name: plan.name,
        version: plan.version,
        roleArn: clusterRole.role.arn,
        vpcConfig: { subnetIds, ...plan.endpoint },
        accessConfig: {
          authenticationMode: "API",
          bootstrapClusterCreatorAdminPermissions: args.creatorIsAdmin ?? true,
        },
        encryptionConfig: { provider: { keyArn: key.arn }, resources: ["secrets"] },
        enabledClusterLogTypes: plan.enabledClusterLogTypes,
        kubernetesNetworkConfig: { serviceIpv4Cidr: plan.serviceIpv4Cidr, ipFamily: "ipv4" },
        upgradePolicy: { supportType: "STANDARD" },
        tags,
      },
      { parent: this, dependsOn: [logGroup, ...clusterRole.attachments] },
    );
    return { cluster, key };
  }

  /**
   * The node role, the add-ons nodes need before they boot (pod network), the on-demand system
   * node group with its launch template (after those add-ons and `egress`), then the add-ons
   * that run on nodes.
   */
  private createSystemNodes(
    name: string,
    plan: EksClusterPlan,
    args: EksClusterArgs,
    clusterName: pulumi.Output<string>,
    subnetIds: pulumi.Input<pulumi.Input<string>[]>,
    tags: Record<string, string>,
    egress: pulumi.Resource[],
  ): { nodeRole: iam.Role; nodeDependencies: pulumi.Resource[]; systemNodeGroup: eks.NodeGroup } {
    const nodeRole = createNodeRole(`${name}-node`, {
      parent: this,
      partition: this.account.partition,
      policyNames: NODE_MANAGED_POLICIES,
      namePrefix: plan.rolePrefixes.node,
      tags,
    });
    const addons = planEksAddons(plan.version, { metricsServer: args.metricsServer ?? true });
    const install = (specs: PlannedAddon[], dependsOn: pulumi.Resource[]) =>
      specs.map((spec) => {
        const addon = this.addon(name, clusterName, spec, tags, dependsOn);
        this.addons[spec.addonName] = addon;
        return addon;
      });
    const network = install(
      addons.filter((a) => a.beforeNodes),
      [],
    );
    const nodeDependencies = [...network, ...egress];
    const system = plan.systemNodeGroup;
    const systemTemplate = new ec2.LaunchTemplate(
      `${name}-system`,
      {
        description: `system nodes of ${name}`,
        metadataOptions: system.launch.metadataOptions,
        blockDeviceMappings: system.launch.blockDeviceMappings,
        monitoring: system.launch.monitoring,
        updateDefaultVersion: true,
        tagSpecifications: ["instance", "volume"].map((resourceType) => ({ resourceType, tags })),
        tags,
      },
      { parent: this },
    );
    const systemNodeGroup = new eks.NodeGroup(
      `${name}-system`,
      {
        clusterName,
        nodeGroupName: system.nodeGroupName,
        nodeRoleArn: nodeRole.arn,
        subnetIds,
        amiType: system.amiType,
        capacityType: system.capacityType,
        instanceTypes: system.instanceTypes,
        scalingConfig: system.scalingConfig,
        labels: system.labels,
        launchTemplate: {
          id: systemTemplate.id,
          version: systemTemplate.latestVersion.apply(String),
        },
        updateConfig: { maxUnavailable: 1 },
        tags,
      },
      {
        parent: this,
        ignoreChanges: ["scalingConfig.desiredSize"],
        dependsOn: nodeDependencies,
      },
    );
    install(
      addons.filter((a) => !a.beforeNodes),
      [systemNodeGroup],
    );
    return { nodeRole, nodeDependencies, systemNodeGroup };
  }

  /** One pinned EKS add-on. */
  private addon(
    name: string,
    clusterName: pulumi.Input<string>,
    spec: PlannedAddon,
    tags: Record<string, string>,
    dependsOn: pulumi.Resource[],
  ): eks.Addon {
    return new eks.Addon(
      `${name}-${spec.addonName}`,
      {
        clusterName,
        addonName: spec.addonName,
        addonVersion: spec.addonVersion,
        ...(spec.configurationValues ? { configurationValues: spec.configurationValues } : {}),
        resolveConflictsOnCreate: spec.resolveConflictsOnCreate,
        resolveConflictsOnUpdate: spec.resolveConflictsOnUpdate,
        tags,
      },
      { parent: this, dependsOn },
    );
  }

  /** Ingress on 443 to the cluster security group from the runner CIDRs and groups of the plan. */
  private apiAccessRules(name: string, plan: EksClusterPlan): vpc.SecurityGroupIngressRule[] {
    const { cidrs, securityGroupIds, port } = plan.apiAccess;
    const rule = (
      suffix: string,
      source: { cidrIpv4: string } | { referencedSecurityGroupId: pulumi.Input<string> },
    ) =>
      new vpc.SecurityGroupIngressRule(
        `${name}-api-${suffix}`,
        {
          securityGroupId: this.clusterSecurityGroupId,
          ipProtocol: "tcp",
          fromPort: port,
          toPort: port,
          description: `Kubernetes API of ${plan.name} for pulumi up and kubectl`,
          ...source,
        },
        { parent: this },
      );
    return [
      ...cidrs.map((cidrIpv4, i) => rule(`cidr-${i}`, { cidrIpv4 })),
      ...securityGroupIds.map((id, i) => rule(`sg-${i}`, { referencedSecurityGroupId: id })),
    ];
  }

  private clusterRole(
    name: string,
    namePrefix: string,
    kmsKeyArn: pulumi.Output<string>,
    tags: Record<string, string>,
  ) {
    const role = new iam.Role(
      `${name}-cluster`,
      {
        namePrefix,
        assumeRolePolicy: JSON.stringify(serviceTrustPolicy("eks.amazonaws.com")),
        tags,
      },
      { parent: this },
    );
    const attachments = CLUSTER_MANAGED_POLICIES.map(
      (policy) =>
        new iam.RolePolicyAttachment(
          `${name}-cluster-${policy}`,
          {
            role: role.name,
            policyArn: this.account.partition.apply((p) => managedPolicyArn(p, policy)),
          },
          { parent: this },
        ),
    );
    const encryption = new iam.RolePolicy(
      `${name}-cluster-encryption`,
      {
        name: "secrets-encryption",
        role: role.id,
        policy: kmsKeyArn.apply((arn) => JSON.stringify(clusterEncryptionPolicy(arn))),
      },
      { parent: this },
    );
    return { role, attachments: [...attachments, encryption] };
  }

  private clusterAdmin(
    name: string,
    clusterName: pulumi.Input<string>,
    principalArn: pulumi.Input<string>,
  ) {
    const entry = new eks.AccessEntry(
      name,
      { clusterName, principalArn, type: "STANDARD" },
      { parent: this },
    );
    new eks.AccessPolicyAssociation(
      name,
      {
        clusterName,
        principalArn: entry.principalArn,
        policyArn: this.account.partition.apply(
          (p) => `arn:${p}:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy`,
        ),
        accessScope: { type: "cluster" },
      },
      { parent: this },
    );
  }

  private installClusterAutoscaler(
    name: string,
    plan: EksClusterPlan,
    tags: Record<string, string>,
  ) {
    const role = createIrsaRole(`${name}-cluster-autoscaler`, {
      parent: this,
      oidcProviderArn: this.oidcProviderArn,
      oidcIssuer: this.oidcIssuer,
      namespace: CLUSTER_AUTOSCALER_SERVICE_ACCOUNT.namespace,
      serviceAccountName: CLUSTER_AUTOSCALER_SERVICE_ACCOUNT.name,
      permissions: this.account.apply((account) => clusterAutoscalerPolicy(account, plan.name)),
      namePrefix: plan.rolePrefixes.clusterAutoscaler,
      policyName: "cluster-autoscaler",
      component: "AwsEksCluster",
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
        values: pulumi.all([this.account.region, role.arn]).apply(([region, roleArn]) =>
          clusterAutoscalerValues({
            clusterName: plan.name,
            version: plan.version,
            region,
            roleArn,
            systemNodeGroupName: plan.systemNodeGroup.nodeGroupName,
          }),
        ),
      },
      { parent: this, provider: this.provider, dependsOn: [this.systemNodeGroup] },
    );
  }

  private installLoadBalancerController(
    name: string,
    plan: EksClusterPlan,
    tags: Record<string, string>,
  ): k8s.helm.v3.Release {
    const role = createIrsaRole(`${name}-lb-controller`, {
      parent: this,
      oidcProviderArn: this.oidcProviderArn,
      oidcIssuer: this.oidcIssuer,
      namespace: LOAD_BALANCER_CONTROLLER_SERVICE_ACCOUNT.namespace,
      serviceAccountName: LOAD_BALANCER_CONTROLLER_SERVICE_ACCOUNT.name,
      permissions: this.account.apply(loadBalancerControllerPolicy),
      namePrefix: plan.rolePrefixes.loadBalancerController,
      policyName: "aws-load-balancer-controller",
      component: "AwsEksCluster",
      tags,
    });
    return new k8s.helm.v3.Release(
      `${name}-lb-controller`,
      {
        name: "aws-load-balancer-controller",
        namespace: LOAD_BALANCER_CONTROLLER_SERVICE_ACCOUNT.namespace,
        chart: LOAD_BALANCER_CONTROLLER_CHART.chart,
        version: LOAD_BALANCER_CONTROLLER_CHART.version,
        repositoryOpts: { repo: LOAD_BALANCER_CONTROLLER_CHART.repo },
        values: pulumi
          .all([this.account.region, this.vpcId, role.arn])
          .apply(([region, vpcId, roleArn]) =>
            loadBalancerControllerValues({
              clusterName: plan.name,
              region,
              vpcId,
              roleArn,
              systemNodeGroupName: plan.systemNodeGroup.nodeGroupName,
            }),
          ),
      },
      { parent: this, provider: this.provider, dependsOn: [this.systemNodeGroup] },
    );
  }
}
