import * as container from "@pulumi/gcp/container";
import * as pulumi from "@pulumi/pulumi";
import type { CapacityType } from "../accelerators";
import { dependsOnAll } from "../dependency";
import { assertCluster, nodePoolClusterName, withNodeServiceAccount } from "./cluster-ref";
import type { GpuNodePoolArgs } from "./gpu-node-pool-args";
import { planGpuNodePool } from "./gpu-node-pool-plan";
import { nodePoolName } from "./names";

/**
 * GPU nodes for a `gcp.GkeCluster` or an existing GKE cluster from the cloud-neutral
 * accelerator spec: one node pool, or with `capacity.spot` an on-demand pool for the floor and a
 * Spot pool above it. Both carry
 * `hybridai.dev/accelerator`, `hybridai.dev/capacity-type` and the `nvidia.com/gpu` taint.
 */
export class GpuNodePool extends pulumi.ComponentResource {
  /** The machine type chosen. */
  readonly machineType: string;
  /** GKE's accelerator type string. */
  readonly acceleratorType: string;
  /** GPUs per node. */
  readonly acceleratorCount: number;
  /** The on-demand pool, when the capacity has an on-demand part. */
  readonly onDemandPool?: container.NodePool;
  /** The Spot pool, when the capacity has a Spot part. */
  readonly spotPool?: container.NodePool;
  /** Names of the created node pools, on-demand first. */
  readonly nodePoolNames: pulumi.Output<string[]>;

  /**
   * @param name logical name; pools are named `<name>-on-demand` and `<name>-spot` (a long
   *   name shortened with a hash to GKE's 40 characters).
   * @param args the GPU spec, validated before anything is created.
   * @param opts resource options.
   */
  constructor(name: string, args: GpuNodePoolArgs, opts?: pulumi.ComponentResourceOptions) {
    const cluster = assertCluster("GcpGpuNodePool", args?.cluster);
    const plan = planGpuNodePool(args, { project: cluster.project, region: cluster.region });
    super("hybridai:index:GcpGpuNodePool", name, {}, opts);
    const clusterName = nodePoolClusterName("GcpGpuNodePool", cluster);
    this.machineType = plan.machineType;
    this.acceleratorType = plan.gkeAcceleratorType;
    this.acceleratorCount = plan.acceleratorCount;

    const pools = new Map<CapacityType, container.NodePool>();
    for (const part of plan.parts) {
      pools.set(
        part.capacityType,
        new container.NodePool(
          `${name}-${part.capacityType}`,
          withNodeServiceAccount(
            { ...part.nodePool, name: nodePoolName(name, part.capacityType) },
            clusterName,
            args.serviceAccountEmail ?? cluster.nodeServiceAccountEmail,
          ),
          {
            parent: this,
            ignoreChanges: ["initialNodeCount"],
            dependsOn: dependsOnAll(cluster.nodeDependencies),
          },
        ),
      );
    }
    this.onDemandPool = pools.get("on-demand");
    this.spotPool = pools.get("spot");
    this.nodePoolNames = pulumi.all([...pools.values()].map((p) => p.name));

    this.registerOutputs({
      machineType: this.machineType,
      acceleratorType: this.acceleratorType,
      acceleratorCount: this.acceleratorCount,
      nodePoolNames: this.nodePoolNames,
    });
  }
}
