import * as container from "@pulumi/gcp/container";
import * as pulumi from "@pulumi/pulumi";
import type { TpuSlice } from "../accelerators";
import { dependsOnAll } from "../dependency";
import { assertCluster, nodePoolClusterName, withNodeServiceAccount } from "./cluster-ref";
import { nodePoolName } from "./names";
import type { TpuNodePoolArgs } from "./tpu-node-pool-args";
import { planTpuNodePool } from "./tpu-node-pool-plan";

/**
 * TPU slices (v5e, v5p, v6e; single-host or multi-host) for a `gcp.GkeCluster` or an existing
 * GKE cluster: the machine type, topology and node count come from the catalog's TPU rules;
 * Spot, reservations and queued provisioning are options. Nodes carry our labels and the
 * `google.com/tpu` taint.
 */
export class TpuNodePool extends pulumi.ComponentResource {
  /** The resolved slice: machine type, chips, nodes per slice. */
  readonly slice: TpuSlice;
  /** Every node pool created, in plan order. */
  readonly nodePools: container.NodePool[];
  /** Names of the created node pools. */
  readonly nodePoolNames: pulumi.Output<string[]>;

  /**
   * @param name logical name; pools are named `<name>-<capacity type>[-<slice index>]` (a long
   *   name shortened with a hash to GKE's 40 characters).
   * @param args the TPU spec, validated before anything is created.
   * @param opts resource options.
   */
  constructor(name: string, args: TpuNodePoolArgs, opts?: pulumi.ComponentResourceOptions) {
    const cluster = assertCluster("GcpTpuNodePool", args?.cluster);
    const plan = planTpuNodePool(args, { project: cluster.project, region: cluster.region });
    super("hybridai:index:GcpTpuNodePool", name, {}, opts);
    const clusterName = nodePoolClusterName("GcpTpuNodePool", cluster);
    this.slice = plan.slice;
    this.nodePools = plan.parts.map(
      (part) =>
        new container.NodePool(
          `${name}-${part.suffix}`,
          withNodeServiceAccount(
            { ...part.nodePool, name: nodePoolName(name, part.suffix) },
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
    this.nodePoolNames = pulumi.all(this.nodePools.map((p) => p.name));
    this.registerOutputs({ slice: this.slice, nodePoolNames: this.nodePoolNames });
  }
}
