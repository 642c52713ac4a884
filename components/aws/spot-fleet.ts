import * as autoscaling from "@pulumi/aws/autoscaling";
import * as cloudwatch from "@pulumi/aws/cloudwatch";
import * as ec2 from "@pulumi/aws/ec2";
import * as eks from "@pulumi/aws/eks";
import * as iam from "@pulumi/aws/iam";
import * as sqs from "@pulumi/aws/sqs";
import * as ssm from "@pulumi/aws/ssm";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { CapacitySplit } from "../accelerators";
import { dependsOnAll } from "../dependency";
import { awsAccountOf } from "./aws-account";
import {
  assertAccessEntries,
  assertEksClusterRef,
  assertIpv4ServiceCidr,
  type EksClusterRef,
} from "./cluster-ref";
import { TERMINATION_HANDLER_CHART } from "./helm-charts";
import {
  type AwsAccount,
  interruptionQueuePolicy,
  NODE_MANAGED_POLICIES,
  terminationHandlerPolicy,
} from "./iam-policies";
import { createIrsaRole, createNodeRole } from "./iam-roles";
import type { SpotFleetArgs } from "./spot-fleet-args";
import { acceleratedAmiParameter, planSpotFleet, type SpotFleetPlan } from "./spot-fleet-plan";
import {
  INTERRUPTION_QUEUE_RETENTION_SECONDS,
  type InterruptionEvent,
  interruptionEventPatterns,
  terminationHandlerValues,
} from "./termination-handler";
import { nodeUserData } from "./user-data";

/**
 * Accelerator capacity with an exact on-demand base and spot above it: one EC2 Auto Scaling group
 * with a mixed-instances policy (several instance types, price-capacity-optimized spot, capacity
 * rebalancing) joined to the cluster as self-managed AL2023 nodes, and interruption handling end
 * to end: a terminate lifecycle hook, an encrypted SQS queue fed by EventBridge rules, and
 * aws-node-termination-handler in queue mode (IRSA) draining nodes within the spot notice, while
 * cluster-autoscaler brings capacity back.
 */
export class SpotFleet extends pulumi.ComponentResource {
  /** Auto Scaling group name (known before deployment). */
  readonly autoScalingGroupName: string;
  /** Instance types, cheapest first. */
  readonly instanceTypes: string[];
  /** The exact on-demand / spot split of the min, max and desired sizes. */
  readonly split: CapacitySplit;
  /** ARN of the Auto Scaling group. */
  readonly autoScalingGroupArn: pulumi.Output<string>;
  /** The launch template id. */
  readonly launchTemplateId: pulumi.Output<string>;
  /** ARN of the fleet's node role. */
  readonly nodeRoleArn: pulumi.Output<string>;
  /** URL of the interruption queue. */
  readonly queueUrl: pulumi.Output<string>;
  /** ARN of the interruption queue. */
  readonly queueArn: pulumi.Output<string>;
  /** ARN of the termination handler's IRSA role. */
  readonly terminationHandlerRoleArn: pulumi.Output<string>;

