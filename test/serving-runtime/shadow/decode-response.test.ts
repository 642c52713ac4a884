import type { OutputData } from "@hybridai/serving-runtime/src/scheduling/tensor-batch";
import { decodeInferResponse } from "@hybridai/serving-runtime/src/shadow/decode-response";
import { describe, expect, it } from "vitest";

function output(outputs: Map<string, OutputData>, name: string): OutputData {
  const found = outputs.get(name);
  if (!found) throw new Error(`no output '${name}'`);
  return found;
}

describe("reading a remote shadow's answer", () => {
  it("reads JSON outputs, nested or flat, with null as NaN in float outputs", () => {
    const body = Buffer.from(
      JSON.stringify({
        model_name: "m",
        outputs: [
          {
            name: "p",
            datatype: "FP32",
            shape: [2, 2],
            data: [
              [0.5, null],
              [1, 2],
            ],
          },
          { name: "i", datatype: "INT64", shape: [1], data: ["9007199254740993"] },
          { name: "t", datatype: "BYTES", shape: [1], data: ["hi"] },
        ],
      }),
    );
    const outputs = decodeInferResponse(body);
    expect([...outputs.keys()]).toEqual(["p", "i", "t"]);
    expect(output(outputs, "p").shape).toEqual([2, 2]);
    expect([...(output(outputs, "p").data as Float32Array)]).toEqual([0.5, Number.NaN, 1, 2]);
    expect([...(output(outputs, "i").data as BigInt64Array)]).toEqual([9007199254740993n]);
    expect(output(outputs, "t").data).toEqual([Buffer.from("hi")]);
  });

  it("reads binary outputs after the JSON part", () => {
    const json = Buffer.from(
      JSON.stringify({
        outputs: [
          { name: "a", datatype: "FP32", shape: [2], parameters: { binary_data_size: 8 } },
          { name: "b", datatype: "INT32", shape: [1], data: [7] },
          { name: "c", datatype: "UINT8", shape: [3], parameters: { binary_data_size: 3 } },
        ],
      }),
    );
    const body = Buffer.concat([
      json,
      Buffer.from(new Float32Array([1.5, -2]).buffer),
      Buffer.from([1, 2, 3]),
    ]);
    const outputs = decodeInferResponse(body, json.length);
    expect([...(output(outputs, "a").data as Float32Array)]).toEqual([1.5, -2]);
    expect([...(output(outputs, "b").data as Int32Array)]).toEqual([7]);
    expect([...(output(outputs, "c").data as Uint8Array)]).toEqual([1, 2, 3]);
  });

  it("refuses what is not an inference response", () => {
    expect(() => decodeInferResponse(Buffer.from("<html>"))).toThrow(SyntaxError);
    expect(() => decodeInferResponse(Buffer.from('{"error":"busy"}'))).toThrow(/no outputs list/);
    expect(() =>
      decodeInferResponse(Buffer.from('{"outputs":[{"name":"a","datatype":"FP99","shape":[1]}]}')),
    ).toThrow(/known datatype/);
    const json = Buffer.from(
      '{"outputs":[{"name":"a","datatype":"FP32","shape":[2],"parameters":{"binary_data_size":8}}]}',
    );
    expect(() => decodeInferResponse(Buffer.concat([json, Buffer.alloc(4)]), json.length)).toThrow(
      /binary_data_size 8 exceeds the binary data/,
    );
  });
});
