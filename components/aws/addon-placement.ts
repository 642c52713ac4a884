/** The label EKS puts on every node of a managed node group: the group's name. */
export const NODEGROUP_LABEL = "eks.amazonaws.com/nodegroup";

/** Pod settings shared by the add-ons hybridai installs (cluster-autoscaler, termination handler). */
export interface AddonPlacement {
  /** Keeps the add-on on the on-demand system node group, never on a spot node it may drain. */
  nodeSelector: Record<string, string>;
  /** The add-on must not be preempted by workloads. */
  priorityClassName: "system-cluster-critical";
  /** Requests sized for clusters of up to a few hundred nodes. */
  resources: { requests: { cpu: string; memory: string }; limits: { memory: string } };
}

/** Where and how an add-on's pods run, for a cluster's system node group. */
export function addonPlacement(systemNodeGroupName: string): AddonPlacement {
  return {
    nodeSelector: { [NODEGROUP_LABEL]: systemNodeGroupName },
    priorityClassName: "system-cluster-critical",
    resources: { requests: { cpu: "100m", memory: "256Mi" }, limits: { memory: "512Mi" } },
  };
}

/** The IRSA annotation that binds a service account to an IAM role. */
export const IRSA_ANNOTATION = "eks.amazonaws.com/role-arn";
