import { connect, createServer, type Server, type Socket } from "node:net";
import { Writable } from "node:stream";
import { type ErrorRequest, errorReply } from "@hybridai/serving-runtime/src/http/error-reply";
import { LimitError } from "@hybridai/serving-runtime/src/limits/limit-error";
import { InferenceError } from "@hybridai/serving-runtime/src/protocol/errors";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

/** A pino logger at debug that keeps what it writes, as parsed lines. */
function capturingLogger() {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      lines.push(JSON.parse(String(chunk)));
      done();
    },
  });
  return { log: pino({ level: "debug" }, sink), lines };
}

let server: Server;
let serverSocket: Promise<Socket>;

beforeAll(async () => {
  server = createServer();
  serverSocket = new Promise((resolve) => server.once("connection", resolve));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
});

afterAll(async () => {
  (await serverSocket).destroy();
  await new Promise((resolve) => server.close(resolve));
});

function request(overrides: Partial<ErrorRequest> = {}) {
  const { log, lines } = capturingLogger();
  return {
    request: {
      log,
      requestId: "r-1",
      socket: null,
      realm: "inference",
      bodyUnread: false,
      ...overrides,
    },
    lines,
  };
}

describe("errorReply", () => {
  it("answers {error} under the mapped status and logs a server error with the request id", () => {
    const { request: asked, lines } = request();
    const reply = errorReply(new InferenceError("INTERNAL", "boom"), asked);
    expect(reply).toEqual({
      status: 500,
      message: "boom",
      body: JSON.stringify({ error: "boom" }),
      headers: {},
    });
    expect(lines).toMatchObject([{ level: 50, msg: "request failed", request_id: "r-1" }]);
  });

  it("logs a 503 and client errors at debug only", () => {
    for (const error of [
      new InferenceError("UNAVAILABLE", "not ready"),
      new InferenceError("NOT_FOUND", "no model"),
    ]) {
      const { request: asked, lines } = request();
      errorReply(error, asked);
      expect(lines).toMatchObject([{ level: 20, msg: "request rejected", request_id: "r-1" }]);
    }
  });

  it("names the realm of the token a 401 asks for", () => {
    const error = new InferenceError("UNAUTHENTICATED", "send Authorization: Bearer");
    expect(errorReply(error, request().request).headers).toEqual({
      "www-authenticate": 'Bearer realm="inference"',
    });
    expect(errorReply(error, request({ realm: "repository" }).request).headers).toEqual({
      "www-authenticate": 'Bearer realm="repository"',
    });
  });

  it("tells a client over its limits when to retry", () => {
    const reply = errorReply(new LimitError("over quota", 7), request().request);
    expect(reply.status).toBe(429);
    expect(reply.headers).toEqual({ "retry-after": 7 });
  });

  it("closes the connection after a 413 or a body refused while arriving, reading on meanwhile", async () => {
    const client = connect((server.address() as { port: number }).port, "127.0.0.1");
    const socket = await serverSocket;
    const tooLarge = { statusCode: 413, code: "FST_ERR_CTP_BODY_TOO_LARGE", message: "too large" };
    const lingering = errorReply(tooLarge, request({ socket }).request);
    expect(lingering.status).toBe(413);
    expect(lingering.headers).toEqual({ connection: "close" });
    expect(Object.hasOwn(socket, "destroySoon")).toBe(true);
    const refused = errorReply(
      new InferenceError("INVALID_ARGUMENT", "too many elements"),
      request({ bodyUnread: true }).request,
    );
    expect(refused).toMatchObject({ status: 400, headers: { connection: "close" } });
    const read = errorReply(new InferenceError("INVALID_ARGUMENT", "bad"), request().request);
    expect(read.headers).toEqual({});
    client.destroy();
  });
});
