import {
  ACCELERATOR_MODELS,
  type AcceleratorSpec,
  type CapacitySpec,
  type CapacityType,
  isTpu,
  type NodeBounds,
  resolveAccelerator,
  resolveAcceleratorSpec,
  splitSpotCapacity,
  validateCapacity,
} from "../accelerators";
import { HybridAiConfigError } from "../errors";
import { assertOneOf, assertWholeNumber } from "../validate";
import { assertZonesInRegion } from "./names";
import {
  acceleratorNodeMarks,
  capacityTypeOf,
  hardenedNodeConfig,
  type NodePoolSettings,
} from "./node-config";
import { assertOnDemandFloor } from "./spot-floor";
import { zonalPlacement } from "./zonal-placement";

const COMPONENT = "GcpGpuNodePool";

/** How GKE installs the NVIDIA driver, by name. */
export const GpuDriverVersion = {
  /** The driver version GKE tests with the node version. */
  Default: "DEFAULT",
  /** The newest driver for the node version. */
  Latest: "LATEST",
  /** No driver: install it yourself (e.g. with the GPU Operator). */
  InstallationDisabled: "INSTALLATION_DISABLED",
} as const;

/** How GKE installs the NVIDIA driver: `DEFAULT`, `LATEST` or `INSTALLATION_DISABLED`. */
export type GpuDriverVersion = (typeof GpuDriverVersion)[keyof typeof GpuDriverVersion];

/** How GKE installs the NVIDIA driver. */
export const GPU_DRIVER_VERSIONS: readonly GpuDriverVersion[] = Object.values(GpuDriverVersion);

/** GKE's GPU sharing strategies, by name. */
export const GpuSharingStrategy = {
  /** Context switching, each container sees the full memory. */
  TimeSharing: "TIME_SHARING",
  /** NVIDIA Multi-Process Service: concurrent, memory split. */
  Mps: "MPS",
} as const;

/** `TIME_SHARING` or `MPS`. */
export type GpuSharingStrategy = (typeof GpuSharingStrategy)[keyof typeof GpuSharingStrategy];

/** GKE's GPU sharing strategies. */
export const GPU_SHARING_STRATEGIES: readonly GpuSharingStrategy[] =
  Object.values(GpuSharingStrategy);
/** The most containers GKE lets share one GPU (time-sharing and MPS alike). */
export const MAX_SHARED_CLIENTS_PER_GPU = 48;

/** Several containers on one GPU. */
export interface GpuSharingSpec {
  /** `TIME_SHARING` (context switching, full memory each) or `MPS` (concurrent, memory split). */
  strategy: GpuSharingStrategy;
  /** Containers that may share each GPU (or each MIG partition): 2–48. */
  maxSharedClientsPerGpu: number;
}

/** The accelerator part of a GPU node pool, as plain values (validated on construction). */
export interface GpuNodePoolSpec {
  /** The GPU model and GPUs per node, e.g. `{ type: "nvidia-l4", count: 1 }`. */
  accelerator: AcceleratorSpec;
  /**
   * Nodes in the whole pool (all zones). `capacity.spot` splits it into an on-demand pool for
   * the base and a spot pool above it.
   */
  capacity: CapacitySpec;
  /** Machine type; must be one the catalog lists for the accelerator. Default: the cheapest. */
  machineType?: string;
  /** Driver installed by GKE. Default `DEFAULT` (the version GKE tests with the node version). */
  driverVersion?: GpuDriverVersion;
  /** GPU time-sharing or MPS. Default: one container per GPU. */
  sharing?: GpuSharingSpec;
  /** Multi-Instance GPU partition size, e.g. `1g.10gb` (A100/H100 only). Default: whole GPUs. */
  migPartitionSize?: string;
  /**
   * Zones of the pool, in the cluster's region, that offer the GPU (required: GKE needs them for
   * GPU pools of a regional cluster). A pool whose bounds do not split evenly over them runs
   * in the first zones that allow it, e.g. an on-demand floor of one node in the first zone.
   */
  nodeLocations?: string[];
  /** Boot disk size, GB. Default 100 (room for CUDA images). */
  diskSizeGb?: number;
  /** Boot disk type. Default `pd-balanced`. */
  diskType?: string;
  /** Extra Kubernetes node labels. */
  labels?: Record<string, string>;
}

