import {
  ACCELERATOR_MODELS,
  type AcceleratorSpec,
  type CapacitySpec,
  type CapacitySplit,
  splitSpotCapacity,
  validateCapacity,
} from "../accelerators";
import { HybridAiConfigError } from "../errors";
import { acceleratorTaint, LABELS, type Taint } from "../kubernetes/labels";
import { cloudName } from "../names";
import { assertWholeNumber } from "../validate";
import { SPOT_FLEET_ASG_PREFIX } from "./cluster-autoscaler";
import { clusterRolePrefix } from "./eks-cluster-plan";
import {
  amiTypeFor,
  instanceTypesFor,
  type NodeLaunchSettings,
  nodeLaunchSettings,
  rootVolumeGiBFor,
} from "./gpu-nodes";
import { clusterAutoscalerOwnerTag } from "./iam-policies";
import { assertAwsName, assertNodeLabels } from "./names";
import { INTERRUPTION_EVENTS, type InterruptionEvent } from "./termination-handler";

const COMPONENT = "AwsSpotFleet";

/** The tag key prefix aws-node-termination-handler matches instances by (`managedTag`). */
export const TERMINATION_HANDLER_TAG_PREFIX = "aws-node-termination-handler/";

/**
 * Longest Auto Scaling group name of a fleet: the group name is part of the instances'
 * `aws-node-termination-handler/<group>` tag key, and EC2 tag keys stop at 128 characters.
 */
export const SPOT_FLEET_ASG_NAME_MAX = 128 - TERMINATION_HANDLER_TAG_PREFIX.length;

/** Longest EventBridge rule name. */
export const EVENT_RULE_NAME_MAX = 64;

/** Names of a fleet's AWS resources, each unique per cluster and fleet. */
export interface SpotFleetNames {
  /** `namePrefix` of the nodes' IAM role and instance profile. */
  nodeRolePrefix: string;
  /** `namePrefix` of the termination handler's IRSA role. */
  terminationHandlerRolePrefix: string;
  /** The EventBridge rule of each interruption event. */
  eventRules: Record<InterruptionEvent, string>;
}

/** The plain settings of a spot fleet. */
export interface SpotFleetSpec {
  /** Fleet name (the Auto Scaling group is `hybridai-fleet-<cluster>-<name>`). */
  name: string;
  /** EKS cluster name (tags, discovery). */
  clusterName: string;
  /**
   * Kubernetes minor version of the cluster, when known before deployment (checked here; the
   * component reads it from the cluster, which for an existing cluster is known only once EKS
   * answers, and picks the AMI with {@link acceleratedAmiParameter}).
   */
  kubernetesVersion?: string;
  /** The cloud-neutral accelerator spec. */
  accelerator: AcceleratorSpec;
  /** Node bounds; `spot` defaults to `{ onDemandBase: 0, onDemandPercentAboveBase: 0 }` (all spot). */
  capacity: CapacitySpec;
  /** Explicit instance types (catalog candidates). */
  instanceTypes?: string[];
  /** Root volume size, GiB. */
  rootVolumeGiB?: number;
  /** Extra node labels. */
  labels?: Record<string, string>;
  /** Seconds an instance waits in `Terminating:Wait` for the drain. Default 300. */
  drainTimeoutSeconds?: number;
}

/** An Auto Scaling group tag. */
export interface AsgTag {
  /** Tag key. */
  key: string;
  /** Tag value. */
  value: string;
  /** Copy the tag to launched instances. */
  propagateAtLaunch: boolean;
}

/** A validated spot fleet plan. */
export interface SpotFleetPlan {
  /** Auto Scaling group name: `hybridai-fleet-<cluster>-<fleet>`, at most 99 characters. */
  autoScalingGroupName: string;
  /** The names of the fleet's other AWS resources. */
  names: SpotFleetNames;
  /** Which EKS AL2023 accelerated AMI the nodes boot (see {@link acceleratedAmiParameter}). */
  amiVariant: AcceleratedAmiVariant;
  /** Instance types, cheapest first (the `prioritized` on-demand order). */
  instanceTypes: string[];
  /** Root volume size, GiB. */
  rootVolumeGiB: number;
  /** Launch template settings. */
  launch: NodeLaunchSettings;
  /** Group bounds. */
  scaling: { minSize: number; maxSize: number; desiredCapacity: number };
  /** The mixed-instances distribution: the exact on-demand base and percentage, spot pools chosen by price and capacity. */
  instancesDistribution: {
    onDemandBaseCapacity: number;
    onDemandPercentageAboveBaseCapacity: number;
    onDemandAllocationStrategy: "prioritized";
    spotAllocationStrategy: "price-capacity-optimized";
  };
  /** How the distribution splits the min, max and desired sizes (for outputs and cost estimates). */
  split: CapacitySplit;
  /** Node labels known up front (capacity type is labelled on the node). */
  labels: Record<string, string>;
  /** Node taints (Kubernetes spelling, for the kubelet). */
  taints: Taint[];
  /** The tag that marks the fleet's instances for its own termination handler. */
  managedTag: string;
  /** The terminate lifecycle hook the handler completes after draining. */
  lifecycleHook: {
    name: string;
    lifecycleTransition: "autoscaling:EC2_INSTANCE_TERMINATING";
    defaultResult: "CONTINUE";
    heartbeatTimeout: number;
  };
  /** Auto Scaling group tags: cluster ownership, autoscaler discovery and scale-from-zero templates. */
  tags: AsgTag[];
}

/** The EKS AL2023 accelerated AMI families: NVIDIA drivers, or the Neuron SDK. */
export type AcceleratedAmiVariant = "nvidia" | "neuron";

