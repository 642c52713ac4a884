import { decodeBinaryTensor } from "@hybridai/serving-runtime/src/protocol/binary-codec";
import { fromFloat16Bits, toFloat16Bits } from "@hybridai/serving-runtime/src/protocol/float16";
import { encodeJsonData } from "@hybridai/serving-runtime/src/protocol/json-codec";
import { describe, expect, it } from "vitest";

describe("float16", () => {
  it("converts exactly representable values both ways", () => {
    const cases: [number, number][] = [
      [0, 0x0000],
      [1, 0x3c00],
      [-2, 0xc000],
      [65504, 0x7bff],
      [2 ** -24, 0x0001],
      [2 ** -14, 0x0400],
      [Number.POSITIVE_INFINITY, 0x7c00],
    ];
    for (const [value, bits] of cases) {
      expect(toFloat16Bits(value)).toBe(bits);
      expect(fromFloat16Bits(bits)).toBe(value);
    }
    expect(Number.isNaN(fromFloat16Bits(toFloat16Bits(Number.NaN)))).toBe(true);
  });

  it("rounds to nearest even and overflows to infinity", () => {
    expect(toFloat16Bits(1 + 2 ** -11)).toBe(0x3c00);
    expect(toFloat16Bits(1 + 3 * 2 ** -11)).toBe(0x3c02);
    expect(toFloat16Bits(70000)).toBe(0x7c00);
    expect(toFloat16Bits(-1e-10)).toBe(0x8000);
  });
});

describe("binary decoding", () => {
  it("views aligned bytes in place and copies unaligned ones", () => {
    const backing = Buffer.alloc(13);
    backing.writeFloatLE(1.5, 1);
    backing.writeFloatLE(-2, 5);
    backing.writeFloatLE(8, 9);
    const unaligned = decodeBinaryTensor("x", "FP32", backing.subarray(1, 13), 3);
    expect([...(unaligned as Float32Array)]).toEqual([1.5, -2, 8]);
    // The copy has a buffer of its own, exactly its size: a worker thread takes it as it is.
    expect((unaligned as Float32Array).buffer).not.toBe(backing.buffer);
    expect((unaligned as Float32Array).buffer.byteLength).toBe(12);
    const unalignedInts = decodeBinaryTensor("i", "INT64", Buffer.alloc(17, 1).subarray(1), 2);
    expect([...(unalignedInts as BigInt64Array)]).toEqual([72340172838076673n, 72340172838076673n]);
    const aligned = Buffer.from(new Float32Array([1, 2]).buffer);
    const view = decodeBinaryTensor("x", "FP32", aligned, 2) as Float32Array;
    expect(view.buffer).toBe(aligned.buffer);
  });

  it("normalises BOOL bytes to 0 and 1", () => {
    expect([
      ...(decodeBinaryTensor("b", "BOOL", Buffer.from([0, 2, 255]), 3) as Uint8Array),
    ]).toEqual([0, 1, 1]);
  });
});

describe("JSON encoding", () => {
  it("writes booleans, exact 64-bit integers and half floats", () => {
    expect(encodeJsonData("BOOL", new Uint8Array([1, 0]))).toBe("[true,false]");
    expect(encodeJsonData("INT64", new BigInt64Array([-(2n ** 63n)]))).toBe(
      "[-9223372036854775808]",
    );
    expect(encodeJsonData("FP16", new Uint16Array([0x3c00, 0xc000]))).toBe("[1,-2]");
    expect(encodeJsonData("FP64", new Float64Array([Number.NEGATIVE_INFINITY, 0.5]))).toBe(
      "[null,0.5]",
    );
  });
});
