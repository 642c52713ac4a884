import type { RunningServer } from "@hybridai/serving-runtime/src/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { postBinary } from "../helpers/binary";
import { identityModel, multiModel, repositoryWith } from "../helpers/models";
import { startTestServer } from "../helpers/server";

let server: RunningServer;

beforeAll(async () => {
  server = await startTestServer(await repositoryWith([multiModel(), identityModel("BYTES")]));
});

afterAll(async () => {
  await server.shutdown(5000);
});

const floats = (...values: number[]) => Buffer.from(new Float32Array(values).buffer);
const binaryInput = (name: string, rows: number, bytes: number) => ({
  name,
  shape: [rows, 2],
  datatype: "FP32",
  parameters: { binary_data_size: bytes },
});

describe("several binary tensors in one request and one response", () => {
  it("reads each input at its own offset and returns binary outputs in the requested order", async () => {
    // multi: sum = a + b, product = a × b, a_negated = −a. The header lists b before a, so
    // b's bytes come first.
    const a = floats(1, 2, 3, 4);
    const b = floats(10, 20, 30, 40);
    const pair = await postBinary(
      `${server.url}/v2/models/multi/infer`,
      {
        inputs: [binaryInput("b", 2, 16), binaryInput("a", 2, 16)],
        outputs: [
          { name: "a_negated", parameters: { binary_data: true } },
          { name: "product" },
          { name: "sum", parameters: { binary_data: true } },
        ],
      },
      [b, a],
    );
    expect(pair.status).toBe(200);
    expect(pair.json.outputs).toEqual([
      { name: "a_negated", datatype: "FP32", shape: [2, 2], parameters: { binary_data_size: 16 } },
      { name: "product", datatype: "FP32", shape: [2, 2], data: [10, 40, 90, 160] },
      { name: "sum", datatype: "FP32", shape: [2, 2], parameters: { binary_data_size: 16 } },
    ]);
    expect(pair.binary).toHaveLength(32);
    expect(Array.from(new Float32Array(new Uint8Array(pair.binary).buffer))).toEqual([
      -1, -2, -3, -4, 11, 22, 33, 44,
    ]);
  });

  it("takes one input as JSON and the other in binary", async () => {
    const response = await postBinary(
      `${server.url}/v2/models/multi/infer`,
      {
        inputs: [
          { name: "a", shape: [1, 2], datatype: "FP32", data: [3, -4] },
          binaryInput("b", 1, 8),
        ],
        outputs: [{ name: "sum" }, { name: "product" }],
      },
      [floats(0.5, 0.25)],
    );
    expect(response.status).toBe(200);
    expect(response.json.outputs.map((output: { data: number[] }) => output.data)).toEqual([
      [3.5, -3.75],
      [1.5, -1],
    ]);
  });
});

describe("malformed BYTES binary data over HTTP", () => {
  const url = () => `${server.url}/v2/models/identity_bytes/infer`;
  const header = (bytes: number) => ({
    inputs: [
      { name: "x", shape: [1, 3], datatype: "BYTES", parameters: { binary_data_size: bytes } },
    ],
  });
  const lengthPrefix = (n: number) => Buffer.from([n, 0, 0, 0]);

  it.each([
    [
      "a truncated element",
      // "a", "b", then 2 stray bytes where the third length prefix should be (14 ≥ 3 × 4).
      Buffer.concat([
        lengthPrefix(1),
        Buffer.from("a"),
        lengthPrefix(1),
        Buffer.from("b"),
        Buffer.from([0, 0]),
      ]),
      "input 'x' (BYTES): binary data ends after 2 of 3 elements; each element must be a 4-byte little-endian length followed by that many bytes",
    ],
    [
      "a length past the end",
      Buffer.concat([lengthPrefix(1), Buffer.from("a"), lengthPrefix(50), Buffer.from("bcdefg")]),
      "input 'x' (BYTES): element 1 declares 50 bytes but only 6 remain",
    ],
    [
      "trailing bytes",
      Buffer.concat([
        ...["a", "b", "c"].flatMap((text) => [lengthPrefix(1), Buffer.from(text)]),
        Buffer.from("zz"),
      ]),
      "input 'x' (BYTES): 2 bytes left over after 3 elements; binary_data_size must match the encoded elements",
    ],
  ])("answers 400 naming the problem for %s", async (_case, body, message) => {
    const response = await postBinary(url(), header(body.length), [body]);
    expect(response.status).toBe(400);
    expect(response.json).toEqual({ error: message });
  });
});
