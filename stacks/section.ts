import type * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import type { z } from "zod";
import type { AcceleratorType, Cloud } from "../components/accelerators";

/** A Kubernetes cluster a section created, for later sections (serving) to deploy onto. */
export interface DeployedCluster {
  /** The cloud (or `edge`) the cluster runs on. */
  cloud: Cloud | "edge";
  /** A ready Kubernetes provider for the cluster. */
  provider: k8s.Provider;
  /** The cluster's model store, when the section created one. */
  modelStore?: DeployedModelStore;
  /** The accelerator capacity the section created, for workloads to wait for. Default: none. */
  capacity?: ClusterCapacity;
  /** The cloud region of the cluster, when the section knows it. */
  region?: pulumi.Input<string>;
  /** What exposing a service on an EKS cluster needs (`OnnxService` `exposure`). */
  network?: {
    /** The VPC CIDR a Network Load Balancer reaches pods from. */
    vpcCidrBlock: pulumi.Input<string>;
    /** The AWS Load Balancer Controller, when the cluster installed it. */
    loadBalancerController?: pulumi.Resource;
    /** The cluster already runs the controller (an existing cluster: nothing to wait for). */
    runsLoadBalancerController?: boolean;
  };
}

/** A way to expose a service to the internet that a cluster supports (`OnnxService` exposure). */
export type ClusterExposure = "aws-nlb" | "gcp-gateway";

/**
 * Accelerator nodes a cluster section created. A serving workload that needs an accelerator
 * waits for its nodes and the device plugin, so `pulumi up` never applies pods no node can run.
 */
export interface ClusterCapacity {
  /** The node groups, fleets or node pools carrying each accelerator type. */
  nodes: Partial<Record<AcceleratorType, pulumi.Resource[]>>;
  /** The NVIDIA device plugin the section installed (EKS); GKE installs its own with GPU pools. */
  devicePlugin?: pulumi.Resource;
  /** Accelerator types served by groups mixing spot and on-demand instances (aws.SpotFleet). */
  mixedCapacityAccelerators: readonly AcceleratorType[];
}

/** A model store and the one service account allowed to read it. */
export interface DeployedModelStore {
  /** The URI of a model's repository folder, e.g. `s3://bucket/models/ranker`. */
  uriFor(model: string): pulumi.Input<string>;
  /** The service account the store trusts: serving pods must run as it. */
  reader: {
    /** Namespace of the service account. */
    namespace: string;
    /** Name of the service account. */
    serviceAccountName: string;
    /** Annotations that bind it to the cloud identity (IRSA role ARN, GKE Workload Identity). */
    annotations: pulumi.Input<Record<string, pulumi.Input<string>>>;
  };
}

/** A cluster a section will create, known from its config before anything exists. */
export interface PlannedCluster {
  /** The cloud (or `edge`) it runs on. */
  cloud: Cloud | "edge";
  /** Its model store's reader service account, when the section creates a store. */
  modelStore?: { reader: { namespace: string; serviceAccountName: string } };
  /** Accelerator types it gets nodes for. */
  accelerators: readonly AcceleratorType[];
  /** Of those, the ones served by groups mixing spot and on-demand instances (aws.SpotFleet). */
  mixedCapacityAccelerators: readonly AcceleratorType[];
  /**
   * The internet-facing exposures it will support: `aws-nlb` with the AWS Load Balancer
   * Controller, `gcp-gateway` with the Gateway API. Absent when the section does not say.
   */
  exposures?: readonly ClusterExposure[];
}

/** What sections share while the stack program runs, in section order. */
export interface StackContext {
  /** Clusters created so far, by name. */
  clusters: Map<string, DeployedCluster>;
}

/**
 * One top-level section of a stack's config (`hybridai:<key>`): its schema and what it deploys.
 * A section is switched on by the presence of its key.
 */
export interface StackSection<T> {
  /** The config key under the `hybridai` namespace, e.g. `aws`. */
  key: string;
  /** One line for error messages: what the section deploys. */
  summary: string;
  /** The zod schema of the section's config. */
  schema: z.ZodType<T>;
  /** The clusters the section will create, by name, from its validated config (cluster sections). */
  plannedClusters?(config: T): Record<string, PlannedCluster>;
  /**
   * Checks the section's config against the clusters every section plans, before any section
   * creates anything (so a bad reference fails the stack with nothing half-created).
   */
  preflight?(config: T, clusters: ReadonlyMap<string, PlannedCluster>): void;
  /** Creates the section's resources and returns its stack outputs. */
  deploy(config: T, context: StackContext): Record<string, pulumi.Input<unknown>>;
}
