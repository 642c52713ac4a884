import { InferenceError } from "@hybridai/serving-runtime/src/protocol/errors";
import {
  parseFallbackConfig,
  type RemoteFallbackConfig,
} from "@hybridai/serving-runtime/src/resilience/config";
import { RemoteFallback } from "@hybridai/serving-runtime/src/resilience/remote-fallback";
import { RemoteFallbackMetrics } from "@hybridai/serving-runtime/src/resilience/remote-metrics";
import pino from "pino";
import { Registry } from "prom-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  closedPort,
  type StubAnswer,
  type StubEndpoint,
  startStubEndpoint,
} from "./helpers/stub-endpoint";

// What a RemoteFallback reports: the endpoint's complaint quoted in the model's own error (at
// most 500 characters, read from at most the first 4 KiB of the answer), the fields of its log
// lines, and its metrics as the server's /metrics shows them.

let answer: StubAnswer;
let stub: StubEndpoint;
const body = Buffer.from('{"inputs":[]}');
const ownError = () => new InferenceError("UNAVAILABLE", "model 'ranker' is overloaded");

beforeAll(async () => {
  stub = await startStubEndpoint(() => answer);
});

afterAll(async () => {
  await stub.close();
});

function setup(url: string) {
  const registry = new Registry();
  const logs: Record<string, unknown>[] = [];
  const fallback = new RemoteFallback({
    model: "ranker",
    config: parseFallbackConfig("ranker", { url }) as RemoteFallbackConfig,
    metrics: RemoteFallbackMetrics.of(registry),
    logger: pino(
      { level: "debug" },
      { write: (line: string) => logs.push(JSON.parse(line) as Record<string, unknown>) },
    ),
  });
  return { fallback, logs, registry };
}

/** The detail the model's error is extended with when the endpoint answers `reply`. */
async function detailFor(reply: StubAnswer): Promise<string> {
  answer = reply;
  const { fallback } = setup(stub.url);
  const error = await fallback.forward({ body }, "overload", ownError()).catch((e: Error) => e);
  const prefix = `model 'ranker' is overloaded; the fallback endpoint ${stub.url} could not answer instead: `;
  const message = (error as Error).message;
  expect(message.startsWith(prefix)).toBe(true);
  return message.slice(prefix.length);
}

describe("RemoteFallback's account of a failed endpoint", () => {
  it("quotes at most 500 characters of an answer that is not the protocol's error body", async () => {
    const page = `<html>${"busy ".repeat(200)}</html>`;
    expect(await detailFor({ status: 502, body: page })).toBe(
      `it answered 502: ${page.slice(0, 500)}`,
    );
  });

  it("quotes the body itself when its error is not a string", async () => {
    expect(await detailFor({ status: 500, body: '{"error":["disk","full"]}' })).toBe(
      'it answered 500: {"error":["disk","full"]}',
    );
  });

  it("reads only the first 4 KiB of an error answer: a longer error body is quoted raw", async () => {
    const long = JSON.stringify({ error: "e".repeat(5_000) });
    expect(await detailFor({ status: 500, body: long })).toBe(
      `it answered 500: ${long.slice(0, 500)}`,
    );
  });

  it("logs a failed call with the model, endpoint, trigger, failure and error", async () => {
    const port = await closedPort();
    const url = `http://127.0.0.1:${port}`;
    const { fallback, logs } = setup(url);
    await fallback.forward({ body }, "timeout", ownError()).catch(() => undefined);
    expect(logs).toEqual([
      expect.objectContaining({
        level: 40,
        msg: "fallback endpoint failed",
        model: "ranker",
        endpoint: url,
        trigger: "timeout",
        failure: "error",
        error: `ECONNREFUSED (connect ECONNREFUSED 127.0.0.1:${port})`,
      }),
    ]);
  });

  it("logs a relayed answer at debug level with the model, endpoint and trigger", async () => {
    answer = { status: 200, body: '{"outputs":[]}' };
    const { fallback, logs } = setup(stub.url);
    await fallback.forward({ body }, "error", ownError());
    expect(logs).toEqual([
      expect.objectContaining({
        level: 20,
        msg: "served by fallback endpoint",
        model: "ranker",
        endpoint: stub.url,
        trigger: "error",
      }),
    ]);
  });
});

describe("RemoteFallbackMetrics", () => {
  it("registers its counter and gauge once per registry, where /metrics finds them", async () => {
    answer = { status: 200, body: '{"outputs":[]}' };
    const { fallback, registry } = setup(stub.url);
    expect(RemoteFallbackMetrics.of(registry)).toBe(RemoteFallbackMetrics.of(registry));
    await fallback.forward({ body }, "overload", ownError());
    const text = await registry.metrics();
    expect(text).toContain(
      'hybridai_fallback_endpoint_requests_total{model="ranker",trigger="overload",result="success"} 1',
    );
    expect(text).toContain('hybridai_fallback_endpoint_circuit_breaker_state{model="ranker"} 0');
  });
});