/**
 * The SSM parameter holding the recommended EKS AL2023 accelerated AMI id for a Kubernetes minor
 * version, e.g. `/aws/service/eks/optimized-ami/1.33/amazon-linux-2023/x86_64/nvidia/recommended/image_id`.
 */
export function acceleratedAmiParameter(version: string, variant: AcceleratedAmiVariant): string {
  return `/aws/service/eks/optimized-ami/${version}/amazon-linux-2023/x86_64/${variant}/recommended/image_id`;
}

const MINOR_VERSION = /^\d+\.\d+$/;

/**
 * Turns a spot fleet spec into an Auto Scaling group with a mixed-instances policy. The
 * group's `onDemandBaseCapacity` and `onDemandPercentageAboveBaseCapacity` are the spec's
 * `onDemandBase` and `onDemandPercentAboveBase` verbatim, so EC2 Auto Scaling keeps the exact
 * split at every size the autoscaler picks. Throws {@link HybridAiConfigError} before anything
 * is created.
 */
export function planSpotFleet(spec: SpotFleetSpec): SpotFleetPlan {
  const name = assertAwsName(COMPONENT, "name", spec.name, 40);
  const machines = instanceTypesFor(spec.accelerator, spec.instanceTypes, COMPONENT);
  const amiVariant: AcceleratedAmiVariant =
    amiTypeFor(spec.accelerator.type, "al2023", COMPONENT) === "AL2023_x86_64_NEURON"
      ? "neuron"
      : "nvidia";
  if (spec.kubernetesVersion !== undefined && !MINOR_VERSION.test(spec.kubernetesVersion)) {
    throw new HybridAiConfigError(
      COMPONENT,
      "kubernetesVersion",
      spec.kubernetesVersion,
      "a Kubernetes minor version such as 1.33",
    );
  }
  const resolved = validateCapacity(
    { ...spec.capacity, spot: spec.capacity?.spot ?? {} },
    COMPONENT,
  );
  const spot = resolved.spot ?? { onDemandBase: 0, onDemandPercentAboveBase: 0 };
  const heartbeat = assertWholeNumber(
    COMPONENT,
    "drainTimeoutSeconds",
    spec.drainTimeoutSeconds ?? 300,
    120,
    7200,
    "a whole number of seconds from 120 (the spot notice) to 7200",
  );
  const labels = {
    ...assertNodeLabels(COMPONENT, spec.labels),
    [LABELS.accelerator]: spec.accelerator.type,
  };
  const taint = acceleratorTaint(spec.accelerator.type);
  const rootVolumeGiB = rootVolumeGiBFor(machines, spec.rootVolumeGiB, COMPONENT);
  const autoScalingGroupName = cloudName({
    prefix: SPOT_FLEET_ASG_PREFIX.replace(/-$/, ""),
    scope: spec.clusterName,
    suffix: name,
    max: SPOT_FLEET_ASG_NAME_MAX,
    component: COMPONENT,
    field: "name",
  });
  const managedTag = `${TERMINATION_HANDLER_TAG_PREFIX}${autoScalingGroupName}`;
  const fleetScope = `${spec.clusterName}-${name}`;
  const template = "k8s.io/cluster-autoscaler/node-template";
  const count = spec.accelerator.count ?? 1;
  const tag = (key: string, value: string, propagateAtLaunch = false): AsgTag => ({
    key,
    value,
    propagateAtLaunch,
  });
  return {
    autoScalingGroupName,
    names: {
      nodeRolePrefix: clusterRolePrefix(fleetScope, "node"),
      terminationHandlerRolePrefix: clusterRolePrefix(fleetScope, "termination-handler"),
      eventRules: Object.fromEntries(
        INTERRUPTION_EVENTS.map((event) => [
          event,
          cloudName({ scope: fleetScope, suffix: event, max: EVENT_RULE_NAME_MAX }),
        ]),
      ) as Record<InterruptionEvent, string>,
    },
    amiVariant,
    instanceTypes: machines.map((m) => m.name),
    rootVolumeGiB,
    launch: nodeLaunchSettings("al2023", rootVolumeGiB),
    scaling: { minSize: resolved.min, maxSize: resolved.max, desiredCapacity: resolved.desired },
    instancesDistribution: {
      onDemandBaseCapacity: spot.onDemandBase,
      onDemandPercentageAboveBaseCapacity: spot.onDemandPercentAboveBase,
      onDemandAllocationStrategy: "prioritized",
      spotAllocationStrategy: "price-capacity-optimized",
    },
    split: splitSpotCapacity({ ...resolved, spot }),
    labels,
    taints: [taint],
    managedTag,
    lifecycleHook: {
      name: "drain-before-terminate",
      lifecycleTransition: "autoscaling:EC2_INSTANCE_TERMINATING",
      defaultResult: "CONTINUE",
      heartbeatTimeout: heartbeat,
    },
    tags: [
      tag("Name", autoScalingGroupName, true),
      tag(`kubernetes.io/cluster/${spec.clusterName}`, "owned", true),
      tag(managedTag, "true", true),
      tag("k8s.io/cluster-autoscaler/enabled", "true"),
      tag(clusterAutoscalerOwnerTag(spec.clusterName), "owned"),
      ...Object.entries(labels).map(([k, v]) => tag(`${template}/label/${k}`, v)),
      tag(`${template}/taint/${taint.key}`, `${taint.value}:${taint.effect}`),
      tag(
        `${template}/resources/${ACCELERATOR_MODELS[spec.accelerator.type].resourceName}`,
        String(count),
      ),
    ],
  };
}
