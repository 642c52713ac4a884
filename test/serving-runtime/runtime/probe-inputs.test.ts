import { probeInputs } from "@hybridai/serving-runtime/src/runtime/probe-inputs";
import { describe, expect, it } from "vitest";

// The inputs a model is timed with at load (placement and batch sweep).

/** The first values of the generator (LCG 1664525, 1013904223 mod 2³², seed 12345) over 2³². */
const FIRST_VALUES = [0.02040268573909998, 0.01654784823767841, 0.5431557944975793];

describe("probeInputs", () => {
  it("puts the batch size in dimension 0 of batched inputs and 1 in every other dynamic dimension", () => {
    const probes = probeInputs(
      [
        { name: "x", datatype: "FP32", shape: [-1, 3] },
        { name: "y", datatype: "INT64", shape: [-1, -1, 2] },
      ],
      4,
      true,
    );
    expect(probes.map((p) => [p.name, p.datatype, p.shape])).toEqual([
      ["x", "FP32", [4, 3]],
      ["y", "INT64", [4, 1, 2]],
    ]);
    expect(probes[0].data).toBeInstanceOf(Float32Array);
    expect(probes[0].data).toHaveLength(12);
    expect(probes[1].data).toBeInstanceOf(BigInt64Array);
    expect([...(probes[1].data as BigInt64Array)]).toEqual(Array(8).fill(0n));
  });

  it("keeps dimension 0 of an unbatched model: dynamic as 1, fixed as stated", () => {
    const probes = probeInputs(
      [
        { name: "x", datatype: "FP32", shape: [-1, 2] },
        { name: "y", datatype: "FP32", shape: [3, -1] },
      ],
      8,
      false,
    );
    expect(probes.map((p) => p.shape)).toEqual([
      [1, 2],
      [3, 1],
    ]);
    const [empty] = probeInputs([{ name: "e", datatype: "FP32", shape: [-1, 0] }], 2, true);
    expect(empty.shape).toEqual([2, 0]);
    expect(empty.data).toHaveLength(0);
  });

  it("fills floats with the same pseudo-random values in [0, 1) on every call, in new buffers", () => {
    const spec = [{ name: "x", datatype: "FP64" as const, shape: [-1, 3] }];
    const [first] = probeInputs(spec, 1, true);
    const [second] = probeInputs(spec, 1, true);
    expect([...(first.data as Float64Array)]).toEqual(FIRST_VALUES);
    expect([...(second.data as Float64Array)]).toEqual(FIRST_VALUES);
    expect(second.data).not.toBe(first.data);
    const [single] = probeInputs([{ name: "x", datatype: "FP32", shape: [1, 2] }], 1, true);
    expect([...(single.data as Float32Array)]).toEqual(FIRST_VALUES.slice(0, 2).map(Math.fround));
  });

  it("leaves other types zero and BYTES as empty strings", () => {
    const probes = probeInputs(
      [
        { name: "h", datatype: "FP16", shape: [-1, 2] },
        { name: "b", datatype: "BOOL", shape: [-1, 2] },
        { name: "s", datatype: "BYTES", shape: [-1, 3] },
      ],
      1,
      true,
    );
    expect([...(probes[0].data as Uint16Array)]).toEqual([0, 0]);
    expect([...(probes[1].data as Uint8Array)]).toEqual([0, 0]);
    expect(probes[2].data).toEqual([Buffer.alloc(0), Buffer.alloc(0), Buffer.alloc(0)]);
  });
});
