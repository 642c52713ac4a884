/** What a kubeconfig for an EKS cluster needs. */
export interface KubeconfigSpec {
  /** EKS cluster name. */
  clusterName: string;
  /** API server endpoint URL. */
  endpoint: string;
  /** Base64 PEM of the cluster's certificate authority. */
  certificateAuthorityData: string;
  /** The cluster's region (passed to `aws eks get-token`). */
  region: string;
}

/**
 * A kubeconfig that authenticates with `aws eks get-token` (AWS CLI v2), so it holds no secret
 * and works for whoever runs it with AWS credentials that have an access entry.
 */
export function buildKubeconfig(spec: KubeconfigSpec): Record<string, unknown> {
  const name = spec.clusterName;
  return {
    apiVersion: "v1",
    kind: "Config",
    clusters: [
      {
        name,
        cluster: {
          server: spec.endpoint,
          "certificate-authority-data": spec.certificateAuthorityData,
        },
      },
    ],
    contexts: [{ name, context: { cluster: name, user: name } }],
    "current-context": name,
    users: [
      {
        name,
        user: {
          exec: {
            apiVersion: "client.authentication.k8s.io/v1beta1",
            command: "aws",
            args: [
              "eks",
              "get-token",
              "--cluster-name",
              name,
              "--region",
              spec.region,
              "--output",
              "json",
            ],
            interactiveMode: "Never",
          },
        },
      },
    ],
  };
}
