import type { RunningServer } from "@hybridai/serving-runtime/src/server";
import type * as ort from "onnxruntime-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decodeStrings, encodeStrings } from "../helpers/binary";
import { freePort } from "../helpers/free-port";
import { TestGrpcClient } from "../helpers/grpc-client";
import { ALL_DATATYPES, identityModel, multiModel, repositoryWith } from "../helpers/models";
import { type ReferenceInput, releaseReferences, runReference } from "../helpers/ort-reference";
import { startTestServer } from "../helpers/server";

/**
 * Six elements per datatype: the typed `contents` a gRPC client sends (field and values, 64-bit
 * integers as decimal strings, beyond 2^53 included) and the same elements as onnxruntime takes
 * them (which also give the raw little-endian form).
 */
const SAMPLES: Record<
  string,
  { field?: string; contents: unknown[]; tensor: ort.Tensor.DataType }
> = {
  BOOL: {
    field: "bool_contents",
    contents: [true, false, true, false, false, true],
    tensor: new Uint8Array([1, 0, 1, 0, 0, 1]) as unknown as ort.Tensor.DataType,
  },
  UINT8: {
    field: "uint_contents",
    contents: [0, 1, 2, 127, 128, 255],
    tensor: new Uint8Array([0, 1, 2, 127, 128, 255]),
  },
  UINT16: {
    field: "uint_contents",
    contents: [0, 1, 300, 32768, 65000, 65535],
    tensor: new Uint16Array([0, 1, 300, 32768, 65000, 65535]),
  },
  UINT32: {
    field: "uint_contents",
    contents: [0, 1, 70000, 2147483648, 4000000000, 4294967295],
    tensor: new Uint32Array([0, 1, 70000, 2147483648, 4000000000, 4294967295]),
  },
  UINT64: {
    field: "uint64_contents",
    contents: ["0", "1", "2", "4294967296", "18446744073709551615", "9007199254740993"],
    tensor: new BigUint64Array([0n, 1n, 2n, 4294967296n, 18446744073709551615n, 9007199254740993n]),
  },
  INT8: {
    field: "int_contents",
    contents: [-128, -1, 0, 1, 64, 127],
    tensor: new Int8Array([-128, -1, 0, 1, 64, 127]),
  },
  INT16: {
    field: "int_contents",
    contents: [-32768, -1, 0, 1, 1000, 32767],
    tensor: new Int16Array([-32768, -1, 0, 1, 1000, 32767]),
  },
  INT32: {
    field: "int_contents",
    contents: [-2147483648, -1, 0, 1, 123456, 2147483647],
    tensor: new Int32Array([-2147483648, -1, 0, 1, 123456, 2147483647]),
  },
  INT64: {
    field: "int64_contents",
    contents: ["-9223372036854775808", "-1", "0", "1", "9007199254740993", "9223372036854775807"],
    tensor: new BigInt64Array([
      -9223372036854775808n,
      -1n,
      0n,
      1n,
      9007199254740993n,
      9223372036854775807n,
    ]),
  },
  FP16: {
    contents: [],
    tensor: new Uint16Array([0x0000, 0x3c00, 0xc000, 0x3800, 0x7bff, 0x3555]),
  },
  FP32: {
    field: "fp32_contents",
    contents: [0.5, -1.25, 3, 0, 1024, -7.75],
    tensor: new Float32Array([0.5, -1.25, 3, 0, 1024, -7.75]),
  },
  FP64: {
    field: "fp64_contents",
    contents: [Math.PI, -Math.E, 1e300, 0, 1e-300, -1],
    tensor: new Float64Array([Math.PI, -Math.E, 1e300, 0, 1e-300, -1]),
  },
  BYTES: {
    field: "bytes_contents",
    contents: ["a", "héllo", "", "two words", "😀", "z"].map((text) => Buffer.from(text)),
    tensor: ["a", "héllo", "", "two words", "😀", "z"],
  },
};

function rawOf(data: ort.Tensor.DataType): Buffer {
  if (Array.isArray(data)) return encodeStrings(data as string[]);
  const view = data as Uint8Array;
  return Buffer.from(view.buffer, view.byteOffset, view.byteLength);
}

let root: string;
let server: RunningServer;
let client: TestGrpcClient;

beforeAll(async () => {
  root = await repositoryWith([...ALL_DATATYPES.map(identityModel), multiModel()]);
  // Fourteen tiny models: on the event loop, each one session and no worker threads, whatever
  // a loaded machine's timing says (this file tests the wire format, not placement).
  server = await startTestServer(root, {
    grpcPort: await freePort(),
    inlineThresholdMicroseconds: 1_000_000,
  });
  client = new TestGrpcClient(server.grpc?.address ?? "");
});

