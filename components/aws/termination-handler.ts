import { addonPlacement, IRSA_ANNOTATION } from "./addon-placement";

/** An EventBridge event pattern. */
export interface EventPattern {
  /** Event sources, e.g. `aws.ec2`. */
  source: string[];
  /** Detail types. */
  "detail-type": string[];
  /** Matches on the event detail. */
  detail?: Record<string, string[]>;
}

/** The interruption events aws-node-termination-handler acts on, by rule suffix. */
export const INTERRUPTION_EVENTS = [
  "asg-termination",
  "spot-interruption",
  "rebalance",
  "state-change",
  "scheduled-change",
] as const;

/** One interruption event aws-node-termination-handler acts on. */
export type InterruptionEvent = (typeof INTERRUPTION_EVENTS)[number];

/**
 * The EventBridge patterns that feed the termination handler's queue: the Auto Scaling group's
 * terminate lifecycle action (scale-in, rebalancing, instance refresh), the two-minute spot
 * interruption warning, the earlier rebalance recommendation, instances stopping or terminating,
 * and scheduled maintenance from AWS Health.
 */
export function interruptionEventPatterns(
  autoScalingGroupName: string,
): Record<InterruptionEvent, EventPattern> {
  return {
    "asg-termination": {
      source: ["aws.autoscaling"],
      "detail-type": ["EC2 Instance-terminate Lifecycle Action"],
      detail: { AutoScalingGroupName: [autoScalingGroupName] },
    },
    "spot-interruption": {
      source: ["aws.ec2"],
      "detail-type": ["EC2 Spot Instance Interruption Warning"],
    },
    rebalance: {
      source: ["aws.ec2"],
      "detail-type": ["EC2 Instance Rebalance Recommendation"],
    },
    "state-change": {
      source: ["aws.ec2"],
      "detail-type": ["EC2 Instance State-change Notification"],
      detail: { state: ["stopping", "stopped", "shutting-down", "terminated"] },
    },
    "scheduled-change": {
      source: ["aws.health"],
      "detail-type": ["AWS Health Event"],
      detail: { service: ["EC2"], eventTypeCategory: ["scheduledChange"] },
    },
  };
}

/** Messages older than the spot notice are useless: the queue keeps them 5 minutes. */
export const INTERRUPTION_QUEUE_RETENTION_SECONDS = 300;

/**
 * Longest grace a pod gets when a node drains. The spot notice is 120 s; 90 s for pods leaves
 * the handler time to cordon, evict and complete the lifecycle action.
 */
export const POD_DRAIN_GRACE_SECONDS = 90;

/** What the termination handler's Helm values depend on. */
export interface TerminationHandlerSpec {
  /** Helm release name (also its service account name). */
  releaseName: string;
  /** URL of its SQS queue. */
  queueUrl: string;
  /** Region of the queue. */
  region: string;
  /** The IRSA role ARN for its service account. */
  roleArn: string;
  /** Only instances carrying this tag are drained (one tag a fleet, so handlers never cross). */
  managedTag: string;
  /** The on-demand system node group it runs on. Default: any node not labelled spot. */
  systemNodeGroupName?: string;
}

/**
 * Helm values for aws-node-termination-handler in queue mode: reads the fleet's queue, drains
 * only instances tagged with the fleet's managed tag, taints nodes it drains, emits Kubernetes
 * events, and runs two replicas on the on-demand system nodes (or, without a system node group, off
 * every node labelled spot).
 */
export function terminationHandlerValues(spec: TerminationHandlerSpec): Record<string, unknown> {
  return {
    fullnameOverride: spec.releaseName,
    enableSqsTerminationDraining: true,
    queueURL: spec.queueUrl,
    awsRegion: spec.region,
    checkTagBeforeDraining: true,
    managedTag: spec.managedTag,
    deleteSqsMsgIfNodeNotFound: true,
    taintNode: true,
    emitKubernetesEvents: true,
    podTerminationGracePeriod: POD_DRAIN_GRACE_SECONDS,
    nodeTerminationGracePeriod: 120,
    replicas: 2,
    serviceAccount: {
      create: true,
      name: spec.releaseName,
      annotations: { [IRSA_ANNOTATION]: spec.roleArn },
    },
    ...addonPlacement(spec.systemNodeGroupName),
  };
}
