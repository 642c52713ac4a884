import type { Socket } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { identityModel, repositoryWith } from "../helpers/models";
import { openSocket, write } from "../helpers/raw-http";
import { type SourceServer, startSourceServer } from "../helpers/source-server";

// Issue 24, finding 6: a body sent at one byte a second stayed open for 300 s (Node's default
// request timeout; fastify's own timeouts are not applied to a server made by its
// serverFactory), and the whole declared Content-Length was allocated up front (30 connections
// sending 2 bytes each reserved 1.5 GB). `--request-timeout-seconds` now bounds how long a
// request may take to arrive, and a body's buffer grows with what arrived. The server runs in a
// child process, whose memory the test reads. HANG_MS detects a connection left open; it is
// not a speed target.
const HANG_MS = 8_000;
const REQUEST_TIMEOUT_SECONDS = 1;

let server: SourceServer;

beforeAll(async () => {
  server = await startSourceServer([
    "--model-repository",
    await repositoryWith([identityModel("FP32")]),
    "--request-timeout-seconds",
    String(REQUEST_TIMEOUT_SECONDS),
  ]);
});

afterAll(async () => {
  await server?.stop();
});

/** Resolves with what the server sent once it closed the connection, or rejects after HANG_MS. */
function closedWithin(socket: Socket, ms: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => reject(new Error(`still open after ${ms} ms`)), ms);
    socket.on("data", (chunk: Buffer) => chunks.push(chunk));
    const done = () => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks).toString());
    };
    socket.once("close", done);
    socket.once("end", done);
    socket.once("error", done);
  });
}

/** Writes `text` a byte at a time, `gapMs` apart, until the socket closes. */
async function trickle(socket: Socket, text: string, gapMs: number): Promise<void> {
  for (const char of text) {
    if (socket.destroyed || socket.writableEnded) return;
    await write(socket, char).catch(() => undefined);
    await new Promise((resolve) => setTimeout(resolve, gapMs));
  }
}

const head = (length: number) =>
  "POST /v2/models/identity_fp32/infer HTTP/1.1\r\nHost: localhost\r\n" +
  `Content-Type: application/json\r\nContent-Length: ${length}\r\n\r\n`;

describe("--request-timeout-seconds", () => {
  it("answers a body sent a byte at a time with 408 and closes the connection", async () => {
    const socket = await openSocket(server.url);
    const closed = closedWithin(socket, HANG_MS);
    await write(socket, head(1000));
    void trickle(socket, "x".repeat(1000), 200);
    expect(await closed).toMatch(/^HTTP\/1\.1 408 /);
    socket.destroy();
  });

  it("answers headers sent a byte at a time with 408 and closes the connection", async () => {
    const socket = await openSocket(server.url);
    const closed = closedWithin(socket, HANG_MS);
    void trickle(socket, head(10), 200);
    expect(await closed).toMatch(/^HTTP\/1\.1 408 /);
    socket.destroy();
  });

  it("keeps serving requests that arrive in time", async () => {
    const response = await fetch(`${server.url}/v2/models/identity_fp32/infer`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        inputs: [{ name: "x", shape: [1, 3], datatype: "FP32", data: [1, 2, 3] }],
      }),
    });
    expect(response.status).toBe(200);
  });
});

describe("body buffers", () => {
  it("grow with what arrived, not with what Content-Length claims", async () => {
    const before = server.vmSizeMiB();
    const sockets = await Promise.all(Array.from({ length: 30 }, () => openSocket(server.url)));
    try {
      // Each claims 50 MB and sends two bytes, in two writes (the second chunk is where a body
      // used to get a buffer of its whole declared length).
      await Promise.all(sockets.map((socket) => write(socket, `${head(50_000_000)}x`)));
      await new Promise((resolve) => setTimeout(resolve, 100));
      await Promise.all(sockets.map((socket) => write(socket, "y")));
      await new Promise((resolve) => setTimeout(resolve, 400));
      const grown = server.vmSizeMiB() - before;
      expect(grown).toBeLessThan(256);
    } finally {
      for (const socket of sockets) socket.destroy();
    }
  });
});