afterAll(async () => {
  client.close();
  await releaseReferences();
  await server.shutdown(5000);
});

describe.each(ALL_DATATYPES)("ModelInfer, datatype %s", (datatype) => {
  const model = `identity_${datatype.toLowerCase()}`;
  const sample = SAMPLES[datatype];
  const reference = () =>
    runReference(root, model, {
      x: { datatype, shape: [2, 3], data: sample.tensor } as ReferenceInput,
    });

  it("takes raw_input_contents and answers raw_output_contents as onnxruntime computes them", async () => {
    const expected = (await reference()).y;
    const answer = await client.ok("ModelInfer", {
      model_name: model,
      inputs: [{ name: "x", datatype, shape: [2, 3] }],
      raw_input_contents: [rawOf(sample.tensor)],
    });
    expect(answer.model_name).toBe(model);
    expect(answer.model_version).toBe("1");
    expect(answer.outputs).toHaveLength(1);
    expect(answer.outputs[0]).toMatchObject({ name: "y", datatype, shape: ["2", "3"] });
    expect(answer.outputs[0].contents).toBeNull();
    expect(answer.raw_output_contents).toHaveLength(1);
    expect(Buffer.from(answer.raw_output_contents[0]).equals(expected.raw)).toBe(true);
    expect(expected.dims).toEqual([2, 3]);
    if (datatype === "BYTES") {
      expect(decodeStrings(answer.raw_output_contents[0])).toEqual(sample.tensor);
    }
  });

  if (datatype === "FP16") {
    it("refuses typed contents: FP16 travels as raw bytes only", async () => {
      const error = await client.error("ModelInfer", {
        model_name: model,
        inputs: [
          {
            name: "x",
            datatype,
            shape: [2, 3],
            contents: { fp32_contents: [0, 1, -2, 0.5, 1, 2] },
          },
        ],
      });
      expect(error.code).toBe(3);
      expect(error.details).toBe(
        "input 'x' (FP16): FP16 has no typed contents field; send its elements in raw_input_contents",
      );
    });
    return;
  }

  it(`takes typed contents (${sample.field}) and answers as onnxruntime computes them`, async () => {
    const expected = (await reference()).y;
    const answer = await client.ok("ModelInfer", {
      model_name: model,
      inputs: [
        {
          name: "x",
          datatype,
          shape: [2, 3],
          contents: { [sample.field as string]: sample.contents },
        },
      ],
    });
    expect(answer.outputs[0]).toMatchObject({ name: "y", datatype, shape: ["2", "3"] });
    expect(answer.raw_output_contents).toHaveLength(1);
    expect(Buffer.from(answer.raw_output_contents[0]).equals(expected.raw)).toBe(true);
  });
});

describe("ModelInfer on a model that computes", () => {
  it("matches onnxruntime for every output, in the order the request names them", async () => {
    const a = new Float32Array([1.5, -2, 0.25, 8]);
    const b = new Float32Array([3, 4, -0.5, 0.125]);
    const expected = await runReference(root, "multi", {
      a: { datatype: "FP32", shape: [2, 2], data: a },
      b: { datatype: "FP32", shape: [2, 2], data: b },
    });
    const answer = await client.ok("ModelInfer", {
      model_name: "multi",
      model_version: "1",
      id: "req-7",
      inputs: [
        { name: "b", datatype: "FP32", shape: [2, 2], contents: { fp32_contents: [...b] } },
        { name: "a", datatype: "FP32", shape: [2, 2], contents: { fp32_contents: [...a] } },
      ],
      outputs: [{ name: "product" }, { name: "a_negated" }],
    });
    expect(answer.id).toBe("req-7");
    expect(answer.outputs.map((o: { name: string }) => o.name)).toEqual(["product", "a_negated"]);
    expect(Buffer.from(answer.raw_output_contents[0]).equals(expected.product.raw)).toBe(true);
    expect(Buffer.from(answer.raw_output_contents[1]).equals(expected.a_negated.raw)).toBe(true);
    const all = await client.ok("ModelInfer", {
      model_name: "multi",
      inputs: [
        { name: "a", datatype: "FP32", shape: [2, 2] },
        { name: "b", datatype: "FP32", shape: [2, 2] },
      ],
      raw_input_contents: [rawOf(a), rawOf(b)],
    });
    expect(all.outputs.map((o: { name: string }) => o.name)).toEqual([
      "sum",
      "product",
      "a_negated",
    ]);
    expect(Buffer.from(all.raw_output_contents[0]).equals(expected.sum.raw)).toBe(true);
  });
});
