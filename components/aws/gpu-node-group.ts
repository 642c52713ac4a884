import * as ec2 from "@pulumi/aws/ec2";
import * as eks from "@pulumi/aws/eks";
import * as pulumi from "@pulumi/pulumi";
import { dependsOnAll } from "../dependency";
import { assertEksClusterRef } from "./cluster-ref";
import type { GpuNodeGroupArgs } from "./gpu-node-group-args";
import { planGpuNodeGroup } from "./gpu-node-group-plan";

/**
 * Accelerator nodes as EKS managed node groups, from the cloud-neutral spec: catalog instance
 * types, the matching NVIDIA or Neuron AMI type, hybridai labels, the accelerator `NoSchedule`
 * taint, and a launch template with IMDSv2 required and an encrypted gp3 volume sized for models.
 */
export class GpuNodeGroup extends pulumi.ComponentResource {
  /** The EKS AMI type. */
  readonly amiType: string;
  /** Instance types, cheapest first. */
  readonly instanceTypes: string[];
  /** Names of the managed node groups (`<name>-on-demand`, `<name>-spot`). */
  readonly nodeGroupNames: string[];
  /** The managed node groups. */
  readonly nodeGroups: eks.NodeGroup[];
  /** The launch template id. */
  readonly launchTemplateId: pulumi.Output<string>;

  /**
   * @param name component name; also the node groups' base name.
   * @param args accelerator, capacity and cluster; validated before any resource is created.
   * @param opts resource options.
   */
  constructor(name: string, args: GpuNodeGroupArgs, opts?: pulumi.ComponentResourceOptions) {
    const cluster = assertEksClusterRef("AwsGpuNodeGroup", args?.cluster);
    const plan = planGpuNodeGroup({
      name,
      accelerator: args.accelerator,
      capacity: args.capacity,
      os: args.os,
      instanceTypes: args.instanceTypes,
      rootVolumeGiB: args.rootVolumeGiB,
      labels: args.labels,
    });
    super("hybridai:index:AwsGpuNodeGroup", name, args, opts);
    const tags = { ...args.tags, "hybridai.dev/accelerator": args.accelerator.type };
    this.amiType = plan.amiType;
    this.instanceTypes = plan.instanceTypes;
    this.nodeGroupNames = plan.nodeGroups.map((g) => g.nodeGroupName);

    const template = new ec2.LaunchTemplate(
      name,
      {
        description: `${args.accelerator.type} nodes of ${name}`,
        metadataOptions: plan.launch.metadataOptions,
        blockDeviceMappings: plan.launch.blockDeviceMappings,
        monitoring: plan.launch.monitoring,
        updateDefaultVersion: true,
        tagSpecifications: ["instance", "volume"].map((resourceType) => ({ resourceType, tags })),
        tags,
      },
      { parent: this },
    );
    this.launchTemplateId = template.id;
    const subnetIds = args.subnetIds ?? cluster.privateSubnetIds;
    this.nodeGroups = plan.nodeGroups.map(
      (group) =>
        new eks.NodeGroup(
          group.nodeGroupName,
          {
            clusterName: cluster.name,
            nodeGroupName: group.nodeGroupName,
            nodeRoleArn: cluster.nodeRoleArn,
            subnetIds,
            amiType: plan.amiType,
            capacityType: group.eksCapacityType,
            instanceTypes: plan.instanceTypes,
            scalingConfig: group.scalingConfig,
            labels: group.labels,
            taints: group.taints,
            launchTemplate: { id: template.id, version: template.latestVersion.apply(String) },
            updateConfig: { maxUnavailable: 1 },
            tags,
          },
          {
            parent: this,
            ignoreChanges: ["scalingConfig.desiredSize"],
            dependsOn: dependsOnAll(cluster.nodeDependencies),
          },
        ),
    );
    this.registerOutputs({
      amiType: this.amiType,
      instanceTypes: this.instanceTypes,
      nodeGroupNames: this.nodeGroupNames,
      launchTemplateId: this.launchTemplateId,
    });
  }
}
