import { decodeInferRequest } from "@hybridai/serving-runtime/src/protocol/infer-request";
import type { ModelSignature } from "@hybridai/serving-runtime/src/protocol/tensor-spec";
import { describe, expect, it } from "vitest";

// Request decoding in process: the checks the HTTP tests (test/serving-runtime/http/infer-errors,
// hostile-input, infer-datatypes) make through a server, here without one, so the mutation run
// of protocol/ can afford them.

/** x FP32 [-1, 2], n INT64 [-1]; outputs y, z; batches of up to 4. */
const BATCHED: ModelSignature = {
  name: "pair",
  version: "1",
  maxBatchSize: 4,
  inputs: [
    { name: "x", datatype: "FP32", shape: [-1, 2] },
    { name: "n", datatype: "INT64", shape: [-1] },
  ],
  outputs: [
    { name: "y", datatype: "FP32", shape: [-1, 2] },
    { name: "z", datatype: "INT64", shape: [-1] },
  ],
};

/** s BYTES [3], no batching. */
const PLAIN: ModelSignature = {
  name: "plain",
  version: "1",
  maxBatchSize: 0,
  inputs: [{ name: "s", datatype: "BYTES", shape: [3] }],
  outputs: [{ name: "t", datatype: "BYTES", shape: [3] }],
};

function decode(header: unknown, model: ModelSignature = BATCHED) {
  return decodeInferRequest(Buffer.from(JSON.stringify(header)), undefined, model);
}

const X = { name: "x", shape: [2, 2], datatype: "FP32", data: [1, 2, 3, 4] };
const N = { name: "n", shape: [2], datatype: "INT64", data: [5, 6] };

/** The InferenceError a header is refused with. */
function refusal(header: unknown, model: ModelSignature = BATCHED) {
  try {
    decode(header, model);
  } catch (error) {
    const { kind, message } = error as { kind: string; message: string };
    return { kind, message };
  }
  throw new Error("the request was accepted");
}

describe("decodeInferRequest, well-formed requests", () => {
  it("returns the inputs in the model's order with their data, the batch size, id and all outputs", () => {
    const request = decode({ id: "r1", inputs: [N, X] });
    expect(request.id).toBe("r1");
    expect(request.batchSize).toBe(2);
    expect(request.timeoutMicroseconds).toBeUndefined();
    expect(request.inputs.map((i) => [i.name, i.datatype, i.shape])).toEqual([
      ["x", "FP32", [2, 2]],
      ["n", "INT64", [2]],
    ]);
    expect(request.inputs[0].data).toEqual(new Float32Array([1, 2, 3, 4]));
    expect(request.inputs[1].data).toEqual(new BigInt64Array([5n, 6n]));
    expect(request.outputs).toEqual([
      { name: "y", binary: false },
      { name: "z", binary: false },
    ]);
  });

  it("returns the requested outputs in their order, binary per output or by the request default", () => {
    const request = decode({
      inputs: [X, N],
      parameters: { binary_data_output: true, timeout: 2500 },
      outputs: [{ name: "z", parameters: { binary_data: false } }, { name: "y" }],
    });
    expect(request.outputs).toEqual([
      { name: "z", binary: false },
      { name: "y", binary: true },
    ]);
    expect(request.timeoutMicroseconds).toBe(2500);
    const perOutput = decode({
      inputs: [X, N],
      outputs: [{ name: "y", parameters: { binary_data: true } }],
    });
    expect(perOutput.outputs).toEqual([{ name: "y", binary: true }]);
    const emptyList = decode({ inputs: [X, N], outputs: [] });
    expect(emptyList.outputs.map((o) => o.name)).toEqual(["y", "z"]);
  });

  it("gives batch size 1 to a model without batching, and takes nested data", () => {
    const request = decode(
      { inputs: [{ name: "s", shape: [3], datatype: "BYTES", data: ["a", "b", "c"] }] },
      PLAIN,
    );
    expect(request.batchSize).toBe(1);
    expect(request.inputs[0].data).toEqual(["a", "b", "c"].map((text) => Buffer.from(text)));
    const nested = decode({
      inputs: [
        {
          ...X,
          data: [
            [1, 2],
            [3, 4],
          ],
        },
        N,
      ],
    });
    expect(nested.inputs[0].data).toEqual(new Float32Array([1, 2, 3, 4]));
  });

  it("reads binary inputs after the JSON header, at the header length given", () => {
    const json = Buffer.from(
      JSON.stringify({
        inputs: [
          { name: "x", shape: [1, 2], datatype: "FP32", parameters: { binary_data_size: 8 } },
          { name: "n", shape: [1], datatype: "INT64", parameters: { binary_data_size: 8 } },
        ],
      }),
    );
    const x = Buffer.from(new Float32Array([1.5, -2]).buffer);
    const n = Buffer.from(new BigInt64Array([7n]).buffer);
    const body = Buffer.concat([json, x, n]);
    const request = decodeInferRequest(body, String(json.length), BATCHED);
    expect([...(request.inputs[0].data as Float32Array)]).toEqual([1.5, -2]);
    expect([...(request.inputs[1].data as BigInt64Array)]).toEqual([7n]);
    expect(request.batchSize).toBe(1);
  });
});

