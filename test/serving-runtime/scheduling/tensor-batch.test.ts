import type { DecodedInput } from "@hybridai/serving-runtime/src/protocol/infer-request";
import {
  batchKey,
  concatInputs,
  splitOutput,
} from "@hybridai/serving-runtime/src/scheduling/tensor-batch";
import { describe, expect, it } from "vitest";

const fp32 = (name: string, shape: number[], values: number[]): DecodedInput => ({
  name,
  datatype: "FP32",
  shape,
  data: Float32Array.from(values),
});

describe("batchKey", () => {
  it("is equal exactly when datatypes and non-batch dimensions agree, input by input", () => {
    const key = batchKey([fp32("a", [1, 2], [0, 0]), fp32("b", [1, 3], [0, 0, 0])]);
    expect(
      batchKey([fp32("a", [5, 2], Array(10).fill(0)), fp32("b", [5, 3], Array(15).fill(0))]),
    ).toBe(key);
    expect(batchKey([fp32("a", [1, 3], [0, 0, 0]), fp32("b", [1, 2], [0, 0])])).not.toBe(key);
    expect(
      batchKey([
        fp32("a", [1, 2], [0, 0]),
        { name: "b", datatype: "INT32", shape: [1, 3], data: new Int32Array(3) },
      ]),
    ).not.toBe(key);
    expect(batchKey([fp32("a", [1, 2], [0, 0])])).not.toBe(key);
  });

  it("tells apart non-batch shapes whose digits run together", () => {
    const zeros = (count: number) => Array(count).fill(0);
    expect(batchKey([fp32("a", [1, 1, 12], zeros(12))])).not.toBe(
      batchKey([fp32("a", [1, 11, 2], zeros(22))]),
    );
  });
});

describe("concatInputs", () => {
  it("concatenates every input with its own rows, in request order", () => {
    const first = [fp32("a", [1, 2], [1, 2]), fp32("b", [1, 1], [-1])];
    const second = [fp32("a", [2, 2], [3, 4, 5, 6]), fp32("b", [2, 1], [-2, -3])];
    const [a, b] = concatInputs([first, second]);
    expect(a.name).toBe("a");
    expect(a.shape).toEqual([3, 2]);
    expect(Array.from(a.data as Float32Array)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(b.name).toBe("b");
    expect(b.shape).toEqual([3, 1]);
    expect(Array.from(b.data as Float32Array)).toEqual([-1, -2, -3]);
  });

  it("keeps 64-bit integers exact and strings as strings", () => {
    const int64 = (values: bigint[]): DecodedInput => ({
      name: "i",
      datatype: "INT64",
      shape: [values.length],
      data: BigInt64Array.from(values),
    });
    const text = (values: string[]): DecodedInput => ({
      name: "s",
      datatype: "BYTES",
      shape: [values.length],
      data: values.map((value) => Buffer.from(value)),
    });
    const [i, s] = concatInputs([
      [int64([-(2n ** 63n)]), text(["α"])],
      [int64([2n ** 63n - 1n, 0n]), text(["", "b"])],
    ]);
    expect(i.data).toBeInstanceOf(BigInt64Array);
    expect(Array.from(i.data as BigInt64Array)).toEqual([-(2n ** 63n), 2n ** 63n - 1n, 0n]);
    expect(s.shape).toEqual([3]);
    expect(s.data).toEqual([Buffer.from("α"), Buffer.from(""), Buffer.from("b")]);
  });
});

describe("splitOutput", () => {
  it("hands each request its own rows, shaped with its own batch size", () => {
    const output = {
      datatype: "FP32" as const,
      shape: [4, 2],
      data: Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8]),
    };
    const parts = splitOutput(output, [1, 3]);
    expect(parts).toHaveLength(2);
    expect(parts.map((part) => part.shape)).toEqual([
      [1, 2],
      [3, 2],
    ]);
    expect(parts.map((part) => Array.from(part.data as Float32Array))).toEqual([
      [1, 2],
      [3, 4, 5, 6, 7, 8],
    ]);
  });

  it("splits strings and an output with no elements per row", () => {
    const [a, b, c] = ["a", "b", "c"].map((text) => Buffer.from(text));
    const strings = splitOutput({ datatype: "BYTES", shape: [3], data: [a, b, c] }, [2, 1]);
    expect(strings.map((part) => part.data)).toEqual([[a, b], [c]]);
    const empty = splitOutput(
      { datatype: "FP32", shape: [2, 0], data: new Float32Array(0) },
      [1, 1],
    );
    expect(empty.map((part) => part.shape)).toEqual([
      [1, 0],
      [1, 0],
    ]);
  });
});
