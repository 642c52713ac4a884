import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { RunningServer } from "@hybridai/serving-runtime/src/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "../helpers/free-port";
import { openInferStream, TestGrpcClient } from "../helpers/grpc-client";
import { identityModel, multiModel, repositoryWith } from "../helpers/models";
import { releaseReferences, runReference } from "../helpers/ort-reference";
import { type Json, postJson, startTestServer } from "../helpers/server";

let root: string;
let server: RunningServer;
let client: TestGrpcClient;

const multi = (id: string, a: number[], b: number[]) => ({
  model_name: "multi",
  id,
  inputs: [
    { name: "a", datatype: "FP32", shape: [1, 2], contents: { fp32_contents: a } },
    { name: "b", datatype: "FP32", shape: [1, 2], contents: { fp32_contents: b } },
  ],
  outputs: [{ name: "sum" }],
});

beforeAll(async () => {
  root = await repositoryWith([multiModel(), identityModel("INT64")]);
  server = await startTestServer(root, { grpcPort: await freePort() });
  client = new TestGrpcClient(server.grpc?.address ?? "");
});

afterAll(async () => {
  client.close();
  await releaseReferences();
  await server.shutdown(5000);
});

describe("ModelStreamInfer", () => {
  it("answers every request on the stream as onnxruntime computes it, matched by id, then ends OK", async () => {
    const stream = openInferStream(client);
    const pairs = [
      [
        [1, 2],
        [3, 4],
      ],
      [
        [0.5, -1],
        [2, 2],
      ],
      [
        [10, 20],
        [-5, 5],
      ],
    ];
    for (const [i, [a, b]] of pairs.entries()) stream.send(multi(`r${i}`, a, b));
    const answers = await stream.next(pairs.length);
    expect(answers).toHaveLength(3);
    const byId = new Map(answers.map((answer: Json) => [answer.infer_response.id, answer]));
    for (const [i, [a, b]] of pairs.entries()) {
      const answer = byId.get(`r${i}`);
      expect(answer.error_message).toBe("");
      expect(answer.infer_response.model_name).toBe("multi");
      const expected = await runReference(root, "multi", {
        a: { datatype: "FP32", shape: [1, 2], data: new Float32Array(a) },
        b: { datatype: "FP32", shape: [1, 2], data: new Float32Array(b) },
      });
      expect(
        Buffer.from(answer.infer_response.raw_output_contents[0]).equals(expected.sum.raw),
      ).toBe(true);
    }
    expect(await stream.finish()).toEqual({ code: 0, details: "OK" });
  });

  it("answers a bad request with HTTP's message in error_message and keeps the stream going", async () => {
    const stream = openInferStream(client);
    const bad = {
      model_name: "identity_int64",
      id: "bad-1",
      inputs: [
        { name: "x", datatype: "INT32", shape: [1, 3], contents: { int_contents: [1, 2, 3] } },
      ],
    };
    stream.send(bad);
    const [refused] = await stream.next(1);
    const http = await postJson(`${server.url}/v2/models/identity_int64/infer`, {
      inputs: [{ name: "x", shape: [1, 3], datatype: "INT32", data: [1, 2, 3] }],
    });
    expect(refused.error_message).toBe(http.body.error);
    expect(refused.error_message).toBe(
      "input 'x': datatype 'INT32' does not match the model's INT64",
    );
    expect(refused.infer_response.id).toBe("bad-1");
    stream.send({ ...bad, model_name: "nope" });
    expect((await stream.next(1))[0].error_message).toBe("unknown model 'nope'");
    stream.send({
      model_name: "identity_int64",
      id: "good",
      inputs: [
        {
          name: "x",
          datatype: "INT64",
          shape: [1, 3],
          contents: { int64_contents: ["9223372036854775807", "-1", "0"] },
        },
      ],
    });
    const [good] = await stream.next(1);
    expect(good.error_message).toBe("");
    const values = new BigInt64Array(
      new Uint8Array(good.infer_response.raw_output_contents[0]).buffer,
    );
    expect([...values]).toEqual([9223372036854775807n, -1n, 0n]);
    expect((await stream.finish()).code).toBe(0);
  });
});

describe("ModelStreamInfer with a token", () => {
  let secured: RunningServer;
  let secure: TestGrpcClient;

  beforeAll(async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "hybridai-stream-token-"));
    await writeFile(path.join(dir, "token"), "s3cret");
    secured = await startTestServer(root, {
      grpcPort: await freePort(),
      authTokenFile: path.join(dir, "token"),
    });
    secure = new TestGrpcClient(secured.grpc?.address ?? "");
  });

  afterAll(async () => {
    secure.close();
    await secured.shutdown(5000);
  });

  it("refuses a stream without the token with UNAUTHENTICATED, and serves one with it", async () => {
    const refused = openInferStream(secure);
    expect(await refused.status).toEqual({
      code: 16,
      details: "this endpoint needs 'Authorization: Bearer <token>'",
    });
    const allowed = openInferStream(secure, { authorization: "Bearer s3cret" });
    allowed.send(multi("ok", [1, 1], [1, 1]));
    const [answer] = await allowed.next(1);
    expect(answer.error_message).toBe("");
    expect((await allowed.finish()).code).toBe(0);
  });
});
