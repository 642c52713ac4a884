// Imports the accelerators module itself rather than the package entry point: the entry point
// loads every Pulumi provider SDK (seconds per test file), which mutation testing pays per mutant.

import { describe, expect, it } from "vitest";
import { estimateHourlyCost, estimateMonthlyCost } from "../../../components/accelerators";
import { HybridAiConfigError } from "../../../components/errors";

describe("cost estimates", () => {
  it("prices on-demand nodes at the cheapest candidate", () => {
    const estimate = estimateHourlyCost({
      cloud: "aws",
      accelerator: { type: "nvidia-l4" },
      capacity: { min: 2, max: 4 },
    });
    expect(estimate.machineType.name).toBe("g6.xlarge");
    expect(estimate).toMatchObject({ onDemandNodes: 2, spotNodes: 0 });
    // g6.xlarge on demand in us-east-1: $0.8048 an hour (cents shown); a month is 730 hours.
    expect(estimate.hourlyUsd).toBe(1.61);
    expect(estimate.monthlyUsd).toBe(1175.01);
  });

  it("prices spot nodes at the spot price, as the spot split says", () => {
    const estimate = estimateHourlyCost({
      cloud: "gcp",
      accelerator: { type: "nvidia-l4" },
      capacity: { min: 1, max: 8, desired: 5, spot: { onDemandBase: 1 } },
    });
    expect(estimate).toMatchObject({ onDemandNodes: 1, spotNodes: 4 });
    // g2-standard-4 in us-central1: $0.7068 on demand, $0.2827 spot: 0.7068 + 4 × 0.2827.
    expect(estimate.machineType.name).toBe("g2-standard-4");
    expect(estimate.hourlyUsd).toBe(1.84);
  });

  it("prices a multi-host TPU slice per node of the slice", () => {
    const estimate = estimateHourlyCost({
      cloud: "gcp",
      accelerator: { type: "tpu-v5e", topology: "4x8" },
      capacity: { min: 1, max: 1 },
    });
    // 32 chips, 4 a host (ct5lp-hightpu-4t at $4.80 an hour): 8 nodes.
    expect(estimate.machineType.name).toBe("ct5lp-hightpu-4t");
    expect(estimate.onDemandNodes).toBe(8);
    expect(estimate.hourlyUsd).toBe(38.4);
  });

  it("monthly is hourly × 730 for an explicit unit count", () => {
    const input = {
      cloud: "aws" as const,
      accelerator: { type: "nvidia-t4" as const },
      capacity: { min: 0, max: 3 },
      units: 3,
    };
    // Three g4dn.xlarge (the cheapest T4 node, $0.526 an hour) for 730 hours.
    expect(estimateMonthlyCost(input)).toBe(1151.94);
  });

  it("rejects what resolveAccelerator and validateCapacity reject", () => {
    expect(() =>
      estimateHourlyCost({
        cloud: "aws",
        accelerator: { type: "nvidia-a100-40gb", count: 3 },
        capacity: { min: 0, max: 1 },
      }),
    ).toThrow(HybridAiConfigError);
    expect(() =>
      estimateMonthlyCost({
        cloud: "aws",
        accelerator: { type: "nvidia-l4" },
        capacity: { min: 4, max: 1 },
      }),
    ).toThrow(/estimateMonthlyCost: capacity\.min = 4/);
  });
  it("counts every node of a multi-host TPU slice as on-demand or spot with its slice", () => {
    // Three 4x8 v5e slices of 8 nodes each, one on demand: 8 nodes at $4.80, 16 at $1.92.
    const estimate = estimateHourlyCost({
      cloud: "gcp",
      accelerator: { type: "tpu-v5e", topology: "4x8" },
      capacity: { min: 1, max: 3, desired: 3, spot: { onDemandBase: 1 } },
    });
    expect(estimate).toMatchObject({ onDemandNodes: 8, spotNodes: 16 });
    expect(estimate.hourlyUsd).toBe(69.12);
  });

  it("names itself as the component unless told otherwise", () => {
    expect(() =>
      estimateHourlyCost({
        cloud: "aws",
        accelerator: { type: "nvidia-l4" },
        capacity: { min: 4, max: 1 },
      }),
    ).toThrow(expect.objectContaining({ component: "estimateHourlyCost" }));
  });
});
