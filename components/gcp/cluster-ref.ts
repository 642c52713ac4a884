import type * as container from "@pulumi/gcp/container";
import * as pulumi from "@pulumi/pulumi";
import type { Dependency } from "../dependency";
import { HybridAiConfigError } from "../errors";
import { workloadPool } from "./iam";
import type { NodePoolSettings } from "./node-config";

/**
 * What `gcp.GpuNodePool`, `gcp.TpuNodePool` and `gcp.ModelStore` need from a GKE cluster. Both
 * `gcp.GkeCluster` (a cluster this program creates) and `gcp.ExistingGkeCluster` (one it looks
 * up, also reached as `gcp.GkeCluster.get`) are one, so every component takes either with the
 * same plan. One interface rather than a union, so a multi-language schema can describe it.
 */
export interface GkeClusterRef {
  /** Project id of the cluster. */
  project: string;
  /** Region of the (regional) cluster. */
  region: string;
  /** The cluster name, once the cluster exists (node pools naming it wait for it). */
  name: pulumi.Input<string>;
  /** The service account node pools run as unless told otherwise. */
  nodeServiceAccountEmail: pulumi.Input<string>;
  /**
   * The cluster's Workload Identity pool, `<project>.svc.id.goog`; empty when Workload Identity
   * is off, which node pools (GKE metadata server) and model stores (reader binding) refuse.
   */
  workloadPool: pulumi.Input<string>;
  /** An Autopilot cluster, which takes no node pools. Default `false`. */
  autopilot?: pulumi.Input<boolean>;
  /**
   * The cluster resource, when this program creates it. Workload Identity bindings wait for
   * it: the `<project>.svc.id.goog` pool they name exists only once a Workload Identity
   * cluster does. Default none (an existing cluster's pool exists already).
   */
  cluster?: Dependency;
  /**
   * What node pools wait for before their nodes start (a new cluster's Cloud NAT, a new node
   * service account's role grants). Default none.
   */
  nodeDependencies?: pulumi.Input<Dependency[]>;
}

/**
 * Checks that `cluster` is a {@link GkeClusterRef} (a `gcp.GkeCluster` or
 * `gcp.ExistingGkeCluster`), naming the component otherwise.
 */
export function assertCluster(component: string, cluster: unknown): GkeClusterRef {
  const candidate = cluster as Partial<GkeClusterRef> | undefined;
  if (
    candidate === null ||
    typeof candidate !== "object" ||
    typeof candidate.project !== "string" ||
    typeof candidate.region !== "string"
  ) {
    throw new HybridAiConfigError(
      component,
      "cluster",
      cluster,
      "a gcp.GkeCluster, or an existing cluster from gcp.GkeCluster.get(name, { clusterName, project, region })",
    );
  }
  return candidate as GkeClusterRef;
}

/** What a Workload Identity check knows of the cluster. */
export interface WorkloadIdentityFacts {
  /** Cluster name. */
  clusterName: string;
  /** Project id. */
  project: string;
  /** Region. */
  region: string;
  /** The pool the cluster reports (empty when Workload Identity is off). */
  workloadPool: string;
}

/**
 * Checks that the cluster has Workload Identity on, with its project's pool; `needs` says what
 * depends on it. Returns the pool.
 */
export function assertWorkloadIdentity(
  component: string,
  facts: WorkloadIdentityFacts,
  needs: string,
): string {
  const expected = workloadPool(facts.project);
  if (facts.workloadPool !== expected) {
    throw new HybridAiConfigError(
      component,
      "cluster.workloadPool",
      facts.workloadPool,
      `${expected}: ${needs}. Turn Workload Identity on with ` +
        `\`gcloud container clusters update ${facts.clusterName} --location ${facts.region} --workload-pool=${expected}\``,
    );
  }
  return facts.workloadPool;
}

/** Checks that the cluster takes node pools (GKE Standard, not Autopilot). */
export function assertStandardCluster(component: string, autopilot: boolean): void {
  if (autopilot) {
    throw new HybridAiConfigError(
      component,
      "cluster.autopilot",
      true,
      "a GKE Standard cluster: Autopilot provisions its own nodes and takes no node pools (request GPUs and TPUs through pod node selectors there instead)",
    );
  }
}

/**
 * The cluster name node pools join, once the cluster is known to take them: a Standard cluster
 * with Workload Identity on (pool nodes run the GKE metadata server). A cluster that is neither
 * fails here, at preview, naming the fix.
 */
export function nodePoolClusterName(
  component: string,
  cluster: GkeClusterRef,
): pulumi.Output<string> {
  return pulumi
    .all([cluster.name, cluster.workloadPool, cluster.autopilot ?? false])
    .apply(([clusterName, pool, autopilot]) => {
      assertStandardCluster(component, autopilot);
      assertWorkloadIdentity(
        component,
        { clusterName, project: cluster.project, region: cluster.region, workloadPool: pool },
        "pool nodes run the GKE metadata server (workloadMetadataConfig GKE_METADATA), which needs Workload Identity on the cluster",
      );
      return clusterName;
    });
}

/** Node pool arguments from a plan, joined to a cluster and run by a service account. */
export function withNodeServiceAccount(
  settings: NodePoolSettings,
  cluster: pulumi.Input<string>,
  serviceAccount: pulumi.Input<string>,
): container.NodePoolArgs {
  return { ...settings, cluster, nodeConfig: { ...settings.nodeConfig, serviceAccount } };
}
