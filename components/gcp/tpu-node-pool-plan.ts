import {
  type AcceleratorSpec,
  type CapacitySpec,
  type CapacityType,
  isTpu,
  type NodeBounds,
  resolveAcceleratorSpec,
  splitSpotCapacity,
  type TpuSlice,
  validateCapacity,
} from "../accelerators";
import { HybridAiConfigError } from "../errors";
import { assertWholeNumber } from "../validate";
import { assertZonesInRegion } from "./names";
import {
  acceleratorNodeMarks,
  capacityTypeOf,
  hardenedNodeConfig,
  type NodePoolSettings,
} from "./node-config";
import { assertOnDemandFloor } from "./spot-floor";

const COMPONENT = "GcpTpuNodePool";

/** The reservation label key GKE matches a specific reservation by. */
const RESERVATION_NAME_KEY = "compute.googleapis.com/reservation-name";

/** The TPU part of a TPU node pool, as plain values (validated on construction). */
export interface TpuNodePoolSpec {
  /**
   * The TPU generation and slice: `{ type: "tpu-v5e", topology: "2x4" }`, or a chip `count` for a
   * single-host slice. The topology must be one the generation offers.
   */
  accelerator: AcceleratorSpec;
  /**
   * Slices (not nodes): a single-host slice is one node, a multi-host slice is several nodes
   * created and removed together. `capacity.spot` splits slices into on-demand and Spot.
   */
  capacity: CapacitySpec;
  /** The zone of the slices, in the cluster's region (a slice lives in one zone). */
  zone: string;
  /**
   * Obtain nodes only through ProvisioningRequests (Dynamic Workload Scheduler, e.g. from
   * Kueue): pools start empty, scale up all at once when capacity is granted, never use a
   * reservation and do not auto-repair. Needs `capacity.min` 0 and no `capacity.spot`.
   * Default `false`.
   */
  queuedProvisioning?: boolean;
  /** Consume this specific Compute Engine reservation. Not with Spot or queued provisioning. */
  reservationName?: string;
  /** Boot disk size, GB. Default 100. */
  diskSizeGb?: number;
  /** Extra Kubernetes node labels. */
  labels?: Record<string, string>;
}

/** Where the pool goes, from the cluster. */
export interface TpuPoolPlacement {
  /** Project id. */
  project: string;
  /** The cluster's region. */
  region: string;
}

/** One GKE node pool of a TPU pool. */
export interface TpuPoolPart {
  /** Name suffix: `on-demand`, `spot`, `queued`, or with a slice index for multi-host pools. */
  suffix: string;
  /** Which capacity type its nodes are. */
  capacityType: CapacityType;
  /** Slices this pool holds: at least `min`, at most `max`. */
  slices: { min: number; max: number };
  /** The node pool arguments, without `cluster`. */
  nodePool: NodePoolSettings;
}

/** What {@link TpuNodePool} creates. */
export interface TpuNodePoolPlan {
  /** The resolved slice: machine type, chips, nodes per slice. */
  slice: TpuSlice;
  /** The node pools. */
  parts: TpuPoolPart[];
}

function resolveSlice(accelerator: AcceleratorSpec): TpuSlice {
  if (typeof accelerator?.type !== "string" || !isTpu(accelerator.type)) {
    throw new HybridAiConfigError(
      COMPONENT,
      "accelerator.type",
      accelerator?.type,
      "tpu-v5e, tpu-v5p or tpu-v6e; use gcp.GpuNodePool for GPUs",
    );
  }
  return resolveAcceleratorSpec(accelerator, "gcp", COMPONENT).tpu as TpuSlice;
}

function checkQueued(spec: TpuNodePoolSpec, capacity: ReturnType<typeof validateCapacity>) {
  if (!spec.queuedProvisioning) return;
  if (capacity.spot) {
    throw new HybridAiConfigError(
      COMPONENT,
      "capacity.spot",
      spec.capacity.spot,
      "none with queuedProvisioning (queued nodes are obtained through Dynamic Workload Scheduler, not Spot)",
    );
  }
  if (capacity.min !== 0) {
    throw new HybridAiConfigError(
      COMPONENT,
      "capacity.min",
      capacity.min,
      "0 with queuedProvisioning (nodes exist only while a ProvisioningRequest holds them)",
    );
  }
  if (spec.reservationName !== undefined) {
    throw new HybridAiConfigError(
      COMPONENT,
      "reservationName",
      spec.reservationName,
      "none with queuedProvisioning (GKE requires reservation affinity NO_RESERVATION)",
    );
  }
}

/** A checked spec, with what every node pool of it shares. */
interface CheckedTpuPool {
  /** The spec, checked. */
  spec: TpuNodePoolSpec;
  /** Where the pools go. */
  placement: TpuPoolPlacement;
  /** The resolved slice. */
  slice: TpuSlice;
  /** Boot disk size, GB. */
  diskSizeGb: number;
  /** Whether nodes come only through ProvisioningRequests. */
  queued: boolean;
}

