import type { Provider } from "@pulumi/kubernetes/provider";
import type * as pulumi from "@pulumi/pulumi";

/**
 * Arguments of {@link ExistingGkeCluster}. The cluster's attributes are read from GKE
 * (`gcp.container.getCluster`); the optional fields override what is read or what is created.
 */
export interface ExistingGkeClusterArgs {
  /** Name of the existing GKE cluster. */
  clusterName: string;
  /** Its project id. */
  project: string;
  /** Its region (a regional cluster; zonal clusters are not supported). */
  region: string;
  /**
   * The service account new node pools run as. Default: a new one holding only
   * `roles/logging.logWriter`, `roles/monitoring.metricWriter`, `roles/monitoring.viewer` and
   * `roles/stackdriver.resourceMetadata.writer`, as `gcp.GkeCluster` creates.
   */
  nodeServiceAccountEmail?: pulumi.Input<string>;
  /** Control plane address for the Kubernetes provider. Default: the cluster's. */
  endpoint?: pulumi.Input<string>;
  /** Base64 PEM of the cluster CA for the Kubernetes provider. Default: the cluster's. */
  clusterCaCertificate?: pulumi.Input<string>;
  /**
   * A Kubernetes provider for the cluster. Default: one built from the endpoint and CA that
   * authenticates with `gke-gcloud-auth-plugin`.
   */
  provider?: Provider;
}