  /**
   * @param name component name (the group is `hybridai-fleet-<cluster>-<name>`).
   * @param args accelerator, capacity and cluster; validated before any resource is created.
   * @param opts resource options.
   */
  constructor(name: string, args: SpotFleetArgs, opts?: pulumi.ComponentResourceOptions) {
    const cluster = assertEksClusterRef("AwsSpotFleet", args?.cluster);
    const plan = planSpotFleet({
      name,
      clusterName: cluster.clusterName,
      ...(typeof cluster.kubernetesVersion === "string"
        ? { kubernetesVersion: cluster.kubernetesVersion }
        : {}),
      accelerator: args.accelerator,
      capacity: args.capacity,
      instanceTypes: args.instanceTypes,
      rootVolumeGiB: args.rootVolumeGiB,
      labels: args.labels,
      drainTimeoutSeconds: args.drainTimeoutSeconds,
    });
    super("hybridai:index:AwsSpotFleet", name, args, opts);
    const tags = args.tags ?? {};
    this.autoScalingGroupName = plan.autoScalingGroupName;
    this.instanceTypes = plan.instanceTypes;
    this.split = plan.split;
    const account = awsAccountOf(this);

    const nodeRole = createNodeRole(`${name}-node`, {
      parent: this,
      partition: account.partition,
      policyNames: NODE_MANAGED_POLICIES,
      namePrefix: plan.names.nodeRolePrefix,
      tags,
    });
    this.nodeRoleArn = nodeRole.arn;
    const profile = new iam.InstanceProfile(
      `${name}-node`,
      { namePrefix: plan.names.nodeRolePrefix, role: nodeRole.name, tags },
      { parent: this },
    );
    // Self-managed nodes join through this access entry; a cluster whose access mode refuses
    // access entries fails here, at preview, naming the fix.
    const accessClusterName = pulumi
      .all([cluster.name, cluster.authenticationMode ?? "API"])
      .apply(([clusterName, mode]) => {
        assertAccessEntries("AwsSpotFleet", cluster.clusterName, mode);
        return clusterName;
      });
    const access = new eks.AccessEntry(
      `${name}-node`,
      { clusterName: accessClusterName, principalArn: nodeRole.arn, type: "EC2_LINUX" },
      { parent: this },
    );
    const template = this.launchTemplate(name, cluster, plan, profile, tags);
    this.launchTemplateId = template.id;
    const group = new autoscaling.Group(
      name,
      {
        name: plan.autoScalingGroupName,
        ...plan.scaling,
        vpcZoneIdentifiers: args.subnetIds ?? cluster.privateSubnetIds,
        capacityRebalance: true,
        mixedInstancesPolicy: {
          instancesDistribution: plan.instancesDistribution,
          launchTemplate: {
            launchTemplateSpecification: { launchTemplateId: template.id, version: "$Latest" },
            overrides: plan.instanceTypes.map((instanceType) => ({ instanceType })),
          },
        },
        initialLifecycleHooks: [plan.lifecycleHook],
        healthCheckType: "EC2",
        healthCheckGracePeriod: 300,
        tags: [
          ...plan.tags,
          ...Object.entries(tags).map(([key, value]) => ({ key, value, propagateAtLaunch: true })),
        ],
      },
      {
        parent: this,
        dependsOn: dependsOnAll(cluster.nodeDependencies, access),
        ignoreChanges: ["desiredCapacity"],
      },
    );
    this.autoScalingGroupArn = group.arn;

    const handler = this.interruptionHandling(name, cluster, account, plan, tags);
    this.queueUrl = handler.queueUrl;
    this.queueArn = handler.queueArn;
    this.terminationHandlerRoleArn = handler.roleArn;
    this.registerOutputs({
      autoScalingGroupName: this.autoScalingGroupName,
      autoScalingGroupArn: this.autoScalingGroupArn,
      instanceTypes: this.instanceTypes,
      split: this.split,
      launchTemplateId: this.launchTemplateId,
      nodeRoleArn: this.nodeRoleArn,
      queueUrl: this.queueUrl,
      terminationHandlerRoleArn: this.terminationHandlerRoleArn,
    });
  }

  private launchTemplate(
    name: string,
    cluster: EksClusterRef,
    plan: SpotFleetPlan,
    profile: iam.InstanceProfile,
    tags: Record<string, string>,
  ): ec2.LaunchTemplate {
    const amiParameter = pulumi
      .output(cluster.kubernetesVersion)
      .apply((version) => acceleratedAmiParameter(version, plan.amiVariant));
    const ami = ssm.getParameterOutput({ name: amiParameter }, { parent: this });
    const userData = pulumi
      .all([
        cluster.name,
        cluster.endpoint,
        cluster.certificateAuthorityData,
        cluster.serviceIpv4Cidr,
      ])
      .apply(([clusterName, endpoint, certificateAuthorityData, serviceIpv4Cidr]) =>
        Buffer.from(
          nodeUserData({
            clusterName,
            endpoint,
            certificateAuthorityData,
            serviceCidr: assertIpv4ServiceCidr("AwsSpotFleet", serviceIpv4Cidr),
            labels: plan.labels,
            taints: plan.taints,
          }),
        ).toString("base64"),
      );
    const instanceTags = { ...tags, Name: plan.autoScalingGroupName };
    return new ec2.LaunchTemplate(
      name,
      {
        description: `${plan.labels["hybridai.dev/accelerator"]} nodes of spot fleet ${name}`,
        imageId: ami.value,
        iamInstanceProfile: { arn: profile.arn },
        vpcSecurityGroupIds: [cluster.clusterSecurityGroupId],
        userData,
        metadataOptions: plan.launch.metadataOptions,
        blockDeviceMappings: plan.launch.blockDeviceMappings,
        monitoring: plan.launch.monitoring,
        updateDefaultVersion: true,
        tagSpecifications: ["instance", "volume"].map((resourceType) => ({
          resourceType,
          tags: instanceTags,
        })),
        tags,
      },
      { parent: this },
    );
  }

