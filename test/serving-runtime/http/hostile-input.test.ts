import type { RunningServer } from "@hybridai/serving-runtime/src/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { constantModel, identityModel, repositoryWith } from "../helpers/models";
import { firstChunk, openSocket, parseResponse, readUntilClosed, write } from "../helpers/raw-http";
import { postJson, startTestServer } from "../helpers/server";

const LIMIT = 4096;
let server: RunningServer;

beforeAll(async () => {
  const root = await repositoryWith([identityModel("FP32"), constantModel("constant")]);
  server = await startTestServer(root, { bodyLimitBytes: LIMIT });
});

afterAll(async () => {
  await server.shutdown(5000);
});

const infer = (model: string) => `${server.url}/v2/models/${model}/infer`;

describe("deeply nested data", () => {
  it("answers 100,000 levels of nesting with 400, and keeps serving", async () => {
    const depth = 100_000;
    const body =
      '{"inputs":[{"name":"x","shape":[1,3],"datatype":"FP32","data":' +
      `${"[".repeat(depth)}${"]".repeat(depth)}}]}`;
    const limit = body.length + 1024;
    const big = await startTestServer(server.repository.root, { bodyLimitBytes: limit });
    try {
      const response = await postJson(`${big.url}/v2/models/identity_fp32/infer`, body);
      expect(response.status).toBe(400);
      expect(response.body.error).toMatch(
        /input 'x': 'data' is nested deeper than its shape's 2 dimension\(s\)/,
      );
      const ok = await postJson(`${big.url}/v2/models/identity_fp32/infer`, {
        inputs: [{ name: "x", shape: [1, 3], datatype: "FP32", data: [[1, 2, 3]] }],
      });
      expect(ok.status).toBe(200);
      expect(ok.body.outputs[0].data).toEqual([1, 2, 3]);
    } finally {
      await big.shutdown(5000);
    }
  });

  it("describes a nested element without walking it", async () => {
    const response = await postJson(infer("identity_fp32"), {
      inputs: [{ name: "x", shape: [3], datatype: "FP32", data: [1, [2], 3] }],
    });
    expect(response.status).toBe(400);
  });
});

describe("a model without inputs", () => {
  it('accepts "inputs": [] and answers its outputs', async () => {
    const response = await postJson(infer("constant"), { inputs: [] });
    expect(response.status).toBe(200);
    expect(response.body.outputs).toEqual([
      { name: "y", datatype: "FP32", shape: [3], data: [1, 2, 3] },
    ]);
  });
});

describe("oversized bodies", () => {
  const head = (length: number, extra = "") =>
    "POST /v2/models/identity_fp32/infer HTTP/1.1\r\nHost: localhost\r\n" +
    `Content-Type: application/json\r\nContent-Length: ${length}\r\n${extra}\r\n`;

  it("answers 413 instead of 100 Continue when the client asks first", async () => {
    const socket = await openSocket(server.url);
    const closed = readUntilClosed(socket);
    await write(socket, head(10 * LIMIT, "Expect: 100-continue\r\n"));
    const { text } = await closed;
    socket.destroy();
    const response = parseResponse(text);
    expect(text.startsWith("HTTP/1.1 100")).toBe(false);
    expect(response.status).toBe(413);
    expect(response.headers).toContain("connection: close");
    expect(JSON.parse(response.body).error).toMatch(
      /request body of 40960 bytes exceeds the server's limit of 4096 bytes/,
    );
  });

  it("sends 100 Continue for a body within the limit, then serves it", async () => {
    const socket = await openSocket(server.url);
    const body = JSON.stringify({
      inputs: [{ name: "x", shape: [1, 3], datatype: "FP32", data: [1, 2, 3] }],
    });
    const continued = firstChunk(socket);
    await write(socket, head(body.length, "Expect: 100-continue\r\nConnection: close\r\n"));
    expect(await continued).toMatch(/^HTTP\/1\.1 100 Continue/);
    const closed = readUntilClosed(socket);
    await write(socket, body);
    const { text } = await closed;
    socket.destroy();
    const response = parseResponse(text);
    expect(response.status).toBe(200);
    expect(JSON.parse(response.body).outputs[0].data).toEqual([1, 2, 3]);
  });

  it("lets a client that uploads the whole body before reading still read the 413", async () => {
    const socket = await openSocket(server.url);
    const closed = readUntilClosed(socket);
    const size = 4 * 1024 * 1024;
    await write(socket, head(size));
    const chunk = Buffer.alloc(64 * 1024, 0x20);
    for (let sent = 0; sent < size; sent += chunk.length) await write(socket, chunk);
    socket.end();
    const { text, error } = await closed;
    socket.destroy();
    expect(error).toBeUndefined();
    const response = parseResponse(text);
    expect(response.status).toBe(413);
    expect(JSON.parse(response.body).error).toMatch(/exceeds the server's limit of 4096 bytes/);
  });

  it("answers a chunked body that grows past the limit with 413", async () => {
    const socket = await openSocket(server.url);
    const closed = readUntilClosed(socket);
    await write(
      socket,
      "POST /v2/models/identity_fp32/infer HTTP/1.1\r\nHost: localhost\r\n" +
        "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n",
    );
    const piece = "x".repeat(1024);
    for (let i = 0; i < 8; i++) await write(socket, `${piece.length.toString(16)}\r\n${piece}\r\n`);
    await write(socket, "0\r\n\r\n");
    socket.end();
    const { text, error } = await closed;
    socket.destroy();
    expect(error).toBeUndefined();
    const response = parseResponse(text);
    expect(response.status).toBe(413);
    expect(response.headers).toContain("connection: close");
  });
});
