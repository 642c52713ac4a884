// Imports the accelerators module itself rather than the package entry point: the entry point
// loads every Pulumi provider SDK (seconds per test file), which mutation testing pays per mutant.

import { describe, expect, it } from "vitest";
import type * as accelerators from "../../../components/accelerators";
import { splitSpotCapacity, validateCapacity } from "../../../components/accelerators";
import { HybridAiConfigError } from "../../../components/errors";

describe("validateCapacity", () => {
  it("applies defaults", () => {
    expect(validateCapacity({ min: 1, max: 4 })).toEqual({ min: 1, max: 4, desired: 1 });
    expect(validateCapacity({ min: 0, max: 4, desired: 2, spot: {} })).toEqual({
      min: 0,
      max: 4,
      desired: 2,
      spot: { onDemandBase: 0, onDemandPercentAboveBase: 0 },
    });
  });

  it.each([
    [{ min: 3, max: 2 }, /capacity\.min = 3.*≤ capacity\.max \(2\)/],
    [{ min: -1, max: 2 }, /capacity\.min = -1.*whole number ≥ 0/],
    [{ min: 0, max: 0 }, /capacity\.max = 0.*whole number ≥ 1/],
    [{ min: 0, max: 2.5 }, /capacity\.max = 2\.5/],
    [{ min: 1, max: 3, desired: 4 }, /capacity\.desired = 4.*from 1 to 3/],
    [
      { min: 1, max: 3, spot: { onDemandPercentAboveBase: 120 } },
      /onDemandPercentAboveBase = 120.*0 to 100/,
    ],
    [{ min: 1, max: 3, spot: { onDemandBase: -2 } }, /onDemandBase = -2/],
    [null, /capacity = null/],
    [5, /capacity = 5.*an object \{ min, max, desired\?, spot\? \}/],
    [{ min: 2, max: 4, desired: 1 }, /capacity\.desired = 1.*from 2 to 4/],
    [{ min: 0, max: 3, desired: 1.5 }, /capacity\.desired = 1\.5.*whole number ≥ 0/],
    [
      { min: 1, max: 3, spot: { onDemandPercentAboveBase: -5 } },
      /onDemandPercentAboveBase = -5.*0 to 100/,
    ],
    [
      { min: 1, max: 3, spot: { onDemandPercentAboveBase: 12.5 } },
      /onDemandPercentAboveBase = 12\.5.*0 to 100/,
    ],
  ])("rejects %j", (capacity, message) => {
    const call = () => validateCapacity(capacity as accelerators.CapacitySpec, "GcpGpuNodePool");
    expect(call).toThrow(HybridAiConfigError);
    expect(call).toThrow(message);
  });
});

it("names itself as the component unless told otherwise", () => {
  expect(() => validateCapacity({ min: 2, max: 1 })).toThrow(
    expect.objectContaining({ component: "validateCapacity", field: "capacity.min" }),
  );
});

describe("splitSpotCapacity", () => {
  const split = (capacity: accelerators.CapacitySpec) =>
    splitSpotCapacity(validateCapacity(capacity));

  it("puts everything on-demand without spot", () => {
    expect(split({ min: 1, max: 5, desired: 2 })).toEqual({
      onDemand: { min: 1, max: 5, desired: 2 },
      spot: { min: 0, max: 0, desired: 0 },
    });
  });

  it("base 0 and 0 % puts everything on spot", () => {
    expect(split({ min: 2, max: 10, spot: {} })).toEqual({
      onDemand: { min: 0, max: 0, desired: 0 },
      spot: { min: 2, max: 10, desired: 2 },
    });
  });

  it("fills the base first, then splits the rest by percentage, rounding up for on-demand", () => {
    expect(
      split({
        min: 1,
        max: 10,
        desired: 4,
        spot: { onDemandBase: 1, onDemandPercentAboveBase: 25 },
      }),
    ).toEqual({
      onDemand: { min: 1, max: 4, desired: 2 },
      spot: { min: 0, max: 6, desired: 2 },
    });
  });

  it("100 % on-demand above the base leaves no spot", () => {
    expect(
      split({ min: 2, max: 6, spot: { onDemandBase: 1, onDemandPercentAboveBase: 100 } }),
    ).toEqual({
      onDemand: { min: 2, max: 6, desired: 2 },
      spot: { min: 0, max: 0, desired: 0 },
    });
  });

  it("max below the base caps the base at max: all on-demand", () => {
    expect(split({ min: 1, max: 2, spot: { onDemandBase: 5 } })).toEqual({
      onDemand: { min: 1, max: 2, desired: 1 },
      spot: { min: 0, max: 0, desired: 0 },
    });
  });

  // On-demand nodes as an EC2 Auto Scaling mixed-instances policy counts them, worked out by
  // hand: the base first (capped at the total), then the percentage of the rest, rounded up.
  it.each([
    // [total, base, percent above base, on-demand, spot]
    [10, 1, 25, 4, 6], // 1 + ⌈9 × 0.25 = 2.25⌉
    [7, 0, 50, 4, 3], // ⌈3.5⌉
    [12, 3, 33, 6, 6], // 3 + ⌈2.97⌉
    [5, 2, 10, 3, 2], // 2 + ⌈0.3⌉
    [3, 5, 0, 3, 0], // base capped at the total
    [4, 0, 100, 4, 0],
    [9, 0, 0, 0, 9],
    [1, 0, 99, 1, 0], // ⌈0.99⌉
  ])(
    "%i nodes, base %i, %i %% above: %i on-demand, %i spot",
    (total, base, percent, onDemand, spot) => {
      const parts = split({
        min: 0,
        max: total,
        desired: total,
        spot: { onDemandBase: base, onDemandPercentAboveBase: percent },
      });
      expect(parts.onDemand.max).toBe(onDemand);
      expect(parts.spot.max).toBe(spot);
      expect(parts.onDemand.desired).toBe(onDemand);
      expect(parts.spot.desired).toBe(spot);
    },
  );
});
