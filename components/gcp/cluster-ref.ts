import type * as container from "@pulumi/gcp/container";
import type * as pulumi from "@pulumi/pulumi";
import { HybridAiConfigError } from "../errors";
import type { NodePoolSettings } from "./node-config";

/** What a node pool or model store needs from its cluster. */
export interface ClusterRef {
  /** Project id. */
  project: string;
  /** Region. */
  region: string;
  /** Cluster name. */
  name: pulumi.Output<string>;
  /** Node service account email. */
  nodeServiceAccountEmail: pulumi.Output<string>;
  /**
   * The cluster resource, when this program creates it. Workload Identity bindings wait for
   * it: the `<project>.svc.id.goog` pool they name exists only once a Workload Identity
   * cluster does. Default none (an existing cluster's pool exists already).
   */
  cluster?: pulumi.Resource;
  /** What node pools wait for before their nodes start (the Cloud NAT their image pulls use). Default none. */
  nodeDependencies?: pulumi.Resource[];
}

/** Checks that `cluster` is a {@link ClusterRef} (a `gcp.GkeCluster`), naming the component otherwise. */
export function assertCluster(component: string, cluster: unknown): ClusterRef {
  const candidate = cluster as Partial<ClusterRef> | undefined;
  if (
    candidate === null ||
    typeof candidate !== "object" ||
    typeof candidate.project !== "string" ||
    typeof candidate.region !== "string"
  ) {
    throw new HybridAiConfigError(component, "cluster", cluster, "a gcp.GkeCluster");
  }
  return candidate as ClusterRef;
}

/** Node pool arguments from a plan, joined to a cluster and run by a service account. */
export function withNodeServiceAccount(
  settings: NodePoolSettings,
  cluster: pulumi.Input<string>,
  serviceAccount: pulumi.Input<string>,
): container.NodePoolArgs {
  return { ...settings, cluster, nodeConfig: { ...settings.nodeConfig, serviceAccount } };
}
