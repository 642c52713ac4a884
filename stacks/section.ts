import type * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import type { z } from "zod";
import type { Cloud } from "../components/accelerators";

/** A Kubernetes cluster a section created, for later sections (serving) to deploy onto. */
export interface DeployedCluster {
  /** The cloud (or `edge`) the cluster runs on. */
  cloud: Cloud | "edge";
  /** A ready Kubernetes provider for the cluster. */
  provider: k8s.Provider;
  /** The cluster's model store, when the section created one. */
  modelStore?: DeployedModelStore;
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
  /** Creates the section's resources and returns its stack outputs. */
  deploy(config: T, context: StackContext): Record<string, pulumi.Input<unknown>>;
}