  private interruptionHandling(
    name: string,
    cluster: EksClusterRef,
    account: pulumi.Output<AwsAccount>,
    plan: SpotFleetPlan,
    tags: Record<string, string>,
  ) {
    const queue = new sqs.Queue(
      `${name}-interruptions`,
      {
        sqsManagedSseEnabled: true,
        messageRetentionSeconds: INTERRUPTION_QUEUE_RETENTION_SECONDS,
        tags,
      },
      { parent: this },
    );
    const rules = Object.entries(interruptionEventPatterns(plan.autoScalingGroupName)).map(
      ([event, pattern]) => {
        const rule = new cloudwatch.EventRule(
          `${name}-${event}`,
          {
            name: plan.names.eventRules[event as InterruptionEvent],
            description: `${event} events for spot fleet ${name}'s termination handler`,
            eventPattern: JSON.stringify(pattern),
            tags,
          },
          { parent: this },
        );
        new cloudwatch.EventTarget(
          `${name}-${event}`,
          { rule: rule.name, arn: queue.arn },
          { parent: this },
        );
        return rule;
      },
    );
    new sqs.QueuePolicy(
      `${name}-interruptions`,
      {
        queueUrl: queue.url,
        policy: pulumi
          .all([queue.arn, ...rules.map((r) => r.arn)])
          .apply(([queueArn, ...ruleArns]) =>
            JSON.stringify(interruptionQueuePolicy(queueArn, ruleArns)),
          ),
      },
      { parent: this },
    );
    const releaseName = `nth-${name}`;
    const role = createIrsaRole(`${name}-termination-handler`, {
      parent: this,
      oidcProviderArn: cluster.oidcProviderArn,
      oidcIssuer: cluster.oidcIssuer,
      namespace: "kube-system",
      serviceAccountName: releaseName,
      permissions: pulumi.all([account, queue.arn]).apply(([resolved, queueArn]) =>
        terminationHandlerPolicy(resolved, {
          queueArn,
          autoScalingGroupName: plan.autoScalingGroupName,
          clusterName: cluster.clusterName,
        }),
      ),
      namePrefix: plan.names.terminationHandlerRolePrefix,
      policyName: "termination-handler",
      component: "AwsSpotFleet",
      tags,
    });
    new k8s.helm.v3.Release(
      `${name}-termination-handler`,
      {
        name: releaseName,
        namespace: "kube-system",
        chart: TERMINATION_HANDLER_CHART.chart,
        version: TERMINATION_HANDLER_CHART.version,
        values: pulumi
          .all([queue.url, account.region, role.arn])
          .apply(([queueUrl, region, roleArn]) =>
            terminationHandlerValues({
              releaseName,
              queueUrl,
              region,
              roleArn,
              managedTag: plan.managedTag,
              ...(cluster.systemNodeGroupName
                ? { systemNodeGroupName: cluster.systemNodeGroupName }
                : {}),
            }),
          ),
      },
      {
        parent: this,
        provider: cluster.provider,
        dependsOn: cluster.systemNodeGroup ? [cluster.systemNodeGroup] : [],
      },
    );
    return { queueUrl: queue.url, queueArn: queue.arn, roleArn: role.arn };
  }
}