/** Which reservations the nodes consume: none when queued, else the named one if any. */
function reservationAffinity({
  spec,
  queued,
}: CheckedTpuPool): Partial<NodePoolSettings["nodeConfig"]> {
  if (queued) return { reservationAffinity: { consumeReservationType: "NO_RESERVATION" } };
  if (spec.reservationName === undefined) return {};
  return {
    reservationAffinity: {
      consumeReservationType: "SPECIFIC_RESERVATION",
      key: RESERVATION_NAME_KEY,
      values: [spec.reservationName],
    },
  };
}

/** One node pool's arguments, given its capacity type and sizing. */
function tpuNodePool(
  pool: CheckedTpuPool,
  spot: boolean,
  sizing: Pick<NodePoolSettings, "initialNodeCount" | "autoscaling" | "nodeCount">,
): NodePoolSettings {
  const { spec, placement, slice, diskSizeGb, queued } = pool;
  const marks = acceleratorNodeMarks(slice.type, capacityTypeOf(spot), spec.labels);
  return {
    project: placement.project,
    location: placement.region,
    nodeLocations: [spec.zone],
    ...sizing,
    ...(slice.multiHost
      ? { placementPolicy: { type: "COMPACT", tpuTopology: slice.topology } }
      : {}),
    ...(queued ? { queuedProvisioning: { enabled: true } } : {}),
    management: { autoRepair: !queued, autoUpgrade: true },
    nodeConfig: {
      ...hardenedNodeConfig(),
      machineType: slice.machineType,
      spot,
      diskSizeGb,
      diskType: "pd-balanced",
      labels: marks.labels,
      taints: marks.taints,
      ...reservationAffinity(pool),
    },
  };
}

/**
 * The node pools of one capacity type: one autoscaled pool of single-host slices, or one pool
 * per multi-host slice (fixed below `bounds.min`, scaled between 0 and the slice above it).
 */
function tpuPoolParts(pool: CheckedTpuPool, spot: boolean, bounds: NodeBounds): TpuPoolPart[] {
  const { slice, queued } = pool;
  const capacityType = capacityTypeOf(spot);
  const label = queued ? "queued" : capacityType;
  if (bounds.max === 0) return [];
  if (!slice.multiHost) {
    return [
      {
        suffix: label,
        capacityType,
        slices: { min: bounds.min, max: bounds.max },
        nodePool: tpuNodePool(pool, spot, {
          initialNodeCount: bounds.desired,
          autoscaling: {
            totalMinNodeCount: bounds.min,
            totalMaxNodeCount: bounds.max,
            locationPolicy: spot || queued ? "ANY" : "BALANCED",
          },
        }),
      },
    ];
  }
  return Array.from({ length: bounds.max }, (_, index) => {
    const fixed = index < bounds.min;
    return {
      suffix: `${label}-${index}`,
      capacityType,
      slices: { min: fixed ? 1 : 0, max: 1 },
      nodePool: tpuNodePool(
        pool,
        spot,
        fixed
          ? { nodeCount: slice.nodeCount }
          : {
              initialNodeCount: index < bounds.desired ? slice.nodeCount : 0,
              autoscaling: {
                totalMinNodeCount: 0,
                totalMaxNodeCount: slice.nodeCount,
                locationPolicy: "ANY",
              },
            },
      ),
    };
  });
}

/**
 * Validates a TPU pool spec against the catalog's TPU rules and turns it into GKE node pools.
 * A single-host slice pool autoscales by whole nodes; a multi-host slice gets one pool per slice
 * with `placementPolicy { type: COMPACT, tpuTopology }` and exactly the slice's node count
 * (fixed for slices below `capacity.min`, scaled between 0 and the slice's nodes above it).
 */
export function planTpuNodePool(
  spec: TpuNodePoolSpec,
  placement: TpuPoolPlacement,
): TpuNodePoolPlan {
  if (spec === null || typeof spec !== "object") {
    throw new HybridAiConfigError(
      COMPONENT,
      "args",
      spec,
      "an object { accelerator, capacity, zone }",
    );
  }
  const slice = resolveSlice(spec.accelerator);
  const capacity = validateCapacity(spec.capacity, COMPONENT);
  if (typeof spec.zone !== "string") {
    throw new HybridAiConfigError(COMPONENT, "zone", spec.zone, `a zone of ${placement.region}`);
  }
  assertZonesInRegion(COMPONENT, "zone", [spec.zone], placement.region);
  checkQueued(spec, capacity);
  if (capacity.spot && spec.reservationName !== undefined) {
    throw new HybridAiConfigError(
      COMPONENT,
      "reservationName",
      spec.reservationName,
      "none with capacity.spot (Spot VMs never consume reservations)",
    );
  }
  const diskSizeGb = assertWholeNumber(COMPONENT, "diskSizeGb", spec.diskSizeGb ?? 100, 10);
  const pool: CheckedTpuPool = {
    spec,
    placement,
    slice,
    diskSizeGb,
    queued: spec.queuedProvisioning === true,
  };
  const split = splitSpotCapacity(capacity);
  assertOnDemandFloor(COMPONENT, capacity, split);
  const parts = [
    ...tpuPoolParts(pool, false, split.onDemand),
    ...tpuPoolParts(pool, true, split.spot),
  ];
  return { slice, parts };
}
