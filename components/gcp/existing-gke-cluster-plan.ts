import { HybridAiConfigError } from "../errors";
import { assertGkeClusterName, serviceAccountId } from "./names";
import { assertProjectId, assertRegion } from "./validate";

const COMPONENT = "GcpExistingGkeCluster";

/** A GCP zone, e.g. `us-central1-a`. */
const ZONE = /^[a-z]+-[a-z]+[0-9]+-[a-z]$/;

/** The plain settings of an existing-cluster lookup. */
export interface ExistingGkeClusterSpec {
  /** Name of the existing GKE cluster. */
  clusterName: unknown;
  /** Its project. */
  project: unknown;
  /** Its region (regional clusters only). */
  region: unknown;
  /** A node service account given, when set. */
  nodeServiceAccountEmail?: unknown;
  /**
   * What the node service account id must be unique by besides the cluster (the program's
   * project and stack, so two programs adding pools to one cluster get two accounts).
   */
  uniqueIn: string;
}

/** What an existing-cluster lookup creates, validated. */
export interface ExistingGkeClusterPlan {
  /** Cluster name. */
  clusterName: string;
  /** Project id. */
  project: string;
  /** Region. */
  region: string;
  /** The id of the node service account to create, when none is given. */
  nodeServiceAccountId?: string;
}

/**
 * Validates the lookup of an existing GKE cluster: a valid cluster name and project, and a
 * region, because hybridai's node pools are regional (a zonal cluster is refused with that
 * reason). A node service account is created unless one is given. Throws
 * {@link HybridAiConfigError} naming the field, the value and what is allowed.
 */
export function planExistingGkeCluster(spec: ExistingGkeClusterSpec): ExistingGkeClusterPlan {
  const clusterName = assertGkeClusterName(COMPONENT, "clusterName", spec.clusterName);
  const project = assertProjectId(COMPONENT, "project", spec.project);
  if (typeof spec.region === "string" && ZONE.test(spec.region)) {
    throw new HybridAiConfigError(
      COMPONENT,
      "region",
      spec.region,
      `the region of a regional GKE cluster, such as ${spec.region.replace(/-[a-z]$/, "")}: hybridai node pools and model stores are planned per region, so a zonal cluster is not supported`,
    );
  }
  const region = assertRegion(COMPONENT, "region", spec.region);
  if (
    spec.nodeServiceAccountEmail !== undefined &&
    typeof spec.nodeServiceAccountEmail === "string" &&
    !/^[^@\s]+@[^@\s]+\.iam\.gserviceaccount\.com$/.test(spec.nodeServiceAccountEmail)
  ) {
    throw new HybridAiConfigError(
      COMPONENT,
      "nodeServiceAccountEmail",
      spec.nodeServiceAccountEmail,
      "a service account email such as gke-nodes@my-project.iam.gserviceaccount.com",
    );
  }
  return {
    clusterName,
    project,
    region,
    ...(spec.nodeServiceAccountEmail === undefined
      ? {
          nodeServiceAccountId: serviceAccountId(
            clusterName,
            "nodes",
            `${region}/${spec.uniqueIn}`,
          ),
        }
      : {}),
  };
}

/** The attributes of an existing GKE cluster (a subset of `gcp.container.getCluster`'s result). */
export interface GkeClusterFacts {
  /** Cluster name. */
  name: string;
  /** Control plane address. */
  endpoint: string;
  /** Master auth (the first one's CA certificate is used). */
  masterAuths: { clusterCaCertificate: string }[];
  /** Workload Identity settings (empty when it is off). */
  workloadIdentityConfigs: { workloadPool: string }[];
  /** An Autopilot cluster. */
  enableAutopilot: boolean;
}

/** The attributes hybridai reads from an existing GKE cluster, flattened. */
export interface ExistingGkeClusterAttributes {
  /** Cluster name. */
  name: string;
  /** Control plane address. */
  endpoint: string;
  /** Base64 PEM of the cluster CA. */
  clusterCaCertificate: string;
  /** `<project>.svc.id.goog`, or `""` when Workload Identity is off. */
  workloadPool: string;
  /** An Autopilot cluster. */
  autopilot: boolean;
}

/** Flattens what `gcp.container.getCluster` reports into the attributes pools and stores use. */
export function existingGkeClusterAttributes(facts: GkeClusterFacts): ExistingGkeClusterAttributes {
  return {
    name: facts.name,
    endpoint: facts.endpoint,
    clusterCaCertificate: facts.masterAuths?.[0]?.clusterCaCertificate ?? "",
    workloadPool: facts.workloadIdentityConfigs?.[0]?.workloadPool ?? "",
    autopilot: facts.enableAutopilot ?? false,
  };
}
