import type { RunningServer } from "@hybridai/serving-runtime/src/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decodeStrings, encodeStrings, postBinary } from "../helpers/binary";
import {
  ALL_DATATYPES,
  dynamicModel,
  identityModel,
  multiModel,
  repositoryWith,
} from "../helpers/models";
import { getJson, postJson, startTestServer } from "../helpers/server";

/** Six sample values per datatype (JSON form) and their little-endian binary encoding. */
const SAMPLES: Record<string, { json: unknown[]; binary: Buffer }> = {
  BOOL: { json: [true, false, true, false, false, true], binary: Buffer.from([1, 0, 1, 0, 0, 1]) },
  UINT8: {
    json: [0, 1, 2, 127, 128, 255],
    binary: Buffer.from(new Uint8Array([0, 1, 2, 127, 128, 255]).buffer),
  },
  UINT16: {
    json: [0, 1, 300, 32768, 65000, 65535],
    binary: Buffer.from(new Uint16Array([0, 1, 300, 32768, 65000, 65535]).buffer),
  },
  UINT32: {
    json: [0, 1, 70000, 2147483648, 4000000000, 4294967295],
    binary: Buffer.from(new Uint32Array([0, 1, 70000, 2147483648, 4000000000, 4294967295]).buffer),
  },
  UINT64: {
    json: [0, 1, 2, 4294967296, 9007199254740991, 7],
    binary: Buffer.from(
      new BigUint64Array([0n, 1n, 2n, 4294967296n, 9007199254740991n, 7n]).buffer,
    ),
  },
  INT8: {
    json: [-128, -1, 0, 1, 64, 127],
    binary: Buffer.from(new Int8Array([-128, -1, 0, 1, 64, 127]).buffer),
  },
  INT16: {
    json: [-32768, -1, 0, 1, 1000, 32767],
    binary: Buffer.from(new Int16Array([-32768, -1, 0, 1, 1000, 32767]).buffer),
  },
  INT32: {
    json: [-2147483648, -1, 0, 1, 123456, 2147483647],
    binary: Buffer.from(new Int32Array([-2147483648, -1, 0, 1, 123456, 2147483647]).buffer),
  },
  INT64: {
    json: [-9007199254740991, -1, 0, 1, 4294967296, 9007199254740991],
    binary: Buffer.from(
      new BigInt64Array([-9007199254740991n, -1n, 0n, 1n, 4294967296n, 9007199254740991n]).buffer,
    ),
  },
  FP16: {
    json: [0, 1, -2, 0.5, 65504, 0.333251953125],
    binary: Buffer.from(new Uint16Array([0x0000, 0x3c00, 0xc000, 0x3800, 0x7bff, 0x3555]).buffer),
  },
  FP32: {
    json: [0.5, -1.25, 3, 0, 1024, -7.75],
    binary: Buffer.from(new Float32Array([0.5, -1.25, 3, 0, 1024, -7.75]).buffer),
  },
  FP64: {
    json: [Math.PI, -Math.E, 1e300, 0, 1e-300, -1],
    binary: Buffer.from(new Float64Array([Math.PI, -Math.E, 1e300, 0, 1e-300, -1]).buffer),
  },
  BYTES: {
    json: ["a", "héllo", "", "two words", "😀", "z"],
    binary: encodeStrings(["a", "héllo", "", "two words", "😀", "z"]),
  },
};

let server: RunningServer;

beforeAll(async () => {
  const root = await repositoryWith([
    ...ALL_DATATYPES.map(identityModel),
    multiModel(),
    dynamicModel(),
  ]);
  server = await startTestServer(root);
});

afterAll(async () => {
  await server.shutdown(5000);
});

describe.each(ALL_DATATYPES)("datatype %s", (datatype) => {
  const model = `identity_${datatype.toLowerCase()}`;
  const sample = SAMPLES[datatype];

  it("round-trips through JSON, flat and nested", async () => {
    const url = `${server.url}/v2/models/${model}/infer`;
    const flat = await postJson(url, {
      inputs: [{ name: "x", shape: [2, 3], datatype, data: sample.json }],
    });
    expect(flat.status).toBe(200);
    expect(flat.body.outputs).toEqual([{ name: "y", datatype, shape: [2, 3], data: sample.json }]);
    const nested = await postJson(url, {
      inputs: [
        {
          name: "x",
          shape: [2, 3],
          datatype,
          data: [sample.json.slice(0, 3), sample.json.slice(3)],
        },
      ],
    });
    expect(nested.status).toBe(200);
    expect(nested.body.outputs[0].data).toEqual(sample.json);
  });

  it("round-trips through the binary tensor extension", async () => {
    const response = await postBinary(
      `${server.url}/v2/models/${model}/infer`,
      {
        inputs: [
          {
            name: "x",
            shape: [2, 3],
            datatype,
            parameters: { binary_data_size: sample.binary.length },
          },
        ],
        parameters: { binary_data_output: true },
      },
      [sample.binary],
    );
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toContain("application/octet-stream");
    expect(response.json.outputs).toEqual([
      {
        name: "y",
        datatype,
        shape: [2, 3],
        parameters: { binary_data_size: sample.binary.length },
      },
    ]);
    if (datatype === "BYTES") expect(decodeStrings(response.binary)).toEqual(sample.json);
    else expect(response.binary.equals(sample.binary)).toBe(true);
  });

  it("takes binary input and answers JSON when binary output is not asked for", async () => {
    const response = await postBinary(
      `${server.url}/v2/models/${model}/infer`,
      {
        inputs: [
          {
            name: "x",
            shape: [2, 3],
            datatype,
            parameters: { binary_data_size: sample.binary.length },
          },
        ],
      },
      [sample.binary],
    );
    expect(response.status).toBe(200);
    expect(response.headers.get("inference-header-content-length")).toBeNull();
    expect(response.json.outputs[0].data).toEqual(sample.json);
  });
});

