import {
  accelerators,
  estimateHourlyCost,
  estimateMonthlyCost,
  HybridAiConfigError,
} from "pulumi-hybridai";
import { describe, expect, it } from "vitest";

const { findMachineType, HOURS_PER_MONTH } = accelerators;

describe("cost estimates", () => {
  it("prices on-demand nodes at the cheapest candidate", () => {
    const g6 = findMachineType("aws", "g6.xlarge");
    const estimate = estimateHourlyCost({
      cloud: "aws",
      accelerator: { type: "nvidia-l4" },
      capacity: { min: 2, max: 4 },
    });
    expect(estimate.machineType.name).toBe("g6.xlarge");
    expect(estimate).toMatchObject({ onDemandNodes: 2, spotNodes: 0 });
    expect(estimate.hourlyUsd).toBeCloseTo(2 * g6.onDemandHourlyUsd, 2);
    expect(estimate.monthlyUsd).toBeCloseTo(2 * g6.onDemandHourlyUsd * HOURS_PER_MONTH, 0);
  });

  it("prices spot nodes at the spot price, as the spot split says", () => {
    const g2 = findMachineType("gcp", "g2-standard-4");
    const estimate = estimateHourlyCost({
      cloud: "gcp",
      accelerator: { type: "nvidia-l4" },
      capacity: { min: 1, max: 8, desired: 5, spot: { onDemandBase: 1 } },
    });
    expect(estimate).toMatchObject({ onDemandNodes: 1, spotNodes: 4 });
    expect(estimate.hourlyUsd).toBeCloseTo(g2.onDemandHourlyUsd + 4 * g2.spotHourlyUsd, 2);
    expect(estimate.hourlyUsd).toBeLessThan(5 * g2.onDemandHourlyUsd);
  });

  it("prices a multi-host TPU slice per node of the slice", () => {
    const machine = findMachineType("gcp", "ct5lp-hightpu-4t");
    const estimate = estimateHourlyCost({
      cloud: "gcp",
      accelerator: { type: "tpu-v5e", topology: "4x8" },
      capacity: { min: 1, max: 1 },
    });
    expect(estimate.onDemandNodes).toBe(8);
    expect(estimate.hourlyUsd).toBeCloseTo(8 * machine.onDemandHourlyUsd, 2);
  });

  it("monthly is hourly × 730 for an explicit unit count", () => {
    const input = {
      cloud: "aws" as const,
      accelerator: { type: "nvidia-t4" as const },
      capacity: { min: 0, max: 3 },
      units: 3,
    };
    expect(estimateMonthlyCost(input)).toBeCloseTo(estimateHourlyCost(input).hourlyUsd * 730, -1);
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
});
