import {
  decodeBinaryTensor,
  splitBinaryBody,
} from "@hybridai/serving-runtime/src/protocol/binary-codec";
import { datatypeOfOrtType } from "@hybridai/serving-runtime/src/protocol/datatypes";
import {
  InferenceError,
  notFound,
  unavailable,
} from "@hybridai/serving-runtime/src/protocol/errors";
import { describeValue } from "@hybridai/serving-runtime/src/protocol/flatten-data";
import { toFloat16Bits } from "@hybridai/serving-runtime/src/protocol/float16";
import { decodeInferRequest } from "@hybridai/serving-runtime/src/protocol/infer-request";
import { encodeInferResponse } from "@hybridai/serving-runtime/src/protocol/infer-response";
import { decodeJsonData } from "@hybridai/serving-runtime/src/protocol/json-codec";
import type { ModelSignature } from "@hybridai/serving-runtime/src/protocol/tensor-spec";
import { describe, expect, it } from "vitest";

// Boundaries of the codecs and request checks that the other protocol tests do not reach.

function message(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error("accepted");
}

const body = (header: unknown, ...binary: Buffer[]) => {
  const json = Buffer.from(JSON.stringify(header));
  return { bytes: Buffer.concat([json, ...binary]), length: String(json.length) };
};

describe("binary codec boundaries", () => {
  it("reads a lone empty BYTES element: a length prefix ending exactly at the end", () => {
    expect(decodeBinaryTensor("s", "BYTES", Buffer.alloc(4), 1)).toEqual([Buffer.alloc(0)]);
  });

  it("refuses numeric bytes that do not match the shape", () => {
    expect(message(() => decodeBinaryTensor("x", "FP32", Buffer.alloc(10), 3))).toBe(
      "input 'x': binary_data_size is 10 bytes but its shape of 3 FP32 elements needs 12 bytes",
    );
  });

  it("views bytes aligned at a non-zero offset in place", () => {
    const backing = Buffer.from(new Float32Array([0, 1.5, -2]).buffer);
    const view = decodeBinaryTensor("x", "FP32", backing.subarray(4, 12), 2) as Float32Array;
    expect([...view]).toEqual([1.5, -2]);
    expect(view.buffer).toBe(backing.buffer);
    expect(view.byteOffset).toBe(backing.byteOffset + 4);
  });

  it("takes the header length only as whole digits, up to the whole body", () => {
    expect(message(() => splitBinaryBody(Buffer.alloc(8), "x1"))).toBe(
      "Inference-Header-Content-Length must be a non-negative integer, got 'x1'",
    );
    const whole = splitBinaryBody(Buffer.from("{}"), "2");
    expect(whole.json.toString()).toBe("{}");
    expect(whole.binary).toHaveLength(0);
  });
});

describe("float16 rounding below the normal range", () => {
  it("rounds subnormals to nearest even, and keeps 2⁻¹⁵ as the subnormal 0x0200", () => {
    expect(toFloat16Bits(2 ** -15)).toBe(0x0200);
    expect(toFloat16Bits(2 ** -25)).toBe(0x0000);
    expect(toFloat16Bits(1.5 * 2 ** -25)).toBe(0x0001);
    expect(toFloat16Bits(3 * 2 ** -25)).toBe(0x0002);
    expect(toFloat16Bits(-(2 ** -26))).toBe(0x8000);
  });

  it("rounds a normal value up when past half an ulp", () => {
    expect(toFloat16Bits(1 + 3 * 2 ** -12)).toBe(0x3c01);
  });
});

describe("datatypes, errors and value descriptions", () => {
  it("maps onnxruntime's type names to the protocol's", () => {
    const ort = [
      "bool",
      "uint8",
      "int32",
      "int64",
      "uint64",
      "float16",
      "float32",
      "float64",
      "string",
    ];
    expect(ort.map(datatypeOfOrtType)).toEqual([
      "BOOL",
      "UINT8",
      "INT32",
      "INT64",
      "UINT64",
      "FP16",
      "FP32",
      "FP64",
      "BYTES",
    ]);
    expect(["int8", "int16", "uint16", "uint32"].map(datatypeOfOrtType)).toEqual([
      "INT8",
      "INT16",
      "UINT16",
      "UINT32",
    ]);
    expect(datatypeOfOrtType("complex64")).toBeUndefined();
  });

  it("gives not-found 404 and unavailable 503, as InferenceErrors", () => {
    const missing = notFound("no model 'm'");
    expect(missing).toBeInstanceOf(InferenceError);
    expect([missing.name, missing.kind, missing.status, missing.message]).toEqual([
      "InferenceError",
      "NOT_FOUND",
      404,
      "no model 'm'",
    ]);
    const busy = unavailable("queue full");
    expect([busy.kind, busy.status, busy.message]).toEqual(["UNAVAILABLE", 503, "queue full"]);
  });

  it("describes undefined and NaN as their names", () => {
    expect(describeValue(undefined)).toBe("undefined");
    expect(describeValue(Number.NaN)).toBe("NaN");
  });
});

