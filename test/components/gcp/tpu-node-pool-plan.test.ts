import { accelerators, HybridAiConfigError } from "pulumi-hybridai";
import { describe, expect, it } from "vitest";
import { planTpuNodePool, type TpuNodePoolSpec } from "../../../components/gcp";

const { TPU_GENERATIONS, tpuTopologies } = accelerators;
const WHERE = { project: "acme-ml", region: "us-central1" };
const GENERATIONS = Object.keys(TPU_GENERATIONS) as accelerators.TpuType[];

function plan(spec: Partial<TpuNodePoolSpec>) {
  return planTpuNodePool(
    {
      accelerator: { type: "tpu-v5e", topology: "2x4" },
      capacity: { min: 1, max: 1 },
      zone: "us-central1-a",
      ...spec,
    },
    WHERE,
  );
}

function rejection(spec: Partial<TpuNodePoolSpec>): HybridAiConfigError {
  try {
    plan(spec);
  } catch (error) {
    expect(error).toBeInstanceOf(HybridAiConfigError);
    expect((error as HybridAiConfigError).component).toBe("GcpTpuNodePool");
    return error as HybridAiConfigError;
  }
  throw new Error(`expected ${JSON.stringify(spec)} to be rejected`);
}

/** Chips of a topology, counted here independently of the catalog: the product of its sides. */
const chipsOf = (topology: string) => topology.split("x").reduce((n, side) => n * Number(side), 1);

/** Every generation's valid topologies, from the catalog the pool must follow. */
const VALID = GENERATIONS.flatMap((type) =>
  tpuTopologies(type).map((topology) => [type, topology] as const),
);

/** Topologies that exist somewhere (or nowhere) but not for this generation. */
const INVALID = GENERATIONS.flatMap((type) =>
  ["1x1", "2x2", "2x4", "4x4", "2x2x1", "2x2x2", "4x4x4", "3x3", "32x32", "1x2"]
    .filter((topology) => !tpuTopologies(type).includes(topology))
    .map((topology) => [type, topology] as const),
);

describe("planTpuNodePool: every generation × topology", () => {
  it.each(VALID)("%s %s: one slice, right machine and node count", (type, topology) => {
    const generation = TPU_GENERATIONS[type];
    const single = topology in generation.singleHost;
    const nodes = single ? 1 : chipsOf(topology) / generation.chipsPerHost;
    const result = plan({ accelerator: { type, topology } });
    expect(result.slice).toMatchObject({ type, topology, nodeCount: nodes, multiHost: !single });
    expect(result.parts).toHaveLength(1);
    const pool = result.parts[0]?.nodePool;
    expect(pool?.nodeConfig?.machineType).toBe(
      single ? generation.singleHost[topology] : generation.multiHostMachineType,
    );
    expect(pool?.nodeLocations).toEqual(["us-central1-a"]);
    if (single) {
      expect(pool?.placementPolicy).toBeUndefined();
      expect(pool?.autoscaling).toMatchObject({ totalMinNodeCount: 1, totalMaxNodeCount: 1 });
    } else {
      expect(pool?.placementPolicy).toEqual({ type: "COMPACT", tpuTopology: topology });
      expect(pool?.nodeCount).toBe(nodes);
      expect(pool?.autoscaling).toBeUndefined();
    }
  });

  it.each(INVALID)("%s rejects topology %s, listing the valid ones", (type, topology) => {
    const error = rejection({ accelerator: { type, topology } });
    expect(error.field).toBe("accelerator.topology");
    for (const valid of tpuTopologies(type)) expect(error.allowed).toContain(valid);
  });

  it("accepts a chip count for a single-host slice and rejects one no host has", () => {
    expect(plan({ accelerator: { type: "tpu-v6e", count: 4 } }).slice).toMatchObject({
      topology: "2x2",
      machineType: "ct6e-standard-4t",
    });
    const error = rejection({ accelerator: { type: "tpu-v6e", count: 3 } });
    expect(error.field).toBe("accelerator.count");
    expect(error.allowed).toMatch(/1, 4, 8 chips/);
  });

  it("sends GPU types to GpuNodePool", () => {
    const error = rejection({ accelerator: { type: "nvidia-l4" } });
    expect(error.field).toBe("accelerator.type");
    expect(error.allowed).toMatch(/gcp\.GpuNodePool/);
  });
});

