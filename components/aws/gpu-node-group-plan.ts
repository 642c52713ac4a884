import {
  type AcceleratorSpec,
  type CapacitySpec,
  type CapacityType,
  splitSpotCapacity,
  validateCapacity,
} from "../accelerators";
import { acceleratorNodeLabels } from "../kubernetes/labels";
import {
  type AcceleratorAmiType,
  amiTypeFor,
  type EksTaint,
  eksAcceleratorTaint,
  instanceTypesFor,
  type NodeLaunchSettings,
  type NodeOs,
  nodeLaunchSettings,
  rootVolumeGiBFor,
} from "./gpu-nodes";
import { assertAwsName } from "./names";

const COMPONENT = "AwsGpuNodeGroup";

/** The plain settings of a GPU node group. */
export interface GpuNodeGroupSpec {
  /** Base name of the node group(s); `-on-demand` / `-spot` is appended. */
  name: string;
  /** The cloud-neutral accelerator spec. */
  accelerator: AcceleratorSpec;
  /** Node bounds; with `spot`, split into an on-demand and a spot group. */
  capacity: CapacitySpec;
  /** Node OS. Default `al2023`. */
  os?: NodeOs;
  /** Explicit instance types (catalog candidates for the accelerator). */
  instanceTypes?: string[];
  /** Root (data) volume size in GiB. */
  rootVolumeGiB?: number;
  /** Extra node labels. */
  labels?: Record<string, string>;
}

/** One EKS managed node group of the plan. */
export interface PlannedNodeGroup {
  /** Node group name. */
  nodeGroupName: string;
  /** hybridai capacity type. */
  capacityType: CapacityType;
  /** EKS capacity type. */
  eksCapacityType: "ON_DEMAND" | "SPOT";
  /** Scaling bounds. */
  scalingConfig: { minSize: number; maxSize: number; desiredSize: number };
  /** Node labels. */
  labels: Record<string, string>;
  /** Node taints (EKS spelling). */
  taints: EksTaint[];
}

/** A validated GPU node group plan. */
export interface GpuNodeGroupPlan {
  /** EKS AMI type. */
  amiType: AcceleratorAmiType;
  /** Instance types, cheapest first. */
  instanceTypes: string[];
  /** Root (data) volume size, GiB. */
  rootVolumeGiB: number;
  /** Launch template settings. */
  launch: NodeLaunchSettings;
  /** One group (on-demand or spot only) or two (on-demand base, spot above it). */
  nodeGroups: PlannedNodeGroup[];
}

/**
 * Turns a GPU node group spec into managed node group settings. Without `capacity.spot`, one
 * on-demand group. With it, the bounds are split exactly by `splitSpotCapacity` (the on-demand
 * base first, then the on-demand percentage above it, rounded up in favour of on-demand) into an
 * on-demand group and a spot group; a part whose maximum is 0 is left out. Throws
 * {@link HybridAiConfigError} before anything is created.
 */
export function planGpuNodeGroup(spec: GpuNodeGroupSpec): GpuNodeGroupPlan {
  const name = assertAwsName(COMPONENT, "name", spec.name, 52);
  const os = spec.os ?? "al2023";
  const machines = instanceTypesFor(spec.accelerator, spec.instanceTypes, COMPONENT);
  const amiType = amiTypeFor(spec.accelerator.type, os, COMPONENT);
  const capacity = validateCapacity(spec.capacity, COMPONENT);
  const split = splitSpotCapacity(capacity);
  const rootVolumeGiB = rootVolumeGiBFor(machines, spec.rootVolumeGiB, COMPONENT);
  const taints = [eksAcceleratorTaint(spec.accelerator.type)];
  const parts = [
    { capacityType: "on-demand" as const, eks: "ON_DEMAND" as const, bounds: split.onDemand },
    { capacityType: "spot" as const, eks: "SPOT" as const, bounds: split.spot },
  ];
  return {
    amiType,
    instanceTypes: machines.map((m) => m.name),
    rootVolumeGiB,
    launch: nodeLaunchSettings(os, rootVolumeGiB),
    nodeGroups: parts
      .filter((part) => part.bounds.max > 0)
      .map((part) => ({
        nodeGroupName: `${name}-${part.capacityType}`,
        capacityType: part.capacityType,
        eksCapacityType: part.eks,
        scalingConfig: {
          minSize: part.bounds.min,
          maxSize: part.bounds.max,
          desiredSize: part.bounds.desired,
        },
        labels: {
          ...spec.labels,
          ...acceleratorNodeLabels(spec.accelerator.type, part.capacityType),
        },
        taints,
      })),
  };
}
