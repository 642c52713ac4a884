import { LABELS } from "../kubernetes/labels";

/** The label EKS puts on every node of a managed node group: the group's name. */
export const NODEGROUP_LABEL = "eks.amazonaws.com/nodegroup";

/**
 * The labels that mark a spot node, and their spot values: EKS managed node groups', Karpenter's
 * and hybridai's own.
 */
export const SPOT_NODE_LABELS: Readonly<Record<string, string>> = {
  "eks.amazonaws.com/capacityType": "SPOT",
  "karpenter.sh/capacity-type": "spot",
  [LABELS.capacityType]: "spot",
};

/** A required node affinity that keeps a pod off every node labelled spot. */
export interface OffSpotAffinity {
  /** Node affinity. */
  nodeAffinity: {
    /** Required at scheduling time. */
    requiredDuringSchedulingIgnoredDuringExecution: {
      /** One term: every expression must hold. */
      nodeSelectorTerms: {
        matchExpressions: { key: string; operator: "NotIn"; values: string[] }[];
      }[];
    };
  };
}

/** Pod settings shared by the add-ons hybridai installs (cluster-autoscaler, termination handler). */
export interface AddonPlacement {
  /** Keeps the add-on on the on-demand system node group, never on a spot node it may drain. */
  nodeSelector?: Record<string, string>;
  /** Without a system node group: keeps the add-on off nodes labelled spot. */
  affinity?: OffSpotAffinity;
  /** The add-on must not be preempted by workloads. */
  priorityClassName: "system-cluster-critical";
  /** Requests sized for clusters of up to a few hundred nodes. */
  resources: { requests: { cpu: string; memory: string }; limits: { memory: string } };
}

/**
 * Where and how an add-on's pods run: on the cluster's system node group when it has one (a
 * cluster hybridai created, or an existing one whose group was named), else on any node not
 * labelled spot (nodes without those labels, such as self-managed on-demand nodes, qualify).
 */
export function addonPlacement(systemNodeGroupName?: string): AddonPlacement {
  const common = {
    priorityClassName: "system-cluster-critical" as const,
    resources: { requests: { cpu: "100m", memory: "256Mi" }, limits: { memory: "512Mi" } },
  };
  if (systemNodeGroupName !== undefined) {
    return { nodeSelector: { [NODEGROUP_LABEL]: systemNodeGroupName }, ...common };
  }
  return {
    affinity: {
      nodeAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: {
          nodeSelectorTerms: [
            {
              matchExpressions: Object.entries(SPOT_NODE_LABELS).map(([key, value]) => ({
                key,
                operator: "NotIn",
                values: [value],
              })),
            },
          ],
        },
      },
    },
    ...common,
  };
}

/** The IRSA annotation that binds a service account to an IAM role. */
export const IRSA_ANNOTATION = "eks.amazonaws.com/role-arn";
