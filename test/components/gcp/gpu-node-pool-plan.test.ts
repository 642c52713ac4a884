import { HybridAiConfigError } from "pulumi-hybridai";
import { describe, expect, it } from "vitest";
import { type GpuNodePoolSpec, planGpuNodePool } from "../../../components/gcp";

const WHERE = { project: "acme-ml", region: "us-central1" };
const ZONES = ["us-central1-a", "us-central1-b", "us-central1-c"];

function plan(spec: Partial<GpuNodePoolSpec>) {
  return planGpuNodePool(
    {
      accelerator: { type: "nvidia-l4", count: 1 },
      capacity: { min: 1, max: 4 },
      nodeLocations: ZONES,
      ...spec,
    },
    WHERE,
  );
}

function rejects(spec: Partial<GpuNodePoolSpec>, field: string, allowed: RegExp) {
  try {
    plan(spec);
  } catch (error) {
    expect(error).toBeInstanceOf(HybridAiConfigError);
    expect((error as HybridAiConfigError).component).toBe("GcpGpuNodePool");
    expect((error as HybridAiConfigError).field).toBe(field);
    expect((error as HybridAiConfigError).message).toMatch(allowed);
    return;
  }
  throw new Error(`expected ${JSON.stringify(spec)} to be rejected`);
}

// GPU model × GPUs per node → the cheapest GCP machine type and GKE's accelerator type string.
const MATRIX: [GpuNodePoolSpec["accelerator"]["type"], number, string, string][] = [
  ["nvidia-t4", 1, "n1-standard-4", "nvidia-tesla-t4"],
  ["nvidia-t4", 2, "n1-standard-16", "nvidia-tesla-t4"],
  ["nvidia-t4", 4, "n1-standard-32", "nvidia-tesla-t4"],
  ["nvidia-l4", 1, "g2-standard-4", "nvidia-l4"],
  ["nvidia-l4", 2, "g2-standard-24", "nvidia-l4"],
  ["nvidia-l4", 4, "g2-standard-48", "nvidia-l4"],
  ["nvidia-l4", 8, "g2-standard-96", "nvidia-l4"],
  ["nvidia-a100-40gb", 1, "a2-highgpu-1g", "nvidia-tesla-a100"],
  ["nvidia-a100-40gb", 2, "a2-highgpu-2g", "nvidia-tesla-a100"],
  ["nvidia-a100-40gb", 4, "a2-highgpu-4g", "nvidia-tesla-a100"],
  ["nvidia-a100-40gb", 8, "a2-highgpu-8g", "nvidia-tesla-a100"],
  ["nvidia-a100-40gb", 16, "a2-megagpu-16g", "nvidia-tesla-a100"],
  ["nvidia-a100-80gb", 1, "a2-ultragpu-1g", "nvidia-a100-80gb"],
  ["nvidia-a100-80gb", 2, "a2-ultragpu-2g", "nvidia-a100-80gb"],
  ["nvidia-a100-80gb", 4, "a2-ultragpu-4g", "nvidia-a100-80gb"],
  ["nvidia-a100-80gb", 8, "a2-ultragpu-8g", "nvidia-a100-80gb"],
  ["nvidia-h100-80gb", 8, "a3-highgpu-8g", "nvidia-h100-80gb"],
];

