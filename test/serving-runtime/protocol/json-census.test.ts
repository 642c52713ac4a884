import { JsonCensus } from "@hybridai/serving-runtime/src/protocol/json-census";
import type { ModelSignature } from "@hybridai/serving-runtime/src/protocol/tensor-spec";
import { describe, expect, it } from "vitest";

// One input, one output: at most 6 objects (request, its parameters, each tensor and its
// parameters) and (1 + 2) × (16 + 64) = 240 keys.
const MODEL: ModelSignature = {
  name: "m",
  version: "1",
  maxBatchSize: 0,
  inputs: [{ name: "x", datatype: "BYTES", shape: [-1] }],
  outputs: [{ name: "y", datatype: "BYTES", shape: [-1] }],
};

/** Feeds `text` in chunks of `size` bytes; the refusal's message, or "accepted". */
function census(text: string | Buffer, size: number, jsonBytes?: number): string {
  const bytes = Buffer.isBuffer(text) ? text : Buffer.from(text);
  const counter = new JsonCensus(MODEL, jsonBytes);
  try {
    for (let at = 0; at < bytes.length; at += size) counter.feed(bytes.subarray(at, at + size));
    return "accepted";
  } catch (error) {
    return (error as Error).message;
  }
}

describe("JsonCensus", () => {
  it("accepts a valid request whose strings hold braces and colons, however it is chunked", () => {
    const strings = Array.from({ length: 500 }, (_, i) => `{"k${i}": "\\"{:}"}`);
    const text = JSON.stringify({
      id: "a{b:c",
      parameters: { p: 1 },
      inputs: [{ name: "x", shape: [500], datatype: "BYTES", data: strings }],
      outputs: [{ name: "y", parameters: { binary_data: true } }],
    });
    for (const size of [1, 2, 3, 7, 64, text.length]) expect(census(text, size)).toBe("accepted");
  });

  it("refuses a seventh object the moment it arrives, naming the model's counts", () => {
    const text = `{"inputs":[${new Array(1000).fill('{"name":""}').join(",")}]}`;
    expect(census(text, 5)).toBe(
      "the request's JSON holds more than 6 objects: a request for model 'm' (1 input, 1 output) has at most one object per input, output and parameters block",
    );
  });

  it("refuses more keys than the parameters blocks can hold", () => {
    const keys = Array.from({ length: 300 }, (_, i) => `"p${i}":1`).join(",");
    expect(census(`{"parameters":{${keys}}}`, 16)).toMatch(/more than 240 keys/);
  });

  it("counts only a binary request's JSON header, not its tensor bytes", () => {
    const header = Buffer.from('{"inputs":[{"name":"x","shape":[1],"datatype":"BYTES"}]}');
    const tensors = Buffer.alloc(10_000, "{");
    expect(census(Buffer.concat([header, tensors]), 100, header.length)).toBe("accepted");
    expect(census(Buffer.concat([header, tensors]), 100)).toMatch(/more than 6 objects/);
  });
});
