import type { DecodedInput } from "@hybridai/serving-runtime/src/protocol/infer-request";
import { ShapeTally, shapeKey } from "@hybridai/serving-runtime/src/runtime/shape-tally";
import { describe, expect, it } from "vitest";

// Issue 27: the bounded tally of the item shapes a model's executions carry.

/** Inputs x [batch, …item] and k [batch, 4], as the scheduler's observer sees them. */
function inputs(item: number[], batch = 1): DecodedInput[] {
  return [
    { name: "x", datatype: "FP32", shape: [batch, ...item], data: new Float32Array(0) },
    { name: "k", datatype: "INT64", shape: [batch, 4], data: new BigInt64Array(0) },
  ];
}

describe("ShapeTally", () => {
  it("judges each window of requests: the shape carrying the dominant share, or none", () => {
    const tally = new ShapeTally(["x", "k"], { requests: 10, dominantShare: 0.6 });
    for (let i = 0; i < 5; i++) expect(tally.count(inputs([3, 48, 192]), 1)).toBeUndefined();
    expect(tally.count(inputs([3, 32, 100]), 1)).toBeUndefined();
    const verdict = tally.count(inputs([3, 48, 192], 4), 4);
    expect(verdict?.key).toBe("x=3x48x192,k=4");
    expect(verdict?.dims).toEqual([[3, 48, 192], [4]]);
    for (let i = 0; i < 5; i++) tally.count(inputs([3, 48, 192]), 1);
    expect(tally.count(inputs([3, 32, 100], 5), 5)).toBeNull();
    expect(tally.requests).toBe(20);
  });

  it("keeps at most eight shapes apart a window; further ones count only towards its size", () => {
    const tally = new ShapeTally(["x", "k"], { requests: 20, dominantShare: 0.5 });
    for (let width = 1; width <= 10; width++) tally.count(inputs([3, 8, width]), 1);
    expect(tally.count(inputs([3, 8, 10], 10), 10)).toBeNull();
    for (let width = 1; width <= 10; width++) tally.count(inputs([3, 8, width]), 1);
    expect(tally.count(inputs([3, 8, 1], 10), 10)?.key).toBe("x=3x8x1,k=4");
  });

  it("names shapes input by input", () => {
    expect(shapeKey(["x", "s"], [[3, 48, 192], []])).toBe("x=3x48x192,s=scalar");
  });
});
