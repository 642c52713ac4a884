import { buildOnnxModel } from "@hybridai/serving-runtime/src/modelgen/onnx-graph";
import type { RunningServer } from "@hybridai/serving-runtime/src/server";
import * as ort from "onnxruntime-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { postBinary } from "../helpers/binary";
import { freePort } from "../helpers/free-port";
import { TestGrpcClient } from "../helpers/grpc-client";
import { identityModel, repositoryWith } from "../helpers/models";
import { postJson, startTestServer } from "../helpers/server";

// Issue 24, finding 6: BYTES inputs were UTF-8-decoded on arrival, so arbitrary bytes were not
// preserved (`ff fe 41` came back as `ef bf bd ef bf bd 41`) and a NUL cut the element. Elements
// now travel as Buffers, byte for byte. onnxruntime-node 1.30 takes string tensors only as
// JavaScript strings (UTF-8) and cuts each element at its first NUL (pinned below), so an
// element that is not UTF-8 or holds a NUL is refused with 400 instead of reaching the model
// changed.

/** Three BYTES elements as one binary tensor: 4-byte little-endian lengths, then the bytes. */
function binaryElements(elements: Buffer[]): Buffer {
  return Buffer.concat(
    elements.flatMap((element) => {
      const length = Buffer.alloc(4);
      length.writeUInt32LE(element.length);
      return [length, element];
    }),
  );
}

const KEPT = [Buffer.from("héllo", "utf8"), Buffer.from("🙂 ∑", "utf8"), Buffer.alloc(0)];
const NOT_UTF8 = [Buffer.from([0xff, 0xfe, 0x41]), Buffer.from("b"), Buffer.from("c")];
const WITH_NUL = [Buffer.from("a\u0000b", "utf8"), Buffer.from("b"), Buffer.from("c")];

let server: RunningServer;
let client: TestGrpcClient;

beforeAll(async () => {
  server = await startTestServer(await repositoryWith([identityModel("BYTES")]), {
    grpcPort: await freePort(),
  });
  client = new TestGrpcClient(server.grpc?.address ?? "");
});

afterAll(async () => {
  client.close();
  await server.shutdown(5000);
});

const url = () => `${server.url}/v2/models/identity_bytes/infer`;
const header = (elements: Buffer[]) => ({
  inputs: [
    {
      name: "x",
      shape: [1, 3],
      datatype: "BYTES",
      parameters: { binary_data_size: binaryElements(elements).length },
    },
  ],
  outputs: [{ name: "y", parameters: { binary_data: true } }],
});
const grpcRaw = (elements: Buffer[]) => ({
  model_name: "identity_bytes",
  inputs: [{ name: "x", datatype: "BYTES", shape: [1, 3] }],
  raw_input_contents: [binaryElements(elements)],
});
const grpcContents = (elements: Buffer[]) => ({
  model_name: "identity_bytes",
  inputs: [{ name: "x", datatype: "BYTES", shape: [1, 3], contents: { bytes_contents: elements } }],
});

describe("BYTES elements byte for byte", () => {
  it("returns UTF-8 elements exactly as sent, over the binary extension and gRPC", async () => {
    const http = await postBinary(url(), header(KEPT), [binaryElements(KEPT)]);
    expect(http.status).toBe(200);
    expect(http.binary).toEqual(binaryElements(KEPT));
    for (const request of [grpcRaw(KEPT), grpcContents(KEPT)]) {
      const answer = await client.ok("ModelInfer", request);
      expect(Buffer.from(answer.raw_output_contents[0])).toEqual(binaryElements(KEPT));
    }
  });

  it("refuses an element that is not UTF-8 with 400 instead of changing it, over HTTP and gRPC", async () => {
    const http = await postBinary(url(), header(NOT_UTF8), [binaryElements(NOT_UTF8)]);
    expect(http.status).toBe(400);
    expect(http.json.error).toBe(
      "input 'x' (BYTES): element 0 is not valid UTF-8; onnxruntime-node hands string tensors to the model as UTF-8 text, so its bytes cannot reach the model unchanged",
    );
    for (const request of [grpcRaw(NOT_UTF8), grpcContents(NOT_UTF8)]) {
      const error = await client.error("ModelInfer", request);
      expect([error.code, error.details]).toEqual([3, http.json.error]);
    }
  });

  it("refuses an element holding a NUL with 400 instead of cutting it, in JSON, binary and gRPC", async () => {
    const message =
      "input 'x' (BYTES): element 0 holds a NUL byte; onnxruntime-node cuts a string element at its first NUL, so it cannot reach the model unchanged";
    const json = await postJson(url(), {
      inputs: [{ name: "x", shape: [1, 3], datatype: "BYTES", data: ["a\u0000b", "b", "c"] }],
    });
    expect([json.status, json.body.error]).toEqual([400, message]);
    const binary = await postBinary(url(), header(WITH_NUL), [binaryElements(WITH_NUL)]);
    expect([binary.status, binary.json.error]).toEqual([400, message]);
    for (const request of [grpcRaw(WITH_NUL), grpcContents(WITH_NUL)]) {
      const error = await client.error("ModelInfer", request);
      expect([error.code, error.details]).toEqual([3, message]);
    }
  });
});

describe("what onnxruntime-node does with string elements (why the server refuses those two)", () => {
  it("cuts an element at its first NUL, and takes only JavaScript strings", async () => {
    const session = await ort.InferenceSession.create(buildOnnxModel(identityModel("BYTES").graph));
    try {
      const run = (data: unknown[]) =>
        session.run({ x: new ort.Tensor("string", data as string[], [1, data.length]) });
      const out = await run(["a\u0000b", "é", "c"]);
      expect(out.y.data).toEqual(["a", "é", "c"]);
      await expect(run([Buffer.from("ab"), "b", "c"])).rejects.toThrow(/must be a string/);
    } finally {
      await session.release();
    }
  });
});