describe("decodeInferRequest, refusals", () => {
  it("refuses malformed JSON and headers of the wrong shape", () => {
    const malformed = (() => {
      try {
        decodeInferRequest(Buffer.from("{"), undefined, BATCHED);
      } catch (error) {
        return (error as Error).message;
      }
    })();
    expect(malformed).toMatch(
      /^malformed JSON in request body: .+; send an inference request object like \{"inputs":\[\{"name":…,"shape":\[…\],"datatype":…,"data":\[…\]\}\]\}$/,
    );
    expect(refusal({ inputs: [{ ...X, shape: [2, -1] }] })).toMatchObject({
      kind: "INVALID_ARGUMENT",
      message: expect.stringMatching(/^invalid inference request: /),
    });
  });

  it("names the input that is unknown, repeated, of the wrong type, or missing", () => {
    expect(refusal({ inputs: [X, N, { ...X, name: "w" }] })).toEqual({
      kind: "INVALID_ARGUMENT",
      message: "the request has 3 inputs; model 'pair' has 2 ('x', 'n')",
    });
    expect(refusal({ inputs: [X, { ...X, name: "w" }] }).message).toBe(
      "unexpected input 'w' for model 'pair'; its inputs are 'x', 'n'",
    );
    expect(refusal({ inputs: [X, X] }).message).toBe("input 'x' is given twice");
    expect(refusal({ inputs: [{ ...X, datatype: "FP64" }, N] }).message).toBe(
      "input 'x': datatype 'FP64' does not match the model's FP32",
    );
    expect(refusal({ inputs: [{ ...X, datatype: "FLOAT" }, N] }).message).toBe(
      "input 'x': datatype 'FLOAT' does not match the model's FP32",
    );
    expect(refusal({ inputs: [X] }).message).toBe(
      "model 'pair' requires input(s) 'n', which the request does not give",
    );
    expect(refusal({ inputs: [] }).message).toBe(
      "model 'pair' requires input(s) 'x', 'n', which the request does not give",
    );
  });

  it("refuses shapes that do not match, batch sizes out of range, and unequal batch sizes", () => {
    expect(refusal({ inputs: [{ ...X, shape: [4], data: [1, 2, 3, 4] }, N] }).message).toBe(
      "input 'x': shape [4] does not match the model's [-1,2] (-1 = any size)",
    );
    expect(refusal({ inputs: [{ ...X, shape: [1, 4] }, N] }).message).toBe(
      "input 'x': shape [1,4] does not match the model's [-1,2] (-1 = any size)",
    );
    expect(refusal({ inputs: [{ ...X, shape: [5, 2], data: Array(10).fill(0) }, N] }).message).toBe(
      "input 'x': batch size 5 (dimension 0) must be from 1 to the model's max_batch_size 4",
    );
    expect(refusal({ inputs: [{ ...X, shape: [0, 2], data: [] }, N] }).message).toBe(
      "input 'x': batch size 0 (dimension 0) must be from 1 to the model's max_batch_size 4",
    );
    // 4 is the largest batch allowed.
    expect(
      decode({
        inputs: [
          { ...X, shape: [4, 2], data: Array(8).fill(0) },
          { ...N, shape: [4], data: [1, 2, 3, 4] },
        ],
      }).batchSize,
    ).toBe(4);
    expect(refusal({ inputs: [X, { ...N, shape: [1], data: [5] }] }).message).toBe(
      "all inputs must have the same batch size (dimension 0): 'x' has 2, 'n' has 1",
    );
    expect(
      refusal({ inputs: [{ name: "s", shape: [2], datatype: "BYTES", data: ["a", "b"] }] }, PLAIN)
        .message,
    ).toBe("input 's': shape [2] does not match the model's [3] (-1 = any size)");
  });

  it("names an unknown or repeated output, and refuses the classification and shared-memory extensions", () => {
    expect(refusal({ inputs: [X, N], outputs: [{ name: "q" }] })).toEqual({
      kind: "INVALID_ARGUMENT",
      message: "unknown output 'q' for model 'pair'; its outputs are 'y', 'z'",
    });
    expect(refusal({ inputs: [X, N], outputs: [{ name: "y" }, { name: "y" }] }).message).toBe(
      "output 'y' is requested twice",
    );
    expect(
      refusal({ inputs: [X, N], outputs: [{ name: "y", parameters: { classification: 2 } }] }),
    ).toEqual({ kind: "UNSUPPORTED", message: "the classification extension is not supported" });
    expect(
      refusal({
        inputs: [X, N],
        outputs: [{ name: "z", parameters: { shared_memory_region: "r" } }],
      }),
    ).toEqual({
      kind: "UNSUPPORTED",
      message:
        "tensor 'z': the shared-memory extension is not supported; send data in JSON or with the binary tensor data extension",
    });
    expect(
      refusal({ inputs: [{ ...X, parameters: { shared_memory_region: "r" } }, N] }).message,
    ).toMatch(/^tensor 'x': the shared-memory extension/);
  });

  it("refuses a timeout that is not a non-negative integer", () => {
    for (const timeout of [-1, 1.5, "10"]) {
      expect(refusal({ inputs: [X, N], parameters: { timeout } }).message).toBe(
        "parameters.timeout must be a non-negative integer (microseconds)",
      );
    }
    expect(decode({ inputs: [X, N], parameters: { timeout: 0 } }).timeoutMicroseconds).toBe(0);
  });

  it("refuses missing data, data given twice, and a bad binary_data_size", () => {
    expect(refusal({ inputs: [{ name: "x", shape: [2, 2], datatype: "FP32" }, N] }).message).toBe(
      "input 'x': missing 'data' (or parameters.binary_data_size for binary data)",
    );
    expect(refusal({ inputs: [{ ...X, parameters: { binary_data_size: 16 } }, N] }).message).toBe(
      "input 'x': give either 'data' or parameters.binary_data_size, not both",
    );
    for (const size of [-4, 1.5, "16", true]) {
      const { data: _data, ...header } = X;
      expect(
        refusal({ inputs: [{ ...header, parameters: { binary_data_size: size } }, N] }).message,
      ).toBe("input 'x': parameters.binary_data_size must be a non-negative integer");
    }
  });

  it("refuses binary sizes past the body's end, and binary bytes left over", () => {
    const header = (size: number) =>
      Buffer.from(
        JSON.stringify({
          inputs: [
            { name: "x", shape: [1, 2], datatype: "FP32", parameters: { binary_data_size: size } },
            { ...N, shape: [1], data: [1] },
          ],
        }),
      );
    const short = header(12);
    expect(() =>
      decodeInferRequest(Buffer.concat([short, Buffer.alloc(8)]), String(short.length), BATCHED),
    ).toThrow(
      "input 'x': binary_data_size is 12 but only 8 bytes of binary data remain after the JSON header (is Inference-Header-Content-Length set?)",
    );
    const noBinary = header(8);
    expect(() => decodeInferRequest(noBinary, undefined, BATCHED)).toThrow(
      "input 'x': binary_data_size is 8 but only 0 bytes of binary data remain",
    );
    const exact = header(8);
    expect(() =>
      decodeInferRequest(Buffer.concat([exact, Buffer.alloc(11)]), String(exact.length), BATCHED),
    ).toThrow(
      "the body has 3 bytes of binary data beyond the inputs' binary_data_size; check Inference-Header-Content-Length and binary_data_size",
    );
    expect(() =>
      decodeInferRequest(Buffer.concat([exact, Buffer.alloc(8)]), "1x", BATCHED),
    ).toThrow("Inference-Header-Content-Length must be a non-negative integer, got '1x'");
    expect(() => decodeInferRequest(exact, String(exact.length + 1), BATCHED)).toThrow(
      `Inference-Header-Content-Length is ${exact.length + 1} but the body has only ${exact.length} bytes; it must give the length of the JSON part at the start of the body`,
    );
  });
});
