import { isDatatype } from "@hybridai/serving-runtime/src/protocol/datatypes";
import { describeValue } from "@hybridai/serving-runtime/src/protocol/flatten-data";
import { decodeJsonData, encodeJsonData } from "@hybridai/serving-runtime/src/protocol/json-codec";
import { describe, expect, it } from "vitest";

// JSON `data` of each datatype: conversion, the element checks and their messages, and nesting.

function refusal(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect((error as { kind: string }).kind).toBe("INVALID_ARGUMENT");
    return (error as Error).message;
  }
  throw new Error("accepted");
}

describe("decodeJsonData", () => {
  it("converts each JSON datatype to its typed array", () => {
    expect(decodeJsonData("x", "BOOL", [true, false, true], [3])).toEqual(
      new Uint8Array([1, 0, 1]),
    );
    expect(decodeJsonData("x", "INT8", [-128, 127], [2])).toEqual(new Int8Array([-128, 127]));
    expect(decodeJsonData("x", "UINT16", [0, 65535], [2])).toEqual(new Uint16Array([0, 65535]));
    expect(decodeJsonData("x", "INT64", [-5, "-9223372036854775808"], [2])).toEqual(
      new BigInt64Array([-5n, -(2n ** 63n)]),
    );
    expect(decodeJsonData("x", "UINT64", ["18446744073709551615", 0], [2])).toEqual(
      new BigUint64Array([2n ** 64n - 1n, 0n]),
    );
    expect(decodeJsonData("x", "FP16", [1, -2], [2])).toEqual(new Uint16Array([0x3c00, 0xc000]));
    const fp64 = decodeJsonData("x", "FP64", [0.1, -3], [2]);
    expect(fp64).toBeInstanceOf(Float64Array);
    expect([...(fp64 as Float64Array)]).toEqual([0.1, -3]);
    const fp32 = decodeJsonData("x", "FP32", [0.5, 2], [2]);
    expect(fp32).toBeInstanceOf(Float32Array);
    expect(decodeJsonData("x", "BYTES", ["a", ""], [2])).toEqual([
      Buffer.from("a"),
      Buffer.alloc(0),
    ]);
  });

  it("names the element, its value and what was expected", () => {
    expect(refusal(() => decodeJsonData("x", "BOOL", [true, 1], [2]))).toBe(
      "input 'x' (BOOL): element 1 is 1; expected true or false",
    );
    expect(refusal(() => decodeJsonData("x", "INT8", [1, 128], [2]))).toBe(
      "input 'x' (INT8): element 1 is 128; expected an integer from -128 to 127",
    );
    expect(refusal(() => decodeJsonData("x", "INT8", [-129], [1]))).toBe(
      "input 'x' (INT8): element 0 is -129; expected an integer from -128 to 127",
    );
    expect(refusal(() => decodeJsonData("x", "INT32", [1.5], [1]))).toMatch(
      /^input 'x' \(INT32\): element 0 is 1.5; expected an integer from -2147483648 to 2147483647$/,
    );
    expect(refusal(() => decodeJsonData("x", "UINT8", ["1"], [1]))).toBe(
      "input 'x' (UINT8): element 0 is \"1\"; expected an integer from 0 to 255",
    );
    expect(refusal(() => decodeJsonData("x", "BYTES", ["a", 2], [2]))).toBe(
      "input 'x' (BYTES): element 1 is 2; expected a string",
    );
    expect(refusal(() => decodeJsonData("x", "FP32", [1, "2"], [2]))).toBe(
      "input 'x' (FP32): element 1 is \"2\"; expected a number",
    );
    expect(refusal(() => decodeJsonData("x", "FP16", [null], [1]))).toBe(
      "input 'x' (FP16): element 0 is null; expected a number",
    );
  });

  it("takes 64-bit integers as integers or integer text, within their range", () => {
    expect(refusal(() => decodeJsonData("x", "INT64", [1.5], [1]))).toBe(
      "input 'x' (INT64): element 0 is 1.5; expected an integer",
    );
    expect(refusal(() => decodeJsonData("x", "INT64", ["12a"], [1]))).toBe(
      "input 'x' (INT64): element 0 is \"12a\"; expected an integer",
    );
    expect(refusal(() => decodeJsonData("x", "INT64", ["9223372036854775808"], [1]))).toBe(
      "input 'x' (INT64): element 0 (9223372036854775808) is out of range for INT64",
    );
    expect(refusal(() => decodeJsonData("x", "INT64", ["-9223372036854775809"], [1]))).toBe(
      "input 'x' (INT64): element 0 (-9223372036854775809) is out of range for INT64",
    );
    expect(refusal(() => decodeJsonData("x", "UINT64", [-1], [1]))).toBe(
      "input 'x' (UINT64): element 0 (-1) is out of range for UINT64",
    );
    expect(refusal(() => decodeJsonData("x", "UINT64", ["18446744073709551616"], [1]))).toBe(
      "input 'x' (UINT64): element 0 (18446744073709551616) is out of range for UINT64",
    );
  });

  it("checks the element count against the shape", () => {
    expect(refusal(() => decodeJsonData("x", "FP32", [1, 2, 3], [2, 2]))).toBe(
      "input 'x': its shape has 4 elements but 'data' holds 3; the number of elements must equal the product of the shape",
    );
    expect(refusal(() => decodeJsonData("x", "FP32", { a: 1 }, [1]))).toBe(
      "input 'x': 'data' must be an array (flat or nested, row-major), got an object",
    );
  });

  it("flattens nesting up to one level per dimension, and no deeper", () => {
    expect(
      decodeJsonData(
        "x",
        "INT32",
        [
          [
            [1, 2],
            [3, 4],
          ],
          [
            [5, 6],
            [7, 8],
          ],
        ],
        [2, 2, 2],
      ),
    ).toEqual(new Int32Array([1, 2, 3, 4, 5, 6, 7, 8]));
    // A scalar's data may still be a one-element array.
    expect(decodeJsonData("x", "INT32", [7], [])).toEqual(new Int32Array([7]));
    expect(refusal(() => decodeJsonData("x", "INT32", [[[1]], [[2]]], [2, 1]))).toBe(
      "input 'x': 'data' is nested deeper than its shape's 2 dimension(s); send the elements flat or nested once per dimension",
    );
    expect(refusal(() => decodeJsonData("x", "INT32", [[1], [2], [3]], [2, 1]))).toBe(
      "input 'x': 'data' holds more than the 2 elements its shape calls for",
    );
  });
});

