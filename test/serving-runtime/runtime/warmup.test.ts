import type { DecodedInput } from "@hybridai/serving-runtime/src/protocol/infer-request";
import type { ModelSignature } from "@hybridai/serving-runtime/src/protocol/tensor-spec";
import { parseModelConfig } from "@hybridai/serving-runtime/src/repository/model-config";
import { runWarmup, warmupInputs } from "@hybridai/serving-runtime/src/runtime/warmup";
import type { BatchExecutor, Execution } from "@hybridai/serving-runtime/src/scheduling/scheduler";
import { describe, expect, it } from "vitest";

/** x FP32 [-1, 4], n INT64 [-1, 2] → y FP32 [-1, 4], z INT64 [-1]; batching up to 8. */
const MODEL: ModelSignature = {
  name: "warm",
  version: "1",
  maxBatchSize: 8,
  inputs: [
    { name: "x", datatype: "FP32", shape: [-1, 4] },
    { name: "n", datatype: "INT64", shape: [-1, 2] },
  ],
  outputs: [
    { name: "y", datatype: "FP32", shape: [-1, 4] },
    { name: "z", datatype: "INT64", shape: [-1] },
  ],
};

/** Warmup samples as a model config states them (Triton's spelling), parsed by the runtime. */
const samples = (warmup: unknown[]) =>
  parseModelConfig({ model_warmup: warmup }, "test").model_warmup;

const BOTH_ZERO = {
  x: { data_type: "TYPE_FP32", dims: [4], zero_data: true },
  n: { data_type: "TYPE_INT64", dims: [2], zero_data: true },
};

/** Records every execution; fails with `failWith` when given. */
class RecordingExecutor implements BatchExecutor {
  readonly capacity = 1;
  readonly calls: { inputs: DecodedInput[]; outputNames: string[] }[] = [];

  constructor(private readonly failWith?: string) {}

  execute(inputs: DecodedInput[], outputNames: string[]): Promise<Execution> {
    this.calls.push({ inputs, outputNames });
    if (this.failWith) return Promise.reject(new Error(this.failWith));
    return Promise.resolve({ outputs: new Map(), inferMicroseconds: 1 });
  }
}

describe("runWarmup", () => {
  it("executes every sample `count` times on every instance, asking for every output", async () => {
    const first = new RecordingExecutor();
    const second = new RecordingExecutor();
    await runWarmup(
      samples([
        { name: "zeros", batch_size: 2, count: 3, inputs: BOTH_ZERO },
        { name: "once", count: 0, inputs: BOTH_ZERO },
      ]),
      MODEL,
      [first, second],
    );
    for (const executor of [first, second]) {
      expect(executor.calls).toHaveLength(4);
      expect(executor.calls.map((call) => call.inputs.map((input) => input.shape))).toEqual([
        [
          [2, 4],
          [2, 2],
        ],
        [
          [2, 4],
          [2, 2],
        ],
        [
          [2, 4],
          [2, 2],
        ],
        [
          [1, 4],
          [1, 2],
        ],
      ]);
      expect(executor.calls.map((call) => call.outputNames)).toEqual(Array(4).fill(["y", "z"]));
    }
  });

  it("hands each execution buffers of its own, since an execution may move them to a thread", async () => {
    const executor = new RecordingExecutor();
    await runWarmup(samples([{ name: "zeros", count: 2, inputs: BOTH_ZERO }]), MODEL, [executor]);
    expect(executor.calls).toHaveLength(2);
    const [a, b] = executor.calls.map((call) => call.inputs[0].data);
    expect(a).not.toBe(b);
    expect((a as Float32Array).buffer).not.toBe((b as Float32Array).buffer);
  });

  it("stops at the first failed execution and names the sample", async () => {
    const executor = new RecordingExecutor("Got invalid dimensions for input: x");
    await expect(
      runWarmup(samples([{ name: "bad", count: 5, inputs: BOTH_ZERO }]), MODEL, [executor]),
    ).rejects.toThrow("warmup 'bad' failed: Got invalid dimensions for input: x");
    expect(executor.calls).toHaveLength(1);
  });

  it("refuses a sample that does not fit the model without executing it", async () => {
    const executor = new RecordingExecutor();
    await expect(
      runWarmup(
        samples([
          { name: "fine", inputs: BOTH_ZERO },
          { name: "short", inputs: { x: BOTH_ZERO.x } },
        ]),
        MODEL,
        [executor],
      ),
    ).rejects.toThrow("warmup 'short': input 'n' is missing");
    expect(executor.calls.map((call) => call.inputs[0].shape)).toEqual([[1, 4]]);
  });
});

