import type { LoadedVersion } from "@hybridai/serving-runtime/src/repository/loaded-version";
import { parseShadowConfig } from "@hybridai/serving-runtime/src/shadow/config";
import { ShadowMetrics } from "@hybridai/serving-runtime/src/shadow/shadow-metrics";
import { ShadowRunner } from "@hybridai/serving-runtime/src/shadow/shadow-runner";
import pino from "pino";
import { Registry } from "prom-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { waitForValue } from "../helpers/server";
import { type StubEndpoint, startStubEndpoint } from "../resilience/helpers/stub-endpoint";

// A url shadow answered by a plain HTTP endpoint, so the runner's sampling is seen from the
// requests that arrive there.
let endpoint: StubEndpoint;

beforeAll(async () => {
  endpoint = await startStubEndpoint(() => ({
    status: 200,
    body: JSON.stringify({ outputs: [{ name: "y", datatype: "FP32", shape: [1], data: [1] }] }),
  }));
});

afterAll(async () => {
  await endpoint.close();
});

function runner(sample: number, draws: number[], registry: Registry): ShadowRunner {
  let next = 0;
  return new ShadowRunner({
    model: "ranker",
    config: parseShadowConfig("ranker", { url: endpoint.url, sample, max_concurrency: 8 }),
    metrics: ShadowMetrics.of(registry),
    logger: pino({ level: "silent" }),
    resolve: (): LoadedVersion => {
      throw new Error("a url shadow resolves no model");
    },
    random: () => draws[next++ % draws.length],
  });
}

const result = new Map([
  ["y", { datatype: "FP32" as const, shape: [1], data: Float32Array.from([1]) }],
]);

async function requestsCounted(registry: Registry): Promise<number> {
  const metric = await registry.getSingleMetric("hybridai_shadow_requests_total")?.get();
  return metric?.values.reduce((sum, value) => sum + value.value, 0) ?? 0;
}

describe("shadow sampling", () => {
  it("copies exactly the requests whose draw falls below sample", async () => {
    const registry = new Registry();
    const shadow = runner(0.5, [0.1, 0.6, 0.49, 0.5, 0.99], registry);
    for (let i = 0; i < 5; i++) {
      shadow.offer(
        "1",
        { body: Buffer.from(`{"id":"${i}"}`), requestId: `r${i}` },
        [{ name: "y", binary: false }],
        result,
      );
    }
    expect(await waitForValue(() => requestsCounted(registry), 2)).toBe(2);
    expect(endpoint.received.map((request) => request.headers["x-request-id"])).toEqual([
      "r0",
      "r2",
    ]);
    expect(endpoint.received.map((request) => request.headers["hybridai-forwarded"])).toEqual([
      "shadow",
      "shadow",
    ]);
    await shadow.close();
  });

  it("copies nothing at sample 0 and everything at sample 1", async () => {
    const registry = new Registry();
    const before = endpoint.received.length;
    const off = runner(0, [0, 0.5], registry);
    const on = runner(1, [0.999999, 0], registry);
    for (let i = 0; i < 3; i++) {
      off.offer("1", { body: Buffer.from("{}") }, [{ name: "y", binary: false }], result);
      on.offer("1", { body: Buffer.from("{}") }, [{ name: "y", binary: false }], result);
    }
    expect(await waitForValue(() => requestsCounted(registry), 3)).toBe(3);
    expect(endpoint.received.length - before).toBe(3);
    await Promise.all([off.close(), on.close()]);
  });
});
