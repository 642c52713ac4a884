import {
  type accelerators,
  HybridAiConfigError,
  splitSpotCapacity,
  validateCapacity,
} from "pulumi-hybridai";
import { describe, expect, it } from "vitest";

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
  ])("rejects %j", (capacity, message) => {
    const call = () => validateCapacity(capacity as accelerators.CapacitySpec, "GcpGpuNodePool");
    expect(call).toThrow(HybridAiConfigError);
    expect(call).toThrow(message);
  });
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

  it("the two parts always add up to the capacity", () => {
    for (let max = 1; max <= 12; max++) {
      for (const base of [0, 1, 3, 20]) {
        for (const percent of [0, 10, 33, 50, 99, 100]) {
          const capacity = {
            min: 0,
            max,
            desired: Math.floor(max / 2),
            spot: { onDemandBase: base, onDemandPercentAboveBase: percent },
          };
          const parts = split(capacity);
          expect(parts.onDemand.max + parts.spot.max).toBe(max);
          expect(parts.onDemand.desired + parts.spot.desired).toBe(capacity.desired);
          expect(parts.onDemand.max).toBeGreaterThanOrEqual(Math.min(base, max));
          expect(parts.spot.max).toBeGreaterThanOrEqual(0);
        }
      }
    }
  });
});