describe("planGpuNodePool: accelerators", () => {
  it.each(MATRIX)("%s × %i → %s with guest accelerator %s", (type, count, machine, gkeType) => {
    const result = plan({ accelerator: { type, count } });
    expect(result).toMatchObject({
      machineType: machine,
      gkeAcceleratorType: gkeType,
      acceleratorCount: count,
    });
    const nodeConfig = result.parts[0]?.nodePool.nodeConfig;
    expect(nodeConfig?.machineType).toBe(machine);
    expect(nodeConfig?.guestAccelerators).toEqual([
      { type: gkeType, count, gpuDriverInstallationConfig: { gpuDriverVersion: "DEFAULT" } },
    ]);
  });

  it("takes an explicit machine type among the catalog's candidates", () => {
    expect(plan({ machineType: "g2-standard-16" }).machineType).toBe("g2-standard-16");
  });

  it("rejects a machine type that does not carry the requested GPUs, listing the ones that do", () => {
    rejects({ machineType: "a2-highgpu-1g" }, "machineType", /g2-standard-4, g2-standard-8/);
  });

  it.each(["nvidia-a10g", "nvidia-l40s", "aws-inferentia2"] as const)(
    "rejects %s, which GCP does not offer, naming what GCP has",
    (type) =>
      rejects({ accelerator: { type } }, "accelerator.type", /on gcp: nvidia-t4, nvidia-l4/),
  );

  it("sends TPU types to TpuNodePool", () => {
    rejects({ accelerator: { type: "tpu-v5e" } }, "accelerator.type", /gcp\.TpuNodePool/);
  });

  it("rejects a GPU count no machine has, listing the counts that exist", () => {
    rejects({ accelerator: { type: "nvidia-l4", count: 3 } }, "accelerator.count", /1, 2, 4, 8/);
  });

  it("rejects an unknown driver version and accepts LATEST and INSTALLATION_DISABLED", () => {
    rejects(
      { driverVersion: "NEWEST" as never },
      "driverVersion",
      /DEFAULT, LATEST, INSTALLATION_DISABLED/,
    );
    for (const driverVersion of ["LATEST", "INSTALLATION_DISABLED"] as const) {
      const accelerator = plan({ driverVersion }).parts[0]?.nodePool.nodeConfig
        ?.guestAccelerators?.[0];
      expect(accelerator?.gpuDriverInstallationConfig).toEqual({ gpuDriverVersion: driverVersion });
    }
  });
});

describe("planGpuNodePool: sharing and MIG", () => {
  it("maps time-sharing and MPS to gpuSharingConfig", () => {
    for (const strategy of ["TIME_SHARING", "MPS"] as const) {
      const accelerator = plan({ sharing: { strategy, maxSharedClientsPerGpu: 4 } }).parts[0]
        ?.nodePool.nodeConfig?.guestAccelerators?.[0];
      expect(accelerator?.gpuSharingConfig).toEqual({
        gpuSharingStrategy: strategy,
        maxSharedClientsPerGpu: 4,
      });
    }
  });

  it.each([1, 49, 2.5])("rejects %s clients per GPU (2–48 allowed)", (clients) => {
    rejects(
      { sharing: { strategy: "TIME_SHARING", maxSharedClientsPerGpu: clients } },
      "sharing.maxSharedClientsPerGpu",
      /a whole number from 2 to 48/,
    );
  });

  it("rejects an unknown sharing strategy", () => {
    rejects(
      { sharing: { strategy: "FRACTIONAL" as never, maxSharedClientsPerGpu: 2 } },
      "sharing.strategy",
      /TIME_SHARING, MPS/,
    );
  });

  it("maps a MIG partition size the GPU supports to gpuPartitionSize", () => {
    for (const [type, count, size] of [
      ["nvidia-a100-40gb", 1, "1g.5gb"],
      ["nvidia-a100-80gb", 8, "3g.40gb"],
      ["nvidia-h100-80gb", 8, "1g.20gb"],
    ] as const) {
      const accelerator = plan({ accelerator: { type, count }, migPartitionSize: size }).parts[0]
        ?.nodePool.nodeConfig?.guestAccelerators?.[0];
      expect(accelerator?.gpuPartitionSize).toBe(size);
    }
  });

  it("rejects a partition size of another GPU model, listing this model's sizes", () => {
    rejects(
      { accelerator: { type: "nvidia-a100-80gb", count: 1 }, migPartitionSize: "1g.5gb" },
      "migPartitionSize",
      /for nvidia-a100-80gb: 1g\.10gb, 2g\.20gb, 3g\.40gb, 7g\.80gb/,
    );
  });

  it("rejects MIG on GPUs without it", () => {
    rejects(
      { migPartitionSize: "1g.5gb" },
      "migPartitionSize",
      /nvidia-l4 has no Multi-Instance GPU/,
    );
  });

  it("allows time-sharing on MIG partitions but not MPS", () => {
    const base = { accelerator: { type: "nvidia-a100-40gb" as const }, migPartitionSize: "1g.5gb" };
    const accelerator = plan({
      ...base,
      sharing: { strategy: "TIME_SHARING", maxSharedClientsPerGpu: 2 },
    }).parts[0]?.nodePool.nodeConfig?.guestAccelerators?.[0];
    expect(accelerator).toMatchObject({ gpuPartitionSize: "1g.5gb", gpuSharingConfig: {} });
    rejects(
      { ...base, sharing: { strategy: "MPS", maxSharedClientsPerGpu: 2 } },
      "sharing.strategy",
      /does not run MPS on MIG/,
    );
  });
});

