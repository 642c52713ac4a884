import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { InferenceError } from "@hybridai/serving-runtime/src/protocol/errors";
import {
  parseFallbackConfig,
  type RemoteFallbackConfig,
} from "@hybridai/serving-runtime/src/resilience/config";
import {
  RemoteCallError,
  RemoteInferenceClient,
} from "@hybridai/serving-runtime/src/resilience/remote-client";
import { RemoteFallback } from "@hybridai/serving-runtime/src/resilience/remote-fallback";
import { RemoteFallbackMetrics } from "@hybridai/serving-runtime/src/resilience/remote-metrics";
import pino from "pino";
import { Registry } from "prom-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  closedPort,
  type StubAnswer,
  type StubEndpoint,
  startSilentEndpoint,
  startStubEndpoint,
} from "./helpers/stub-endpoint";

// RemoteFallback and its HTTP client in this process, against plain HTTP stubs on loopback: what
// is sent, what comes back to the caller, what is counted and logged, and the endpoint's breaker
// on an injected clock. (remote-fallback.test.ts covers the same paths through two runtime
// processes.)

const TOKEN = "edge-token-7";
const ANSWER =
  '{"model_name":"ranker","outputs":[{"name":"y","datatype":"FP32","shape":[1],"data":[2]}]}';

let tokenFile: string;
let answer: (url: string) => StubAnswer;
let stub: StubEndpoint;

beforeAll(async () => {
  const dir = await mkdtemp(path.join(tmpdir(), "remote-forward-"));
  tokenFile = path.join(dir, "token");
  await writeFile(tokenFile, `${TOKEN}\n`);
  stub = await startStubEndpoint((request) => answer(request.url));
});

afterAll(async () => {
  await stub.close();
});

/** A fallback to `url` with a small endpoint breaker (opens after 2 failures out of 2). */
function setup(url: string, block: Record<string, unknown> = {}) {
  const config = parseFallbackConfig("ranker", {
    url,
    token_file: tokenFile,
    circuit_breaker: { window_size: 2, minimum_requests: 2, open_duration_ms: 1_000 },
    ...block,
  }) as RemoteFallbackConfig;
  const registry = new Registry();
  const metrics = RemoteFallbackMetrics.of(registry);
  const logs: Record<string, unknown>[] = [];
  const logger = pino(
    { level: "debug" },
    { write: (line: string) => logs.push(JSON.parse(line) as Record<string, unknown>) },
  );
  let now = 0;
  const fallback = new RemoteFallback({
    model: "ranker",
    config,
    metrics,
    logger,
    clock: () => now,
  });
  const count = async (trigger: string, result: string) =>
    (await metrics.requests.get()).values.find(
      (value) =>
        value.labels.model === "ranker" &&
        value.labels.trigger === trigger &&
        value.labels.result === result,
    )?.value ?? 0;
  const breakerState = async () => (await metrics.breakerState.get()).values[0]?.value;
  return {
    fallback,
    logs,
    count,
    breakerState,
    advance: (ms: number) => {
      now += ms;
    },
  };
}

const ownError = () => new InferenceError("UNAVAILABLE", "model 'ranker' is overloaded ");
const body = Buffer.from('{"inputs":[]}');