describe("describeValue", () => {
  it("describes without walking: arrays by length, objects by kind, long strings cut at 40", () => {
    expect(describeValue([1, [2, 3]])).toBe("an array of 2");
    expect(describeValue(null)).toBe("null");
    expect(describeValue({ deep: {} })).toBe("an object");
    expect(describeValue("a".repeat(41))).toBe(`"${"a".repeat(40)}…"`);
    expect(describeValue("a".repeat(40))).toBe(`"${"a".repeat(40)}"`);
    expect(describeValue(false)).toBe("false");
  });
});

describe("encodeJsonData and datatype names", () => {
  it("writes non-finite floats as null, integers and strings as they are", () => {
    expect(encodeJsonData("FP32", new Float32Array([1.5, Number.NaN, -Infinity]))).toBe(
      "[1.5,null,null]",
    );
    expect(encodeJsonData("FP64", new Float64Array([Infinity, 2]))).toBe("[null,2]");
    expect(encodeJsonData("FP64", new Float64Array([0.25]))).toBe("[0.25]");
    expect(encodeJsonData("INT32", new Int32Array([-1, 2]))).toBe("[-1,2]");
    expect(encodeJsonData("BYTES", [Buffer.from("a"), Buffer.from('q"')])).toBe('["a","q\\""]');
  });

  it("knows the protocol's datatype names only", () => {
    expect(["FP32", "BYTES", "UINT64"].map(isDatatype)).toEqual([true, true, true]);
    expect(["fp32", "FLOAT", "", 3, "toString"].map(isDatatype)).toEqual([
      false,
      false,
      false,
      false,
      false,
    ]);
  });
});