describe("planTpuNodePool: slices, Spot and labels", () => {
  it("a multi-host pool gets one node pool per slice: fixed below min, 0-or-all above", () => {
    const result = plan({
      accelerator: { type: "tpu-v5p", topology: "2x2x4" },
      capacity: { min: 1, max: 3, desired: 2 },
    });
    expect(result.parts.map((p) => p.suffix)).toEqual([
      "on-demand-0",
      "on-demand-1",
      "on-demand-2",
    ]);
    const [fixed, warm, cold] = result.parts.map((p) => p.nodePool);
    expect(fixed).toMatchObject({ nodeCount: 4 });
    expect(fixed?.autoscaling).toBeUndefined();
    expect(warm).toMatchObject({
      initialNodeCount: 4,
      autoscaling: { totalMinNodeCount: 0, totalMaxNodeCount: 4 },
    });
    expect(cold).toMatchObject({ initialNodeCount: 0 });
  });

  it("splits slices into on-demand and Spot with the same arithmetic as GPUs", () => {
    const result = plan({
      accelerator: { type: "tpu-v6e", topology: "1x1" },
      capacity: { min: 2, max: 6, spot: { onDemandBase: 1 } },
    });
    expect(result.parts.map((p) => [p.suffix, p.slices, p.nodePool.nodeConfig?.spot])).toEqual([
      ["on-demand", { min: 1, max: 1 }, false],
      ["spot", { min: 1, max: 5 }, true],
    ]);
    expect(result.parts[1]?.nodePool.autoscaling).toMatchObject({ locationPolicy: "ANY" });
  });

  it("refuses two or more all-Spot slices: a preemption must leave an on-demand slice", () => {
    const error = rejection({ capacity: { min: 2, max: 4, spot: {} } });
    expect(error.field).toBe("capacity.spot.onDemandBase");
    expect(error.allowed).toMatch(/every node or TPU slice/);
  });

  it("labels nodes and taints them google.com/tpu", () => {
    const nodeConfig = plan({ capacity: { min: 0, max: 1, spot: {} } }).parts[0]?.nodePool
      .nodeConfig;
    expect(nodeConfig?.labels).toEqual({
      "hybridai.dev/accelerator": "tpu-v5e",
      "hybridai.dev/capacity-type": "spot",
    });
    expect(nodeConfig?.taints).toEqual([
      { key: "google.com/tpu", value: "present", effect: "NO_SCHEDULE" },
    ]);
    expect(nodeConfig?.workloadMetadataConfig).toEqual({ mode: "GKE_METADATA" });
  });

  it("consumes a named reservation, but not with Spot", () => {
    const nodeConfig = plan({ reservationName: "v5e-res" }).parts[0]?.nodePool.nodeConfig;
    expect(nodeConfig?.reservationAffinity).toEqual({
      consumeReservationType: "SPECIFIC_RESERVATION",
      key: "compute.googleapis.com/reservation-name",
      values: ["v5e-res"],
    });
    const error = rejection({ reservationName: "v5e-res", capacity: { min: 0, max: 1, spot: {} } });
    expect(error.field).toBe("reservationName");
  });

  it("rejects a zone outside the region", () => {
    const error = rejection({ zone: "us-west4-a" });
    expect(error.field).toBe("zone");
    expect(error.allowed).toMatch(/us-central1/);
  });
});

describe("planTpuNodePool: queued provisioning", () => {
  const queued = { queuedProvisioning: true, capacity: { min: 0, max: 2 } };

  it("starts empty, uses no reservation, scales by ProvisioningRequest and skips auto-repair", () => {
    const result = plan({ ...queued, accelerator: { type: "tpu-v5e", topology: "4x4" } });
    expect(result.parts.map((p) => p.suffix)).toEqual(["queued-0", "queued-1"]);
    for (const part of result.parts) {
      expect(part.nodePool).toMatchObject({
        queuedProvisioning: { enabled: true },
        initialNodeCount: 0,
        autoscaling: { totalMinNodeCount: 0, totalMaxNodeCount: 4, locationPolicy: "ANY" },
        management: { autoRepair: false },
        placementPolicy: { type: "COMPACT", tpuTopology: "4x4" },
        nodeConfig: {
          spot: false,
          reservationAffinity: { consumeReservationType: "NO_RESERVATION" },
        },
      });
    }
  });

  it("rejects Spot, a minimum above 0 and a reservation", () => {
    expect(rejection({ ...queued, capacity: { min: 0, max: 2, spot: {} } }).field).toBe(
      "capacity.spot",
    );
    expect(rejection({ ...queued, capacity: { min: 1, max: 2 } }).field).toBe("capacity.min");
    expect(rejection({ ...queued, reservationName: "r" }).field).toBe("reservationName");
  });
});
