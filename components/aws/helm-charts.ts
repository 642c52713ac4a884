/** A Helm chart pinned to one version. */
export interface PinnedChart {
  /** Chart name, or an `oci://` reference. */
  chart: string;
  /** Exact chart version. */
  version: string;
  /** Chart repository URL (absent for OCI references). */
  repo?: string;
}

/** cluster-autoscaler's chart (kubernetes/autoscaler); its image is pinned per Kubernetes version. */
export const CLUSTER_AUTOSCALER_CHART: PinnedChart = {
  chart: "cluster-autoscaler",
  version: "9.46.6",
  repo: "https://kubernetes.github.io/autoscaler",
};

/** cluster-autoscaler image tags by Kubernetes minor version (the autoscaler must match the control plane). */
export const CLUSTER_AUTOSCALER_IMAGE_TAGS: Readonly<Record<string, string>> = {
  "1.31": "v1.31.0",
  "1.32": "v1.32.0",
  "1.33": "v1.33.0",
  "1.34": "v1.34.0",
};

/** aws-node-termination-handler's chart, from AWS's public ECR. */
export const TERMINATION_HANDLER_CHART: PinnedChart = {
  chart: "oci://public.ecr.aws/aws-ec2/helm/aws-node-termination-handler",
  version: "0.27.0",
};