describe("JSON data edges", () => {
  it("counts flat data longer than the shape, rather than walking it", () => {
    expect(message(() => decodeJsonData("x", "FP32", [1, 2, 3, 4, 5], [2, 2]))).toBe(
      "input 'x': its shape has 4 elements but 'data' holds 5; the number of elements must equal the product of the shape",
    );
  });

  it("holds 16- and 32-bit integers to their ranges", () => {
    expect(decodeJsonData("x", "INT16", [-32768, 32767], [2])).toEqual(
      new Int16Array([-32768, 32767]),
    );
    expect(decodeJsonData("x", "UINT32", [0, 4294967295], [2])).toEqual(
      new Uint32Array([0, 4294967295]),
    );
    const cases: [string, number, string][] = [
      ["INT16", 32768, "-32768 to 32767"],
      ["INT16", -32769, "-32768 to 32767"],
      ["UINT16", 65536, "0 to 65535"],
      ["UINT16", -1, "0 to 65535"],
      ["UINT32", 4294967296, "0 to 4294967295"],
      ["UINT32", -1, "0 to 4294967295"],
    ];
    for (const [datatype, value, range] of cases) {
      expect(message(() => decodeJsonData("x", datatype as "INT16", [value], [1]))).toBe(
        `input 'x' (${datatype}): element 0 is ${value}; expected an integer from ${range}`,
      );
    }
  });

  it("takes 64-bit integer text only as whole, optionally negative, digit strings", () => {
    expect(decodeJsonData("x", "INT64", ["12", "-5", "7"], [3])).toEqual(
      new BigInt64Array([12n, -5n, 7n]),
    );
    expect(message(() => decodeJsonData("x", "INT64", ["a12"], [1]))).toBe(
      "input 'x' (INT64): element 0 is \"a12\"; expected an integer",
    );
    expect(message(() => decodeJsonData("x", "INT64", [true], [1]))).toBe(
      "input 'x' (INT64): element 0 is true; expected an integer",
    );
  });
});

describe("request checks at their edges", () => {
  const E: ModelSignature = {
    name: "e",
    version: "1",
    maxBatchSize: 0,
    inputs: [
      { name: "first", datatype: "FP32", shape: [-1] },
      { name: "second", datatype: "FP32", shape: [-1] },
    ],
    outputs: [{ name: "out", datatype: "FP32", shape: [-1] }],
  };

  it("accepts a zero-size binary input and inputs of different lengths without batching", () => {
    const { bytes, length } = body(
      {
        inputs: [
          { name: "first", shape: [0], datatype: "FP32", parameters: { binary_data_size: 0 } },
          { name: "second", shape: [2], datatype: "FP32", data: [1, 2] },
        ],
      },
      Buffer.alloc(0),
    );
    const request = decodeInferRequest(bytes, length, E);
    expect(request.inputs.map((input) => input.shape)).toEqual([[0], [2]]);
    expect(request.batchSize).toBe(1);
  });

  it("says how many binary bytes remain after the inputs before", () => {
    const { bytes, length } = body(
      {
        inputs: [
          { name: "first", shape: [2], datatype: "FP32", parameters: { binary_data_size: 8 } },
          { name: "second", shape: [2], datatype: "FP32", parameters: { binary_data_size: 8 } },
        ],
      },
      Buffer.alloc(12),
    );
    expect(message(() => decodeInferRequest(bytes, length, E))).toBe(
      "input 'second': binary_data_size is 8 but only 4 bytes of binary data remain after the JSON header (is Inference-Header-Content-Length set?)",
    );
  });

  it("refuses a name of fewer than one character, naming the field", () => {
    expect(
      message(() =>
        decodeInferRequest(
          Buffer.from(
            JSON.stringify({ inputs: [{ name: "", shape: [1], datatype: "FP32", data: [1] }] }),
          ),
          undefined,
          E,
        ),
      ),
    ).toBe(
      "invalid inference request: inputs[0].name: Too small: expected string to have >=1 characters",
    );
    expect(
      message(() =>
        decodeInferRequest(
          Buffer.from(JSON.stringify({ inputs: [], outputs: [{ name: "" }] })),
          undefined,
          E,
        ),
      ),
    ).toBe(
      "invalid inference request: outputs[0].name: Too small: expected string to have >=1 characters",
    );
  });

  it("lists at most three problems of a malformed header", () => {
    const header = {
      inputs: [
        { name: "a", shape: [-1], datatype: 3 },
        { name: "b", shape: [1.5], datatype: "FP32" },
      ],
      outputs: [{ name: "" }],
    };
    expect(
      message(() => decodeInferRequest(Buffer.from(JSON.stringify(header)), undefined, E)),
    ).toBe(
      "invalid inference request: inputs[0].shape[0]: Too small: expected number to be >=0; inputs[0].datatype: Invalid input: expected string, received number; inputs[1].shape[0]: Invalid input: expected int, received number",
    );
    expect(message(() => decodeInferRequest(Buffer.from("[]"), undefined, E))).toBe(
      "invalid inference request: Invalid input: expected object, received array",
    );
  });

  it("holds a fixed dimension of size 0 to 0", () => {
    const zero: ModelSignature = {
      ...E,
      inputs: [{ name: "first", datatype: "FP32", shape: [0] }],
    };
    const header = { inputs: [{ name: "first", shape: [1], datatype: "FP32", data: [1] }] };
    expect(
      message(() => decodeInferRequest(Buffer.from(JSON.stringify(header)), undefined, zero)),
    ).toBe("input 'first': shape [1] does not match the model's [0] (-1 = any size)");
  });

  it("gives a batching model without inputs batch size 1", () => {
    const none: ModelSignature = { ...E, maxBatchSize: 4, inputs: [] };
    expect(decodeInferRequest(Buffer.from('{"inputs":[]}'), undefined, none).batchSize).toBe(1);
  });
});

describe("encodeInferResponse", () => {
  it("carries the response parameters after the id", () => {
    const response = encodeInferResponse(
      { modelName: "m", modelVersion: "1", id: "r", parameters: { sequence_end: true } },
      [{ name: "y", datatype: "INT32", shape: [1], data: new Int32Array([3]), binary: false }],
    );
    expect(response.body).toBe(
      '{"model_name":"m","model_version":"1","id":"r","parameters":{"sequence_end":true},"outputs":[{"name":"y","datatype":"INT32","shape":[1],"data":[3]}]}',
    );
  });
});
