import { BinWindow } from "@hybridai/serving-runtime/src/observability/bin-window";
import {
  binOf,
  binShares,
  PSI_FLOOR,
  populationStabilityIndex,
  quantileEdges,
} from "@hybridai/serving-runtime/src/observability/bins";
import { BucketHistogram } from "@hybridai/serving-runtime/src/observability/bucket-histogram";
import {
  rowsOf,
  samplePositions,
} from "@hybridai/serving-runtime/src/observability/element-reader";
import { Registry } from "prom-client";
import { describe, expect, it } from "vitest";
import { parseExposition } from "../helpers/prometheus-text";

describe("quantile bins", () => {
  it("cuts a sample at its deciles (nearest rank)", () => {
    const values = Array.from({ length: 100 }, (_, i) => 100 - i); // 100 … 1, unsorted order
    expect(quantileEdges(values, 10)).toEqual([10, 20, 30, 40, 50, 60, 70, 80, 90]);
    expect(quantileEdges(values, 4)).toEqual([25, 50, 75]);
  });

  it("merges tied edges so a discrete feature gets fewer bins, none empty", () => {
    const values = [...new Array(70).fill(0), ...new Array(30).fill(1)];
    const edges = quantileEdges(values, 10);
    expect(edges).toEqual([0, 1]);
    expect(binShares(edges, values)).toEqual([0.7, 0.3, 0, 0]);
  });

  it("ignores NaN for edges and gives it its own bin", () => {
    const edges = quantileEdges([Number.NaN, 1, 2, 3, 4], 2);
    expect(edges).toEqual([2]);
    expect(binOf(edges, Number.NaN)).toBe(2);
    expect(binOf(edges, 2)).toBe(0);
    expect(binOf(edges, 2.0001)).toBe(1);
    expect(binOf(edges, Number.NEGATIVE_INFINITY)).toBe(0);
    expect(binOf(edges, Number.POSITIVE_INFINITY)).toBe(1);
    expect(binShares(edges, [Number.NaN, 1, 3, 5])).toEqual([0.25, 0.5, 0.25]);
  });
});

describe("population stability index", () => {
  it("is 0 for the same shares and matches the formula for a shift", () => {
    expect(populationStabilityIndex([0.25, 0.25, 0.5], [25, 25, 50], 100)).toBe(0);
    // Σ (a−e)·ln(a/e) with a = [0.5, 0.25, 0.25], e = [0.25, 0.25, 0.5], worked by hand:
    // 0.25·ln 2 + 0 + (−0.25)·ln 0.5 = 0.5·ln 2
    expect(populationStabilityIndex([0.25, 0.25, 0.5], [50, 25, 25], 100)).toBeCloseTo(
      0.5 * Math.LN2,
      12,
    );
  });

  it("floors empty bins at a share of 1e-4 instead of going infinite", () => {
    expect(PSI_FLOOR).toBe(1e-4);
    const psi = populationStabilityIndex([0.5, 0.5, 0], [100, 0, 0], 100);
    // a = [1, 0, 0] floored to [1, 1e-4, 1e-4], e = [0.5, 0.5, 0] floored to [0.5, 0.5, 1e-4]:
    // 0.5·ln 2 + (1e-4 − 0.5)·ln(1e-4 / 0.5) + 0, worked out once; 3.4477 with a floor of 1e-3.
    expect(psi).toBeCloseTo(4.60431846666895, 12);
  });
});

describe("bin window", () => {
  it("counts the last `capacity` observations only", () => {
    const window = new BinWindow(3, 4);
    for (const bin of [0, 0, 1, 2]) window.push(bin);
    expect(window.full).toBe(true);
    expect([...window.counts]).toEqual([2, 1, 1]);
    window.push(2); // evicts the first 0
    window.push(2); // evicts the second 0
    expect([...window.counts]).toEqual([0, 1, 3]);
    expect(window.filled).toBe(4);
  });
});

describe("rows and sampled positions", () => {
  it("treats dimension 0 as the batch only for batching models", () => {
    expect(rowsOf([5, 3, 4], true)).toEqual({ rows: 5, rowLength: 12 });
    expect(rowsOf([5, 3, 4], false)).toEqual({ rows: 1, rowLength: 60 });
  });

  it("keeps short rows whole and samples long ones evenly, 256 at most", () => {
    expect([...samplePositions(4)]).toEqual([0, 1, 2, 3]);
    const long = samplePositions(1024);
    expect(long).toHaveLength(256);
    expect([long[0], long[1], long[255]]).toEqual([0, 4, 1020]);
  });
});

describe("bucket histogram", () => {
  it("renders cumulative buckets with le bounds inclusive, sum and count", async () => {
    const registry = new Registry();
    const histogram = new BucketHistogram("h_seconds", "help", [1, 2, 5], registry);
    const cell = histogram.cell({ model: "m" });
    for (const value of [0.5, 1, 1.5, 2, 7, Number.NaN]) cell.observe(value);
    const page = parseExposition(await registry.metrics());
    expect(page.types.get("h_seconds")).toBe("histogram");
    const buckets = page.samples
      .filter((s) => s.name === "h_seconds_bucket")
      .map((s) => [s.labels.le, s.value]);
    expect(buckets).toEqual([
      ["1", 2],
      ["2", 4],
      ["5", 4],
      ["+Inf", 5],
    ]);
    expect(page.samples.find((s) => s.name === "h_seconds_sum")?.value).toBe(12);
    expect(page.samples.find((s) => s.name === "h_seconds_count")?.value).toBe(5);
    histogram.remove(cell);
    expect(parseExposition(await registry.metrics()).samples).toHaveLength(0);
  });

  it("refuses bounds that do not increase", () => {
    const registry = new Registry();
    expect(() => new BucketHistogram("bad", "help", [1, 1], registry)).toThrow(
      /strictly increasing/,
    );
  });
});
