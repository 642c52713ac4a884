/** What a kubeconfig for a GKE cluster needs. */
export interface GkeKubeconfigInput {
  /** A name for the cluster, user and context entries. */
  name: string;
  /** Control plane address (IP or host name), without scheme. */
  endpoint: string;
  /** The cluster CA certificate, base64 PEM as GKE returns it. */
  clusterCaCertificate: string;
}

/**
 * A kubeconfig (JSON, which every YAML reader accepts) that authenticates with
 * `gke-gcloud-auth-plugin`, the credential plugin GKE requires since Kubernetes 1.26:
 * short-lived tokens from the caller's Google credentials, never a stored secret.
 */
export function gkeKubeconfig(input: GkeKubeconfigInput): string {
  return JSON.stringify({
    apiVersion: "v1",
    kind: "Config",
    clusters: [
      {
        name: input.name,
        cluster: {
          server: `https://${input.endpoint}`,
          "certificate-authority-data": input.clusterCaCertificate,
        },
      },
    ],
    users: [
      {
        name: input.name,
        user: {
          exec: {
            apiVersion: "client.authentication.k8s.io/v1beta1",
            command: "gke-gcloud-auth-plugin",
            installHint:
              "Install gke-gcloud-auth-plugin: gcloud components install gke-gcloud-auth-plugin " +
              "(or apt-get install google-cloud-cli-gke-gcloud-auth-plugin)",
            provideClusterInfo: true,
            interactiveMode: "Never",
          },
        },
      },
    ],
    contexts: [{ name: input.name, context: { cluster: input.name, user: input.name } }],
    "current-context": input.name,
  });
}