describe("warmupInputs", () => {
  it("fills zero_data with zeros and random_data with floats in [0, 1), in the model's input order", () => {
    const [x, n] = warmupInputs(
      samples([
        {
          name: "mixed",
          batch_size: 3,
          inputs: {
            n: { data_type: "TYPE_INT64", dims: [2], zero_data: true },
            x: { data_type: "TYPE_FP32", dims: [4], random_data: true },
          },
        },
      ])[0],
      MODEL,
    );
    expect([x.name, n.name]).toEqual(["x", "n"]);
    expect(n.data).toEqual(new BigInt64Array(6));
    const values = Array.from(x.data as Float32Array);
    expect(values).toHaveLength(12);
    expect(values.every((value) => value >= 0 && value < 1)).toBe(true);
    expect(new Set(values).size).toBeGreaterThan(1);
  });

  it("leaves out the batch dimension for a model that does not batch", () => {
    const [x] = warmupInputs(samples([{ name: "plain", batch_size: 4, inputs: BOTH_ZERO }])[0], {
      ...MODEL,
      maxBatchSize: 0,
    });
    expect(x.shape).toEqual([4]);
  });

  it("refuses a sample naming an input the model lacks, or giving the wrong datatype", () => {
    expect(() =>
      warmupInputs(
        samples([
          { name: "extra", inputs: { ...BOTH_ZERO, w: { data_type: "TYPE_FP32", dims: [1] } } },
        ])[0],
        MODEL,
      ),
    ).toThrow("warmup 'extra': 'w' is not an input of the model");
    expect(() =>
      warmupInputs(
        samples([
          {
            name: "ints",
            inputs: { ...BOTH_ZERO, x: { data_type: "TYPE_INT32", dims: [4], zero_data: true } },
          },
        ])[0],
        MODEL,
      ),
    ).toThrow("warmup 'ints': input 'x' data_type INT32 does not match the model's FP32");
  });
});

describe("warmupInputs, random_data", () => {
  /** One input `v` of `datatype`, 64 elements without batching. */
  function randomInput(datatype: string) {
    const model: ModelSignature = {
      name: "r",
      version: "1",
      maxBatchSize: 0,
      inputs: [{ name: "v", datatype: datatype as "FP32", shape: [64] }],
      outputs: [{ name: "w", datatype: datatype as "FP32", shape: [64] }],
    };
    const [sample] = samples([
      {
        name: "random",
        inputs: {
          v: {
            data_type: `TYPE_${datatype === "BYTES" ? "STRING" : datatype}`,
            dims: [64],
            random_data: true,
          },
        },
      },
    ]);
    const [input] = warmupInputs(sample, model);
    expect(input.shape).toEqual([64]);
    return input.data;
  }

  // 64 random elements: the chance that none shows what the assertion looks for is below 2⁻⁶⁴.
  it("fills integers with random bytes, over their whole width", () => {
    const int8 = [...(randomInput("INT8") as Int8Array)];
    expect(int8).toHaveLength(64);
    expect(int8.some((value) => value > 1 || value < 0)).toBe(true);
    const int16 = [...(randomInput("INT16") as Int16Array)];
    expect(int16.some((value) => (value & 0x4000) !== 0 || value < 0)).toBe(true);
  });

  it("keeps BOOL to 0 and 1, FP16 below 1.0, floats in [0, 1)", () => {
    const bools = [...(randomInput("BOOL") as Uint8Array)];
    expect(bools).toHaveLength(64);
    expect(bools.every((value) => value === 0 || value === 1)).toBe(true);
    expect(bools.some((value) => value === 1)).toBe(true);
    const halves = [...(randomInput("FP16") as Uint16Array)];
    expect(halves).toHaveLength(64);
    expect(halves.every((bits) => bits < 0x3c00)).toBe(true);
    expect(halves.some((bits) => bits !== 0)).toBe(true);
    for (const datatype of ["FP32", "FP64"]) {
      const floats = [...(randomInput(datatype) as Float32Array)];
      expect(floats).toHaveLength(64);
      expect(floats.every((value) => value >= 0 && value < 1)).toBe(true);
      expect(new Set(floats).size).toBeGreaterThan(1);
    }
  });

  it("gives BYTES inputs random decimal strings, zero_data empty ones", () => {
    const strings = randomInput("BYTES") as Buffer[];
    expect(strings).toHaveLength(64);
    expect(strings.every((value) => /^\d+$/.test(value.toString()))).toBe(true);
    const [zeros] = warmupInputs(
      samples([
        {
          name: "zeros",
          inputs: { v: { data_type: "TYPE_STRING", dims: [3], zero_data: true } },
        },
      ])[0],
      {
        name: "s",
        version: "1",
        maxBatchSize: 0,
        inputs: [{ name: "v", datatype: "BYTES", shape: [3] }],
        outputs: [{ name: "w", datatype: "BYTES", shape: [3] }],
      },
    );
    expect(zeros.data).toEqual([Buffer.alloc(0), Buffer.alloc(0), Buffer.alloc(0)]);
  });
});