describe("planGpuNodePool: spot with an on-demand floor", () => {
  const bounds = (result: ReturnType<typeof plan>) =>
    Object.fromEntries(result.parts.map((p) => [p.capacityType, p.bounds]));

  it("without spot, one on-demand pool holds the whole capacity", () => {
    const result = plan({ capacity: { min: 1, max: 4, desired: 2 } });
    expect(bounds(result)).toEqual({ "on-demand": { min: 1, max: 4, desired: 2 } });
    expect(result.parts[0]?.nodePool.nodeConfig?.spot).toBe(false);
  });

  it("a base of 1 gives a one-node on-demand pool and Spot for the rest", () => {
    const result = plan({ capacity: { min: 2, max: 8, spot: { onDemandBase: 1 } } });
    expect(bounds(result)).toEqual({
      "on-demand": { min: 1, max: 1, desired: 1 },
      spot: { min: 1, max: 7, desired: 1 },
    });
  });

  it("a percentage above the base rounds in favour of on-demand, and both parts add up", () => {
    const capacity = {
      min: 3,
      max: 10,
      desired: 4,
      spot: { onDemandBase: 1, onDemandPercentAboveBase: 50 },
    };
    const split = bounds(plan({ capacity }));
    expect(split).toEqual({
      "on-demand": { min: 2, max: 6, desired: 3 },
      spot: { min: 1, max: 4, desired: 1 },
    });
    for (const key of ["min", "max", "desired"] as const) {
      expect((split["on-demand"]?.[key] ?? 0) + (split.spot?.[key] ?? 0)).toBe(
        key === "desired" ? 4 : capacity[key],
      );
    }
  });

  it("all-Spot is allowed for a pool that may shrink to one node, and has no on-demand pool", () => {
    const result = plan({ capacity: { min: 0, max: 4, spot: {} } });
    expect(result.parts.map((p) => p.capacityType)).toEqual(["spot"]);
  });

  it("refuses an all-Spot pool of two or more nodes: one preemption could take every replica", () => {
    rejects(
      { capacity: { min: 2, max: 4, spot: { onDemandBase: 0 } } },
      "capacity.spot.onDemandBase",
      /at least 1 when capacity\.min is 2/,
    );
  });

  it("Spot pools use location policy ANY, on-demand pools BALANCED, both by total node counts", () => {
    const result = plan({ capacity: { min: 2, max: 8, spot: { onDemandBase: 1 } } });
    const autoscaling = Object.fromEntries(
      result.parts.map((p) => [p.capacityType, p.nodePool.autoscaling]),
    );
    expect(autoscaling).toEqual({
      "on-demand": { totalMinNodeCount: 1, totalMaxNodeCount: 1, locationPolicy: "BALANCED" },
      spot: { totalMinNodeCount: 1, totalMaxNodeCount: 7, locationPolicy: "ANY" },
    });
    expect(result.parts.map((p) => p.nodePool.nodeConfig?.spot)).toEqual([false, true]);
  });

  it("labels nodes with accelerator and capacity type and taints them nvidia.com/gpu", () => {
    const result = plan({
      capacity: { min: 2, max: 8, spot: { onDemandBase: 1 } },
      labels: { team: "ml" },
    });
    for (const part of result.parts) {
      expect(part.nodePool.nodeConfig?.labels).toEqual({
        team: "ml",
        "hybridai.dev/accelerator": "nvidia-l4",
        "hybridai.dev/capacity-type": part.capacityType,
      });
      expect(part.nodePool.nodeConfig?.taints).toEqual([
        { key: "nvidia.com/gpu", value: "present", effect: "NO_SCHEDULE" },
      ]);
    }
  });

  it("starts the shipped L4 split with one on-demand node in one zone and no spot nodes (GKE counts per zone)", () => {
    const [onDemand, spot] = plan({
      capacity: { min: 1, max: 8, spot: { onDemandBase: 1 } },
    }).parts;
    expect(onDemand?.nodePool).toMatchObject({
      nodeLocations: ["us-central1-a"],
      initialNodeCount: 1,
      autoscaling: { totalMinNodeCount: 1, totalMaxNodeCount: 1 },
    });
    expect(spot?.nodePool).toMatchObject({
      nodeLocations: ZONES,
      initialNodeCount: 0,
      autoscaling: { totalMinNodeCount: 0, totalMaxNodeCount: 7 },
    });
  });

  it("never creates more nodes than a pool's maximum, nor fewer than its minimum", () => {
    // min 1 / max 1 on three zones: one node per zone would be three.
    const floor = plan({ capacity: { min: 2, max: 8, spot: { onDemandBase: 1 } } }).parts[0];
    expect(floor?.nodePool).toMatchObject({
      nodeLocations: ["us-central1-a"],
      initialNodeCount: 1,
    });
    // A floor of four cannot split evenly over three zones: two zones, two nodes each.
    const four = plan({ capacity: { min: 4, max: 4 } }).parts[0];
    expect(four?.nodePool).toMatchObject({
      nodeLocations: ["us-central1-a", "us-central1-b"],
      initialNodeCount: 2,
    });
    // Room to spread: every zone, the desired count rounded down to whole nodes per zone.
    const spread = plan({ capacity: { min: 0, max: 8, desired: 7 } }).parts[0];
    expect(spread?.nodePool).toMatchObject({ nodeLocations: ZONES, initialNodeCount: 2 });
  });

  it("keeps zones × initial nodes within min and max for every capacity and zone count", () => {
    let checked = 0;
    for (let zones = 1; zones <= 4; zones++) {
      const nodeLocations = ["a", "b", "c", "f"].slice(0, zones).map((z) => `us-central1-${z}`);
      for (let min = 0; min <= 6; min++) {
        for (let max = Math.max(1, min); max <= 9; max++) {
          const spot = min >= 2 ? { onDemandBase: 1 } : {};
          for (const part of plan({ capacity: { min, max, spot }, nodeLocations }).parts) {
            const pool = part.nodePool;
            const created = (pool.nodeLocations?.length ?? 0) * (pool.initialNodeCount ?? 0);
            expect(created).toBeGreaterThanOrEqual(part.bounds.min);
            expect(created).toBeLessThanOrEqual(part.bounds.max);
            expect(nodeLocations).toEqual(expect.arrayContaining(pool.nodeLocations ?? []));
            checked++;
          }
        }
      }
    }
    expect(checked).toBeGreaterThan(300);
  });

  it("needs the pool's zones: GKE requires them for GPUs, and the nodes it starts depend on them", () => {
    rejects(
      { nodeLocations: undefined },
      "nodeLocations",
      /zones of us-central1 that offer nvidia-l4.*initialNodeCount nodes in every zone/,
    );
  });

  it("rejects zones outside the cluster's region", () => {
    rejects(
      { nodeLocations: ["europe-west4-a"] },
      "nodeLocations",
      /zones of the cluster's region us-central1/,
    );
  });
});

describe("planGpuNodePool: node hardening", () => {
  it("uses shielded nodes, the GKE metadata server and only the cloud-platform scope", () => {
    const nodeConfig = plan({}).parts[0]?.nodePool.nodeConfig;
    expect(nodeConfig).toMatchObject({
      shieldedInstanceConfig: { enableSecureBoot: true, enableIntegrityMonitoring: true },
      workloadMetadataConfig: { mode: "GKE_METADATA" },
      oauthScopes: ["https://www.googleapis.com/auth/cloud-platform"],
      metadata: { "disable-legacy-endpoints": "true" },
      diskSizeGb: 100,
      diskType: "pd-balanced",
    });
  });
});