/** Where the pool goes, from the cluster. */
export interface GpuPoolPlacement {
  /** Project id. */
  project: string;
  /** The cluster's region. */
  region: string;
}

/** One GKE node pool of a GPU pool: on-demand or spot. */
export interface GpuPoolPart {
  /** Which part. */
  capacityType: CapacityType;
  /** Its share of the capacity. */
  bounds: NodeBounds;
  /** The node pool arguments, without `cluster`. */
  nodePool: NodePoolSettings;
}

/** What {@link GpuNodePool} creates. */
export interface GpuNodePoolPlan {
  /** The machine type chosen. */
  machineType: string;
  /** GKE's accelerator type string, e.g. `nvidia-l4`. */
  gkeAcceleratorType: string;
  /** GPUs per node. */
  acceleratorCount: number;
  /** The pools: on-demand first, then spot; a part with no nodes at all is left out. */
  parts: GpuPoolPart[];
}

function validateSharing(spec: GpuNodePoolSpec, type: AcceleratorSpec["type"]) {
  const model = ACCELERATOR_MODELS[type];
  if (spec.migPartitionSize !== undefined && !model.migPartitions.includes(spec.migPartitionSize)) {
    throw new HybridAiConfigError(
      COMPONENT,
      "migPartitionSize",
      spec.migPartitionSize,
      model.migPartitions.length > 0
        ? `for ${type}: ${model.migPartitions.join(", ")}`
        : `none: ${type} has no Multi-Instance GPU support (A100 and H100 do)`,
    );
  }
  if (spec.sharing === undefined) return undefined;
  if (!model.supportsSharing) {
    throw new HybridAiConfigError(COMPONENT, "sharing", spec.sharing, `none for ${type}`);
  }
  const strategy = assertOneOf(
    COMPONENT,
    "sharing.strategy",
    spec.sharing.strategy,
    GPU_SHARING_STRATEGIES,
  );
  if (strategy === "MPS" && spec.migPartitionSize !== undefined) {
    throw new HybridAiConfigError(
      COMPONENT,
      "sharing.strategy",
      strategy,
      "TIME_SHARING with migPartitionSize (GKE does not run MPS on MIG partitions)",
    );
  }
  const clients = assertWholeNumber(
    COMPONENT,
    "sharing.maxSharedClientsPerGpu",
    spec.sharing.maxSharedClientsPerGpu,
    2,
    MAX_SHARED_CLIENTS_PER_GPU,
  );
  return { gpuSharingStrategy: strategy, maxSharedClientsPerGpu: clients };
}

function chooseMachineType(spec: GpuNodePoolSpec): string {
  const candidates = resolveAccelerator(spec.accelerator, "gcp", COMPONENT).map((m) => m.name);
  const chosen = spec.machineType ?? candidates[0];
  if (chosen === undefined || !candidates.includes(chosen)) {
    throw new HybridAiConfigError(
      COMPONENT,
      "machineType",
      spec.machineType,
      `for ${spec.accelerator.count ?? 1} × ${spec.accelerator.type}: ${candidates.join(", ")}`,
    );
  }
  return chosen;
}

/**
 * Validates a GPU pool spec against the GCP catalog and GPU model and turns it into GKE node
 * pools: machine type and `guestAccelerators` (driver, sharing, MIG), our labels and the
 * `nvidia.com/gpu` taint, hardened nodes, autoscaling by total node counts — location policy
 * `ANY` for spot (use whichever zone has capacity), `BALANCED` for on-demand — and zones and
 * per-zone initial counts that keep the nodes GKE starts within each pool's bounds.
 */
