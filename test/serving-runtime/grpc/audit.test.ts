import { createHash } from "node:crypto";
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { inferenceServiceDefinition } from "@hybridai/serving-runtime/src/grpc/proto";
import { beforeAll, describe, expect, it } from "vitest";
import { freePort } from "../helpers/free-port";
import { openInferStream, TestGrpcClient } from "../helpers/grpc-client";
import { identityModel, repositoryWith } from "../helpers/models";
import type { Json } from "../helpers/server";
import { startTestServer } from "../helpers/server";

// The audit log over gRPC: one record per ModelInfer call and per request on a stream, with the
// protocol, the caller's name, the digest of the request message's bytes and the HTTP status the
// outcome maps from; never the token.

const sha = (bytes: string | Buffer) => createHash("sha256").update(bytes).digest("hex");
const TOKEN = "tok-grpc-9d41c7a2";
const request = (data: number[]) => ({
  model_name: "identity_fp32",
  inputs: [
    { name: "x", datatype: "FP32", shape: [1, data.length], contents: { fp32_contents: data } },
  ],
});
/** The bytes a client sends for a request: its protobuf encoding. */
const encoded = (message: Json) =>
  inferenceServiceDefinition().ModelInfer.requestSerialize(message) as Buffer;

let file: string;
let records: Json[];
let text: string;

beforeAll(async () => {
  const root = await repositoryWith([identityModel("FP32")]);
  const dir = await mkdtemp(path.join(tmpdir(), "hybridai-grpc-audit-"));
  const tokensFile = path.join(dir, "tokens.json");
  await writeFile(
    tokensFile,
    JSON.stringify({ clients: [{ name: "batch", token_sha256: sha(TOKEN) }] }),
  );
  file = path.join(dir, "audit.jsonl");
  const server = await startTestServer(root, {
    tokensFile,
    auditLog: file,
    grpcPort: await freePort(),
  });
  const client = new TestGrpcClient(server.grpc?.address ?? "");
  const auth = { authorization: `Bearer ${TOKEN}` };
  await client.ok("ModelInfer", request([1, 2, 3]), { ...auth, "x-request-id": "g-ok" });
  const bad = await client.error("ModelInfer", request([1, 2]), {
    ...auth,
    "x-request-id": "g-bad",
  });
  expect(bad.code).toBe(3);
  const stream = openInferStream(client, { ...auth, "x-request-id": "g-stream" });
  stream.send(request([4, 5, 6]));
  await stream.next(1);
  await stream.finish();
  client.close();
  await server.shutdown(5000); // the drain flushes the log
  text = await readFile(file, "utf8");
  records = text
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => JSON.parse(line));
});

describe("audit log over gRPC", () => {
  it("writes one record per call and per streamed request, marked grpc", () => {
    expect(records.map((r) => [r.request_id, r.protocol])).toEqual([
      ["g-ok", "grpc"],
      ["g-bad", "grpc"],
      ["g-stream", "grpc"],
    ]);
  });

  it("records the caller, the model, the message digest, the outputs and the outcome", () => {
    expect(records[0]).toMatchObject({
      client: "batch",
      model: "identity_fp32",
      version: "1",
      input_digest: `sha256:${sha(encoded(request([1, 2, 3])))}`,
      input_bytes: encoded(request([1, 2, 3])).length,
      status: 200,
      outcome: "success",
      outputs: [{ name: "y", datatype: "FP32", shape: [1, 3], min: 1, max: 3, mean: 2 }],
    });
    expect(records[1]).toMatchObject({ client: "batch", status: 400, outcome: "error" });
    expect(records[1].error).toMatch(/^input 'x'/);
    expect(records[2]).toMatchObject({
      input_digest: `sha256:${sha(encoded(request([4, 5, 6])))}`,
      status: 200,
      outputs: [{ name: "y", min: 4, max: 6 }],
    });
  });

  it("never writes the token or its hash", () => {
    expect(text).not.toContain(TOKEN);
    expect(text).not.toContain(sha(TOKEN));
  });
});
