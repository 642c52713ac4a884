import {
  decodeBinaryTensor,
  encodeBinaryTensor,
} from "@hybridai/serving-runtime/src/protocol/binary-codec";
import { InferenceError } from "@hybridai/serving-runtime/src/protocol/errors";
import { decodeInferRequest } from "@hybridai/serving-runtime/src/protocol/infer-request";
import { encodeInferResponse } from "@hybridai/serving-runtime/src/protocol/infer-response";
import type { ModelSignature } from "@hybridai/serving-runtime/src/protocol/tensor-spec";
import { describe, expect, it } from "vitest";

/** Bytes written out one by one, so no expectation goes through the codec under test. */
const bytes = (...values: number[]) => Buffer.from(values);

/** Runs `action` and returns the InferenceError it throws (failing when it throws nothing). */
function errorOf(action: () => unknown): InferenceError {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(InferenceError);
    return error as InferenceError;
  }
  throw new Error("expected an InferenceError, nothing was thrown");
}

describe("BYTES binary decoder, malformed input", () => {
  it("accepts well-formed elements, including an empty one", () => {
    // "ab", "", "c": each a 4-byte little-endian length, then the bytes.
    const body = bytes(2, 0, 0, 0, 0x61, 0x62, 0, 0, 0, 0, 1, 0, 0, 0, 0x63);
    expect(decodeBinaryTensor("x", "BYTES", body, 3)).toEqual(
      ["ab", "", "c"].map((text) => Buffer.from(text)),
    );
  });

  it("refuses a truncated element: the data ends inside the next length prefix", () => {
    // Element 0 is "abc" (7 bytes); one stray byte follows where element 1's 4-byte length
    // should be. 8 bytes pass the up-front check of 2 × 4 prefix bytes.
    const body = bytes(3, 0, 0, 0, 0x61, 0x62, 0x63, 9);
    const error = errorOf(() => decodeBinaryTensor("x", "BYTES", body, 2));
    expect(error.kind).toBe("INVALID_ARGUMENT");
    expect(error.status).toBe(400);
    expect(error.message).toBe(
      "input 'x' (BYTES): binary data ends after 1 of 2 elements; each element must be a " +
        "4-byte little-endian length followed by that many bytes",
    );
  });

  it("refuses an element whose declared length runs past the end of the data", () => {
    // Declares 10 bytes (0x0a) but only "abc" follows.
    const body = bytes(10, 0, 0, 0, 0x61, 0x62, 0x63);
    const error = errorOf(() => decodeBinaryTensor("x", "BYTES", body, 1));
    expect(error.kind).toBe("INVALID_ARGUMENT");
    expect(error.message).toBe("input 'x' (BYTES): element 0 declares 10 bytes but only 3 remain");
  });

  it("reads the length prefix little-endian: 256 is 00 01 00 00, not 1", () => {
    const body = bytes(0, 1, 0, 0, 0x61);
    expect(errorOf(() => decodeBinaryTensor("x", "BYTES", body, 1)).message).toBe(
      "input 'x' (BYTES): element 0 declares 256 bytes but only 1 remain",
    );
  });

  it("refuses bytes left over after the last element", () => {
    // "ab" then two trailing bytes.
    const body = bytes(2, 0, 0, 0, 0x61, 0x62, 0xff, 0xff);
    const error = errorOf(() => decodeBinaryTensor("x", "BYTES", body, 1));
    expect(error.kind).toBe("INVALID_ARGUMENT");
    expect(error.message).toBe(
      "input 'x' (BYTES): 2 bytes left over after 1 elements; binary_data_size must match the " +
        "encoded elements",
    );
  });

  it("refuses data too short to hold a length prefix for every element", () => {
    const error = errorOf(() => decodeBinaryTensor("x", "BYTES", Buffer.alloc(8), 3));
    expect(error.message).toBe(
      "input 'x' (BYTES): 3 elements need at least 12 bytes of length prefixes but " +
        "binary_data_size is 8",
    );
  });
});

describe("binary encoder", () => {
  it("writes BYTES elements as a little-endian length then UTF-8", () => {
    expect([...encodeBinaryTensor([Buffer.from("é"), Buffer.alloc(0)])]).toEqual([
      2, 0, 0, 0, 0xc3, 0xa9, 0, 0, 0, 0,
    ]);
    expect([...encodeBinaryTensor([Buffer.from([0xff, 0xfe, 0x41])])]).toEqual([
      3, 0, 0, 0, 0xff, 0xfe, 0x41,
    ]);
  });

  it("writes a numeric view's own bytes, not its whole backing buffer", () => {
    const backing = new Int16Array([1, -2, 3, 4]);
    expect([...encodeBinaryTensor(backing.subarray(1, 3))]).toEqual([0xfe, 0xff, 3, 0]);
  });
});

