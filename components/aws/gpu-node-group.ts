import * as ec2 from "@pulumi/aws/ec2";
import * as eks from "@pulumi/aws/eks";
import * as pulumi from "@pulumi/pulumi";
import type { AcceleratorSpec, CapacitySpec } from "../accelerators";
import { dependsOnAll } from "../dependency";
import { assertEksClusterRef, type EksClusterRef } from "./cluster-ref";
import { planGpuNodeGroup } from "./gpu-node-group-plan";
import type { NodeOs } from "./gpu-nodes";

/**
 * Arguments of {@link GpuNodeGroup}. `accelerator`, `capacity`, `os`, `instanceTypes` and
 * `rootVolumeGiB` are plain values: they decide which resources exist and are validated first.
 */
export interface GpuNodeGroupArgs {
  /**
   * The cluster to join: an `aws.EksCluster`, or an existing cluster from
   * `aws.EksCluster.get(name, { clusterName })`.
   */
  cluster: EksClusterRef;
  /** The cloud-neutral accelerator spec, e.g. `{ type: "nvidia-l4", count: 1 }`. */
  accelerator: AcceleratorSpec;
  /**
   * Node bounds. With `spot`, an on-demand group holds the exact on-demand share of each bound and
   * a spot group the rest (cluster-autoscaler's priority expander then prefers the spot group).
   */
  capacity: CapacitySpec;
  /** Node OS: `al2023` (default) or `bottlerocket` (NVIDIA only). */
  os?: NodeOs;
  /** Instance types; each must be a catalog candidate. Default: candidates up to 2× the cheapest price. */
  instanceTypes?: string[];
  /** Root (data) volume in GiB. Default: 60 GiB for images + the accelerators' memory, at least 100. */
  rootVolumeGiB?: number;
  /** Subnets for the nodes. Default: the cluster's private subnets. */
  subnetIds?: pulumi.Input<pulumi.Input<string>[]>;
  /** Extra node labels. */
  labels?: Record<string, string>;
  /** Tags for the node groups, launch template, instances and volumes. */
  tags?: Record<string, string>;
}

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
