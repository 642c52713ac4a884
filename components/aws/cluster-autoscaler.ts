import { HybridAiConfigError } from "../errors";
import { addonPlacement, IRSA_ANNOTATION } from "./addon-placement";
import { CLUSTER_AUTOSCALER_IMAGE_TAGS } from "./helm-charts";

/** The namespace and service account cluster-autoscaler runs as (its IRSA role trusts exactly this). */
export const CLUSTER_AUTOSCALER_SERVICE_ACCOUNT = {
  namespace: "kube-system",
  name: "cluster-autoscaler",
} as const;

/** The prefix of every Auto Scaling group an `aws.SpotFleet` creates (the priority expander matches it). */
export const SPOT_FLEET_ASG_PREFIX = "hybridai-fleet-";

/**
 * The priority expander's tiers, highest first: spot fleets (spot above an exact on-demand base),
 * then spot managed node groups (named `…-spot`), then everything else (on-demand).
 */
export const EXPANDER_PRIORITIES: ReadonlyArray<readonly [number, string]> = [
  [30, `^${SPOT_FLEET_ASG_PREFIX}.*`],
  [20, "^eks-.*-spot-.*"],
  [10, ".*"],
];

/** The priority expander config, as the YAML text cluster-autoscaler reads (integer keys). */
export function priorityExpanderConfig(): string {
  return EXPANDER_PRIORITIES.map(([priority, pattern]) => `${priority}:\n  - "${pattern}"`).join(
    "\n",
  );
}

/** What cluster-autoscaler's values depend on. */
export interface ClusterAutoscalerSpec {
  /** EKS cluster name (Auto Scaling group discovery by tag). */
  clusterName: string;
  /** Kubernetes minor version, e.g. `1.33` (picks the matching autoscaler image). */
  version: string;
  /** Region of the cluster. */
  region: string;
  /** The IRSA role ARN for its service account. */
  roleArn: string;
  /** The on-demand system node group it runs on. Default: any node not labelled spot. */
  systemNodeGroupName?: string;
}

/**
 * Helm values for cluster-autoscaler: discovers the cluster's groups by the
 * `k8s.io/cluster-autoscaler/enabled` and `k8s.io/cluster-autoscaler/<cluster>` tags, expands with
 * the priority expander (spot first) then least-waste, runs non-root on the system nodes.
 */
export function clusterAutoscalerValues(spec: ClusterAutoscalerSpec): Record<string, unknown> {
  const tag = CLUSTER_AUTOSCALER_IMAGE_TAGS[spec.version];
  if (!tag) {
    throw new HybridAiConfigError(
      "AwsEksCluster",
      "version",
      spec.version,
      Object.keys(CLUSTER_AUTOSCALER_IMAGE_TAGS),
    );
  }
  const placement = addonPlacement(spec.systemNodeGroupName);
  return {
    cloudProvider: "aws",
    awsRegion: spec.region,
    autoDiscovery: { clusterName: spec.clusterName },
    fullnameOverride: CLUSTER_AUTOSCALER_SERVICE_ACCOUNT.name,
    image: { tag },
    rbac: {
      serviceAccount: {
        create: true,
        name: CLUSTER_AUTOSCALER_SERVICE_ACCOUNT.name,
        annotations: { [IRSA_ANNOTATION]: spec.roleArn },
      },
    },
    extraArgs: {
      expander: "priority,least-waste",
      "balance-similar-node-groups": true,
      "skip-nodes-with-local-storage": false,
      "scale-down-unneeded-time": "5m",
      "max-node-provision-time": "15m",
    },
    expanderPriorities: priorityExpanderConfig(),
    ...placement,
    securityContext: {
      runAsNonRoot: true,
      runAsUser: 65534,
      runAsGroup: 65534,
      fsGroup: 65534,
      seccompProfile: { type: "RuntimeDefault" },
    },
    containerSecurityContext: {
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ["ALL"] },
    },
  };
}