/** a: FP32 [-1, 2], b: INT32 [-1, 3], c: BYTES [-1]; batching up to 4. */
const MODEL: ModelSignature = {
  name: "three",
  version: "1",
  maxBatchSize: 4,
  inputs: [
    { name: "a", datatype: "FP32", shape: [-1, 2] },
    { name: "b", datatype: "INT32", shape: [-1, 3] },
    { name: "c", datatype: "BYTES", shape: [-1] },
  ],
  outputs: [
    { name: "p", datatype: "FP32", shape: [-1, 2] },
    { name: "q", datatype: "INT32", shape: [-1, 3] },
    { name: "r", datatype: "BYTES", shape: [-1] },
  ],
};

describe("binary request with several tensors", () => {
  it("gives each input the bytes at its own offset, in the order the header lists them", () => {
    // Header order c, b, a (not the model's order); binary part in that same order.
    const header = {
      inputs: [
        { name: "c", shape: [1], datatype: "BYTES", parameters: { binary_data_size: 6 } },
        { name: "b", shape: [1, 3], datatype: "INT32", parameters: { binary_data_size: 12 } },
        { name: "a", shape: [1, 2], datatype: "FP32", parameters: { binary_data_size: 8 } },
      ],
    };
    const json = Buffer.from(JSON.stringify(header));
    const binary = bytes(
      ...[2, 0, 0, 0, 0x68, 0x69], // c: "hi"
      ...[7, 0, 0, 0, 0xf8, 0xff, 0xff, 0xff, 0, 1, 0, 0], // b: 7, -8, 256
      ...[0, 0, 0xc0, 0x3f, 0, 0, 0x20, 0xc1], // a: 1.5, -10 (FP32 little-endian)
    );
    const request = decodeInferRequest(Buffer.concat([json, binary]), String(json.length), MODEL);
    expect(request.inputs.map((input) => input.name)).toEqual(["a", "b", "c"]);
    const [a, b, c] = request.inputs;
    expect(Array.from(a.data as Float32Array)).toEqual([1.5, -10]);
    expect(Array.from(b.data as Int32Array)).toEqual([7, -8, 256]);
    expect(c.data).toEqual([Buffer.from("hi")]);
    expect(request.batchSize).toBe(1);
  });

  it("mixes JSON and binary inputs: a JSON input takes no bytes from the binary part", () => {
    const header = {
      inputs: [
        { name: "a", shape: [1, 2], datatype: "FP32", parameters: { binary_data_size: 8 } },
        { name: "b", shape: [1, 3], datatype: "INT32", data: [1, 2, 3] },
        { name: "c", shape: [1], datatype: "BYTES", parameters: { binary_data_size: 5 } },
      ],
    };
    const json = Buffer.from(JSON.stringify(header));
    const binary = bytes(0, 0, 0x80, 0x3f, 0, 0, 0, 0x40, 1, 0, 0, 0, 0x7a); // 1, 2 | "z"
    const request = decodeInferRequest(Buffer.concat([json, binary]), String(json.length), MODEL);
    const [a, b, c] = request.inputs;
    expect(Array.from(a.data as Float32Array)).toEqual([1, 2]);
    expect(Array.from(b.data as Int32Array)).toEqual([1, 2, 3]);
    expect(c.data).toEqual([Buffer.from("z")]);
  });
});

describe("binary response with several tensors", () => {
  it("lays the binary outputs after the JSON in output order, JSON outputs taking no bytes", () => {
    const encoded = encodeInferResponse({ modelName: "three", modelVersion: "1" }, [
      { name: "q", datatype: "INT32", shape: [1, 2], data: new Int32Array([1, -1]), binary: true },
      { name: "p", datatype: "FP32", shape: [1, 1], data: new Float32Array([0.5]), binary: false },
      {
        name: "r",
        datatype: "BYTES",
        shape: [2],
        data: [Buffer.from("x"), Buffer.from("yz")],
        binary: true,
      },
    ]);
    expect(encoded.jsonLength).toBeDefined();
    const body = encoded.body as Buffer;
    const json = JSON.parse(body.subarray(0, encoded.jsonLength).toString("utf8"));
    expect(json).toEqual({
      model_name: "three",
      model_version: "1",
      outputs: [
        { name: "q", datatype: "INT32", shape: [1, 2], parameters: { binary_data_size: 8 } },
        { name: "p", datatype: "FP32", shape: [1, 1], data: [0.5] },
        { name: "r", datatype: "BYTES", shape: [2], parameters: { binary_data_size: 11 } },
      ],
    });
    expect([...body.subarray(encoded.jsonLength)]).toEqual([
      ...[1, 0, 0, 0, 0xff, 0xff, 0xff, 0xff], // q: 1, -1
      ...[1, 0, 0, 0, 0x78, 2, 0, 0, 0, 0x79, 0x7a], // r: "x", "yz"
    ]);
  });

  it("is plain JSON without a length when no output is binary", () => {
    const encoded = encodeInferResponse({ modelName: "m", modelVersion: "2", id: "7" }, [
      { name: "p", datatype: "FP32", shape: [1], data: new Float32Array([2]), binary: false },
    ]);
    expect(encoded.jsonLength).toBeUndefined();
    expect(encoded.body).toBe(
      '{"model_name":"m","model_version":"2","id":"7","outputs":[{"name":"p","datatype":"FP32","shape":[1],"data":[2]}]}',
    );
  });
});