export function planGpuNodePool(
  spec: GpuNodePoolSpec,
  placement: GpuPoolPlacement,
): GpuNodePoolPlan {
  if (spec === null || typeof spec !== "object") {
    throw new HybridAiConfigError(COMPONENT, "args", spec, "an object { accelerator, capacity }");
  }
  if (typeof spec.accelerator?.type === "string" && isTpu(spec.accelerator.type)) {
    throw new HybridAiConfigError(
      COMPONENT,
      "accelerator.type",
      spec.accelerator.type,
      "a GPU type; use gcp.TpuNodePool for TPUs",
    );
  }
  const resolved = resolveAcceleratorSpec(spec.accelerator, "gcp", COMPONENT);
  const gkeAcceleratorType = ACCELERATOR_MODELS[resolved.type].gkeAcceleratorType;
  if (gkeAcceleratorType === undefined) {
    throw new HybridAiConfigError(
      COMPONENT,
      "accelerator.type",
      resolved.type,
      "a GPU GKE offers (the catalog has no GKE accelerator type for it)",
    );
  }
  const machineType = chooseMachineType(spec);
  const capacity = validateCapacity(spec.capacity, COMPONENT);
  const gpuSharingConfig = validateSharing(spec, resolved.type);
  const driver = assertOneOf(
    COMPONENT,
    "driverVersion",
    spec.driverVersion ?? "DEFAULT",
    GPU_DRIVER_VERSIONS,
  );
  const diskSizeGb = assertWholeNumber(COMPONENT, "diskSizeGb", spec.diskSizeGb ?? 100, 10);
  if (!Array.isArray(spec.nodeLocations) || spec.nodeLocations.length === 0) {
    throw new HybridAiConfigError(
      COMPONENT,
      "nodeLocations",
      spec.nodeLocations,
      `zones of ${placement.region} that offer ${resolved.type} (GKE requires them for GPU pools of a regional cluster, and creates initialNodeCount nodes in every zone, so the nodes at create time depend on them)`,
    );
  }
  assertZonesInRegion(COMPONENT, "nodeLocations", spec.nodeLocations, placement.region);
  const zones = spec.nodeLocations;
  const split = splitSpotCapacity(capacity);
  assertOnDemandFloor(COMPONENT, capacity, split);
  const guestAccelerator = {
    type: gkeAcceleratorType,
    count: resolved.count,
    gpuDriverInstallationConfig: { gpuDriverVersion: driver },
    ...(gpuSharingConfig ? { gpuSharingConfig } : {}),
    ...(spec.migPartitionSize ? { gpuPartitionSize: spec.migPartitionSize } : {}),
  };
  const part = (spot: boolean, bounds: NodeBounds): GpuPoolPart => {
    const capacityType = capacityTypeOf(spot);
    const marks = acceleratorNodeMarks(resolved.type, capacityType, spec.labels);
    const zonal = zonalPlacement(zones.length, bounds);
    return {
      capacityType,
      bounds,
      nodePool: {
        project: placement.project,
        location: placement.region,
        nodeLocations: zones.slice(0, zonal.zoneCount),
        initialNodeCount: zonal.perZone,
        autoscaling: {
          totalMinNodeCount: bounds.min,
          totalMaxNodeCount: bounds.max,
          locationPolicy: spot ? "ANY" : "BALANCED",
        },
        management: { autoRepair: true, autoUpgrade: true },
        nodeConfig: {
          ...hardenedNodeConfig(),
          machineType,
          spot,
          diskSizeGb,
          diskType: spec.diskType ?? "pd-balanced",
          guestAccelerators: [guestAccelerator],
          labels: marks.labels,
          taints: marks.taints,
        },
      },
    };
  };
  const parts = [part(false, split.onDemand), part(true, split.spot)].filter(
    (p) => p.bounds.max > 0,
  );
  return { machineType, gkeAcceleratorType, acceleratorCount: resolved.count, parts };
}