describe("64-bit integers beyond 2^53", () => {
  it("keeps INT64 and UINT64 values exact in JSON (numbers or digit strings in, exact digits out)", async () => {
    const response = await fetch(`${server.url}/v2/models/identity_int64/infer`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: `{"inputs":[{"name":"x","shape":[1,3],"datatype":"INT64","data":["-9223372036854775808","9223372036854775807",5]}]}`,
    });
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('"data":[-9223372036854775808,9223372036854775807,5]');
    const unsigned = await fetch(`${server.url}/v2/models/identity_uint64/infer`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: `{"inputs":[{"name":"x","shape":[1,3],"datatype":"UINT64","data":["18446744073709551615",0,1]}]}`,
    });
    expect(await unsigned.text()).toContain('"data":[18446744073709551615,0,1]');
  });
});

describe("requests", () => {
  it("echoes the id and returns only the requested outputs, in the requested order", async () => {
    const response = await postJson(`${server.url}/v2/models/multi/infer`, {
      id: "req-42",
      inputs: [
        { name: "a", shape: [1, 2], datatype: "FP32", data: [1, 2] },
        { name: "b", shape: [1, 2], datatype: "FP32", data: [3, 4] },
      ],
      outputs: [{ name: "product" }, { name: "sum" }],
    });
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      model_name: "multi",
      model_version: "1",
      id: "req-42",
      outputs: [
        { name: "product", datatype: "FP32", shape: [1, 2], data: [3, 8] },
        { name: "sum", datatype: "FP32", shape: [1, 2], data: [4, 6] },
      ],
    });
  });

  it("returns every output when none is named, mixing binary and JSON per output", async () => {
    const a = Buffer.from(new Float32Array([1, -2]).buffer);
    const response = await postBinary(
      `${server.url}/v2/models/multi/infer`,
      {
        inputs: [
          { name: "a", shape: [1, 2], datatype: "FP32", parameters: { binary_data_size: 8 } },
          { name: "b", shape: [1, 2], datatype: "FP32", data: [10, 10] },
        ],
        outputs: [{ name: "sum", parameters: { binary_data: true } }, { name: "a_negated" }],
      },
      [a],
    );
    expect(response.status).toBe(200);
    expect(response.json.outputs).toEqual([
      { name: "sum", datatype: "FP32", shape: [1, 2], parameters: { binary_data_size: 8 } },
      { name: "a_negated", datatype: "FP32", shape: [1, 2], data: [-1, 2] },
    ]);
    expect([
      ...new Float32Array(
        response.binary.buffer.slice(response.binary.byteOffset, response.binary.byteOffset + 8),
      ),
    ]).toEqual([11, 8]);
    const all = await postJson(`${server.url}/v2/models/multi/infer`, {
      inputs: [
        { name: "a", shape: [1, 2], datatype: "FP32", data: [1, 1] },
        { name: "b", shape: [1, 2], datatype: "FP32", data: [2, 2] },
      ],
    });
    expect(all.body.outputs.map((o: { name: string }) => o.name)).toEqual([
      "sum",
      "product",
      "a_negated",
    ]);
  });

  it("accepts any size on dynamic dimensions and reports them as -1", async () => {
    const metadata = await getJson(`${server.url}/v2/models/dynamic`);
    expect(metadata.inputs).toEqual([{ name: "x", datatype: "FP32", shape: [-1, -1] }]);
    for (const [rows, cols] of [
      [1, 1],
      [3, 5],
    ]) {
      const data = Array.from({ length: rows * cols }, (_, i) => i - 2);
      const response = await postJson(`${server.url}/v2/models/dynamic/versions/1/infer`, {
        inputs: [{ name: "x", shape: [rows, cols], datatype: "FP32", data }],
      });
      expect(response.status).toBe(200);
      expect(response.body.outputs[0].shape).toEqual([rows, cols]);
      expect(response.body.outputs[0].data).toEqual(data.map((v) => Math.max(0, v)));
    }
  });

  it("writes NaN and infinities as null, since JSON cannot carry them", async () => {
    const response = await postBinary(
      `${server.url}/v2/models/identity_fp32/infer`,
      {
        inputs: [
          { name: "x", shape: [1, 3], datatype: "FP32", parameters: { binary_data_size: 12 } },
        ],
      },
      [Buffer.from(new Float32Array([Number.NaN, Number.POSITIVE_INFINITY, 1]).buffer)],
    );
    expect(response.json.outputs[0].data).toEqual([null, null, 1]);
  });
});
