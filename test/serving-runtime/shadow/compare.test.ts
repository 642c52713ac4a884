import { toFloat16Bits } from "@hybridai/serving-runtime/src/protocol/float16";
import type { OutputData } from "@hybridai/serving-runtime/src/scheduling/tensor-batch";
import { compareOutputs, topClasses } from "@hybridai/serving-runtime/src/shadow/compare";
import { describe, expect, it } from "vitest";

const fp32 = (shape: number[], values: number[]): OutputData => ({
  datatype: "FP32",
  shape,
  data: Float32Array.from(values),
});
const one = (name: string, output: OutputData) => new Map([[name, output]]);
const strict = { tolerance: 1e-3 };

describe("comparing primary and shadow outputs", () => {
  it("agrees on identical outputs and on differences within the tolerance", () => {
    const a = fp32([2, 3], [0.1, 0.7, 0.2, 0.3, 0.3, 0.4]);
    const same = compareOutputs(one("p", a), one("p", a), ["p"], strict);
    expect(same).toEqual({
      disagrees: false,
      outputs: [{ name: "p", disagrees: false, maxAbsDifference: 0, top1Agreement: 1 }],
    });
    const close = fp32([2, 3], [0.1005, 0.7, 0.2, 0.3, 0.3, 0.4]);
    const result = compareOutputs(one("p", a), one("p", close), ["p"], strict);
    expect(result.disagrees).toBe(false);
    expect(result.outputs[0].maxAbsDifference).toBeCloseTo(0.0005, 6);
  });

  it("disagrees beyond the tolerance, and on a flipped top-1 class even within it", () => {
    const a = fp32([1, 2], [0.5, 0.5004]);
    const far = compareOutputs(one("p", a), one("p", fp32([1, 2], [0.4, 0.6])), ["p"], strict);
    expect(far.disagrees).toBe(true);
    expect(far.outputs[0].maxAbsDifference).toBeCloseTo(0.1, 6);
    const flipped = compareOutputs(
      one("p", a),
      one("p", fp32([1, 2], [0.5004, 0.5])),
      ["p"],
      strict,
    );
    expect(flipped.outputs[0].maxAbsDifference).toBeLessThan(1e-3);
    expect(flipped.outputs[0].top1Agreement).toBe(0);
    expect(flipped.disagrees).toBe(true);
  });

  it("compares top-1 only for [batch, classes] floats unless class_outputs says otherwise", () => {
    const vector = fp32([2], [0.5, 0.5004]);
    const swapped = fp32([2], [0.5004, 0.5]);
    const auto = compareOutputs(one("v", vector), one("v", swapped), ["v"], strict);
    expect(auto.outputs[0].top1Agreement).toBeUndefined();
    expect(auto.disagrees).toBe(false);
    const listed = compareOutputs(one("v", vector), one("v", swapped), ["v"], {
      ...strict,
      classOutputs: ["v"],
    });
    expect(listed.outputs[0].top1Agreement).toBe(0);
    expect(listed.disagrees).toBe(true);
    const matrix = fp32([1, 2], [0.5, 0.5004]);
    const none = compareOutputs(one("m", matrix), one("m", fp32([1, 2], [0.5004, 0.5])), ["m"], {
      ...strict,
      classOutputs: [],
    });
    expect(none.disagrees).toBe(false);
  });

  it("treats NaN on both sides as equal, on one side as an infinite difference", () => {
    const a = fp32([3], [1, Number.NaN, Number.POSITIVE_INFINITY]);
    expect(
      compareOutputs(one("x", a), one("x", a), ["x"], strict).outputs[0].maxAbsDifference,
    ).toBe(0);
    const b = fp32([3], [1, 2, Number.POSITIVE_INFINITY]);
    const result = compareOutputs(one("x", a), one("x", b), ["x"], strict);
    expect(result.outputs[0].maxAbsDifference).toBe(Number.POSITIVE_INFINITY);
    expect(result.disagrees).toBe(true);
  });

  it("names outputs that are missing or shaped differently, and compares BYTES exactly", () => {
    const primary = new Map<string, OutputData>([
      ["p", fp32([1, 2], [1, 2])],
      ["q", fp32([1, 2], [1, 2])],
      ["t", { datatype: "BYTES", shape: [2], data: [Buffer.from("a"), Buffer.from("b")] }],
    ]);
    const shadow = new Map<string, OutputData>([
      ["p", fp32([2, 1], [1, 2])],
      ["t", { datatype: "BYTES", shape: [2], data: [Buffer.from("a"), Buffer.from("c")] }],
    ]);
    const result = compareOutputs(primary, shadow, ["p", "q", "t"], strict);
    expect(result.outputs).toEqual([
      { name: "p", disagrees: true, mismatch: "shape [1,2] against the shadow's [2,1]" },
      { name: "q", disagrees: true, mismatch: "the shadow returned no such output" },
      { name: "t", disagrees: true },
    ]);
    const text = compareOutputs(
      primary,
      new Map([["t", primary.get("t") as OutputData]]),
      ["t"],
      strict,
    );
    expect(text.disagrees).toBe(false);
    const mixed = compareOutputs(primary, new Map([["t", fp32([2], [1, 2])]]), ["t"], strict);
    expect(mixed.outputs[0].mismatch).toBe("datatype BYTES against the shadow's FP32");
  });

  it("compares an FP16 shadow with an FP32 primary by value, and 64-bit integers exactly", () => {
    const half: OutputData = {
      datatype: "FP16",
      shape: [1, 2],
      data: Uint16Array.from([0.25, 0.75], toFloat16Bits),
    };
    const result = compareOutputs(
      one("p", fp32([1, 2], [0.25, 0.75])),
      one("p", half),
      ["p"],
      strict,
    );
    expect(result.outputs[0].maxAbsDifference).toBe(0);
    const big = (value: bigint): OutputData => ({
      datatype: "INT64",
      shape: [1],
      data: BigInt64Array.from([value]),
    });
    const ints = compareOutputs(
      one("i", big(9007199254740993n)),
      one("i", big(9007199254740992n)),
      ["i"],
      { tolerance: 0 },
    );
    expect(ints.outputs[0].maxAbsDifference).toBe(1);
    expect(ints.disagrees).toBe(true);
  });

  it("only compares the outputs the client asked for", () => {
    const primary = new Map([["p", fp32([1], [1])]]);
    const result = compareOutputs(primary, new Map(), [], strict);
    expect(result).toEqual({ disagrees: false, outputs: [] });
  });

  it("finds the top-1 class of each row, NaN counting as smallest", () => {
    expect(topClasses([0.1, 0.9, Number.NaN, 0.2, 0.3, 0.5], 3)).toEqual([1, 2]);
  });
});