describe("RemoteFallback", () => {
  it("forwards the raw JSON body with token, request id and forwarded header, and marks the answer", async () => {
    answer = () => ({ status: 200, body: ANSWER });
    stub.received.length = 0;
    const { fallback, count, logs } = setup(`${stub.url}/`);
    expect(fallback.url).toBe(stub.url);
    const encoded = await fallback.forward({ body, requestId: "req-1" }, "overload", ownError());
    expect(encoded.jsonLength).toBeUndefined();
    expect(JSON.parse(encoded.body.toString())).toEqual({
      parameters: { fallback_endpoint: stub.url, fallback_trigger: "overload" },
      model_name: "ranker",
      outputs: [{ name: "y", datatype: "FP32", shape: [1], data: [2] }],
    });
    expect(stub.received).toHaveLength(1);
    const [received] = stub.received;
    expect(received.url).toBe("/v2/models/ranker/infer");
    expect(received.body.equals(body)).toBe(true);
    expect(received.headers["content-type"]).toBe("application/json");
    expect(received.headers["hybridai-forwarded"]).toBe("fallback");
    expect(received.headers["x-request-id"]).toBe("req-1");
    expect(received.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(received.headers["inference-header-content-length"]).toBeUndefined();
    expect(await count("overload", "success")).toBe(1);
    expect(logs.map((log) => log.msg)).toEqual(["served by fallback endpoint"]);
  });

  it("forwards a binary-extension body with its header length and relays the binary tail after the marked JSON", async () => {
    const head =
      '{"outputs":[{"name":"y","datatype":"FP32","shape":[1],"parameters":{"binary_data_size":4}}]}';
    const tail = Buffer.from(new Float32Array([7]).buffer);
    answer = () => ({
      status: 200,
      headers: {
        "content-type": "application/octet-stream",
        "inference-header-content-length": String(head.length),
      },
      body: Buffer.concat([Buffer.from(head), tail]),
    });
    stub.received.length = 0;
    const { fallback } = setup(stub.url);
    const request = Buffer.concat([Buffer.from('{"inputs":[]}'), Buffer.alloc(8, 1)]);
    const encoded = await fallback.forward(
      { body: request, headerLength: "13" },
      "timeout",
      ownError(),
    );
    const json =
      '{"parameters":{"fallback_endpoint":"' +
      stub.url +
      '","fallback_trigger":"timeout"},"outputs":[{"name":"y","datatype":"FP32","shape":[1],"parameters":{"binary_data_size":4}}]}';
    expect(encoded.jsonLength).toBe(json.length);
    expect(Buffer.isBuffer(encoded.body)).toBe(true);
    const relayed = Buffer.from(encoded.body);
    expect(relayed.subarray(0, json.length).toString()).toBe(json);
    expect(relayed.subarray(json.length).equals(tail)).toBe(true);
    expect(stub.received).toHaveLength(1);
    expect(stub.received[0].headers["content-type"]).toBe("application/octet-stream");
    expect(stub.received[0].headers["inference-header-content-length"]).toBe("13");
    expect(stub.received[0].body.equals(request)).toBe(true);
  });

  it("relays a 400 as the endpoint's own complaint, and the endpoint's breaker counts it as an answer", async () => {
    answer = () => ({ status: 400, body: '{"error":"unexpected input \'z\'"}' });
    const { fallback, count, breakerState } = setup(stub.url);
    for (let i = 0; i < 3; i++) {
      await expect(fallback.forward({ body }, "error", ownError())).rejects.toMatchObject({
        kind: "INVALID_ARGUMENT",
        message: `model 'ranker' could not answer (error) and its fallback endpoint ${stub.url} rejected the request: unexpected input 'z'`,
      });
    }
    expect(await count("error", "rejected")).toBe(3);
    expect(fallback.breaker.state).toBe("closed");
    expect(await breakerState()).toBe(0);
  });

  it("answers with the model's own error, extended by the endpoint's status and message", async () => {
    const cases: [StubAnswer, string][] = [
      [
        { status: 500, body: '{"error":"cloud model crashed"}' },
        "it answered 500: cloud model crashed",
      ],
      [
        { status: 502, body: "<html>bad gateway</html>" },
        "it answered 502: <html>bad gateway</html>",
      ],
      [{ status: 503, body: "" }, "it answered 503: (empty body)"],
      [{ status: 504, body: '{"error":42}' }, 'it answered 504: {"error":42}'],
      [
        { status: 500, body: `{"error":"${"x".repeat(600)}"}` },
        `it answered 500: ${"x".repeat(500)}`,
      ],
    ];
    for (const [reply, detail] of cases) {
      answer = () => reply;
      const { fallback, count, logs } = setup(stub.url);
      await expect(fallback.forward({ body }, "overload", ownError())).rejects.toEqual(
        new InferenceError(
          "UNAVAILABLE",
          `model 'ranker' is overloaded; the fallback endpoint ${stub.url} could not answer instead: ${detail}`,
        ),
      );
      expect(await count("overload", "error")).toBe(1);
      expect(logs).toHaveLength(1);
      expect(logs[0]).toMatchObject({
        level: 40,
        msg: "fallback endpoint failed",
        model: "ranker",
        endpoint: stub.url,
        trigger: "overload",
        status: reply.status,
      });
    }
  });

  it("treats a 200 that is not an inference response as a failure", async () => {
    answer = () => ({ status: 200, body: "[1,2]" });
    const { fallback, count } = setup(stub.url);
    await expect(fallback.forward({ body }, "error", ownError())).rejects.toMatchObject({
      kind: "UNAVAILABLE",
      message: `model 'ranker' is overloaded; the fallback endpoint ${stub.url} could not answer instead: its answer is not an inference response: expected '{' at offset 0, found '['`,
    });
    expect(await count("error", "error")).toBe(1);
  });

  it("passes on a cause that is not an inference error unchanged", async () => {
    answer = () => ({ status: 500, body: "" });
    const { fallback } = setup(stub.url);
    const cause = new RangeError("not ours");
    await expect(fallback.forward({ body }, "error", cause)).rejects.toBe(cause);
  });

  it("opens the endpoint's breaker after failed calls, then stops trying until it half-opens", async () => {
    const port = await closedPort();
    const { fallback, count, breakerState, advance, logs } = setup(`http://127.0.0.1:${port}`);
    for (let i = 0; i < 2; i++) {
      await expect(fallback.forward({ body }, "error", ownError())).rejects.toMatchObject({
        message: expect.stringMatching(
          new RegExp(
            `^model 'ranker' is overloaded; the fallback endpoint http://127\\.0\\.0\\.1:${port} could not answer instead: it failed: ECONNREFUSED`,
          ),
        ),
      });
    }
    expect(await count("error", "error")).toBe(2);
    expect(fallback.breaker.state).toBe("open");
    expect(await breakerState()).toBe(1);
    expect(logs.map((log) => log.msg)).toEqual([
      "fallback endpoint failed",
      "fallback endpoint circuit breaker state changed",
      "fallback endpoint failed",
    ]);
    expect(logs[1]).toMatchObject({
      level: 40,
      from: "closed",
      to: "open",
      reason: "failure_rate",
    });
    await expect(fallback.forward({ body }, "timeout", ownError())).rejects.toMatchObject({
      message: `model 'ranker' is overloaded; the fallback endpoint http://127.0.0.1:${port} could not answer instead: its circuit breaker is open after repeated failures, so it was not tried`,
    });
    expect(await count("timeout", "circuit_open")).toBe(1);
    advance(1_000);
    await expect(fallback.forward({ body }, "timeout", ownError())).rejects.toMatchObject({
      message: expect.stringContaining("it failed: ECONNREFUSED"),
    });
    expect(await count("timeout", "error")).toBe(1);
  });

  it("gives up at timeout_ms on an endpoint that never answers, and counts the timeout", async () => {
    const silent = await startSilentEndpoint();
    try {
      const { fallback, count } = setup(silent.url, { timeout_ms: 50 });
      await expect(fallback.forward({ body }, "overload", ownError())).rejects.toMatchObject({
        message: `model 'ranker' is overloaded; the fallback endpoint ${silent.url} could not answer instead: it failed: no answer within timeout_ms 50`,
      });
      expect(await count("overload", "timeout")).toBe(1);
      expect(silent.connections()).toBe(1);
    } finally {
      await silent.close();
    }
  });

  it("abandons the call when the caller aborts, without holding it against the endpoint or logging it", async () => {
    const silent = await startSilentEndpoint();
    try {
      // The call must still be waiting when the abort comes, however slowly a loaded machine
      // connects: a timeout far above any connection time (the default 5 s was reached under load).
      const { fallback, count, logs } = setup(silent.url, { timeout_ms: 600_000 });
      for (let i = 0; i < 3; i++) {
        const controller = new AbortController();
        const call = fallback.forward({ body }, "error", ownError(), controller.signal);
        const outcome = expect(call).rejects.toMatchObject({
          message: expect.stringContaining("it failed: the call was abandoned"),
        });
        // Abort once the call reached the endpoint, or after 5 s while it still waits for a
        // connection (a loaded machine may keep the previous, aborted socket in the client's pool
        // a while): either way the call is in flight when the abort comes.
        const deadline = Date.now() + 5_000;
        while (silent.connections() < i + 1 && Date.now() < deadline) {
          await new Promise((resolve) => setTimeout(resolve, 2));
        }
        controller.abort();
        await outcome;
      }
      expect(await count("error", "cancelled")).toBe(3);
      expect(fallback.breaker.state).toBe("closed");
      expect(logs).toEqual([]);
    } finally {
      await silent.close();
    }
  });
});

describe("RemoteInferenceClient", () => {
  it("encodes the model name into the path and sends no authorization without a token file", async () => {
    answer = () => ({ status: 200, body: "{}" });
    stub.received.length = 0;
    const client = new RemoteInferenceClient({ url: stub.url, timeoutMs: 5_000 });
    const reply = await client.infer({ model: "a b/c", body, purpose: "shadow" });
    expect(reply.status).toBe(200);
    expect(reply.body.toString()).toBe("{}");
    expect(reply.jsonLength).toBeUndefined();
    expect(reply.durationMs).toBeGreaterThanOrEqual(0);
    expect(stub.received).toHaveLength(1);
    expect(stub.received[0].url).toBe("/v2/models/a%20b%2Fc/infer");
    expect(stub.received[0].headers.authorization).toBeUndefined();
    expect(stub.received[0].headers["x-request-id"]).toBeUndefined();
    expect(stub.received[0].headers["hybridai-forwarded"]).toBe("shadow");
  });

  it("reads the JSON length only from a whole number within the body", async () => {
    const cases: [string, number | undefined][] = [
      ["5", 5],
      [" 7 ", 7],
      ["10", 10],
      ["11", undefined],
      ["-1", undefined],
      ["3.5", undefined],
      ["abc", undefined],
    ];
    const client = new RemoteInferenceClient({ url: stub.url, timeoutMs: 5_000 });
    for (const [header, expected] of cases) {
      answer = () => ({
        status: 200,
        headers: { "inference-header-content-length": header },
        body: "0123456789",
      });
      const reply = await client.infer({ model: "m", body, purpose: "fallback" });
      expect([header, reply.jsonLength]).toEqual([header, expected]);
    }
  });

  it("refuses an answer longer than its limit, declared or streamed", async () => {
    const client = new RemoteInferenceClient({
      url: stub.url,
      timeoutMs: 5_000,
      maxResponseBytes: 10,
    });
    answer = () => ({ status: 200, headers: { "content-length": "11" }, body: "x".repeat(11) });
    await expect(client.infer({ model: "m", body, purpose: "fallback" })).rejects.toEqual(
      new RemoteCallError("error", "answer of 11 bytes exceeds 10 bytes"),
    );
    answer = () => ({ status: 200, body: "y".repeat(11) });
    await expect(client.infer({ model: "m", body, purpose: "fallback" })).rejects.toEqual(
      new RemoteCallError("error", "answer exceeds 10 bytes"),
    );
    answer = () => ({ status: 200, body: "z".repeat(10) });
    const reply = await client.infer({ model: "m", body, purpose: "fallback" });
    expect(reply.body.toString()).toBe("z".repeat(10));
  });

  it("fails with the token file's error when it cannot be read", async () => {
    const missing = path.join(path.dirname(tokenFile), "missing-token");
    const client = new RemoteInferenceClient({
      url: stub.url,
      tokenFile: missing,
      timeoutMs: 5_000,
    });
    const call = client.infer({ model: "m", body, purpose: "fallback" });
    await expect(call).rejects.toBeInstanceOf(RemoteCallError);
    await expect(call).rejects.toMatchObject({
      failure: "error",
      message: expect.stringContaining(missing),
    });
  });
});
