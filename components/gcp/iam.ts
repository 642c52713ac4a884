/**
 * The project roles of a GKE node service account: write logs, metrics and resource metadata,
 * and read monitoring config (the set GKE's hardening guide lists for a least-privilege node
 * service account). Nothing that reads data: workloads get their own identities through
 * Workload Identity.
 */
export const NODE_SERVICE_ACCOUNT_ROLES = [
  "roles/logging.logWriter",
  "roles/monitoring.metricWriter",
  "roles/monitoring.viewer",
  "roles/stackdriver.resourceMetadata.writer",
] as const;

/** The bucket role of a model reader: list and read objects, nothing else. */
export const MODEL_READER_ROLE = "roles/storage.objectViewer";

/** The role that lets a Kubernetes service account act as a GCP service account. */
export const WORKLOAD_IDENTITY_USER_ROLE = "roles/iam.workloadIdentityUser";

/** The OAuth scope GKE recommends with a dedicated service account: IAM decides access. */
export const CLOUD_PLATFORM_SCOPE = "https://www.googleapis.com/auth/cloud-platform";

/** The Workload Identity pool of a project: `<project>.svc.id.goog`. */
export function workloadPool(project: string): string {
  return `${project}.svc.id.goog`;
}

/**
 * The IAM member a Kubernetes service account becomes under Workload Identity:
 * `serviceAccount:<project>.svc.id.goog[<namespace>/<name>]`.
 */
export function workloadIdentityMember(
  project: string,
  namespace: string,
  serviceAccountName: string,
): string {
  return `serviceAccount:${workloadPool(project)}[${namespace}/${serviceAccountName}]`;
}

/** The annotation that binds a Kubernetes service account to a GCP service account. */
export const WORKLOAD_IDENTITY_ANNOTATION = "iam.gke.io/gcp-service-account";
