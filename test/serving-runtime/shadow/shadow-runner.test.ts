import type { RunningServer } from "@hybridai/serving-runtime/src/server";
import { parseShadowConfig } from "@hybridai/serving-runtime/src/shadow/config";
import { ShadowMetrics } from "@hybridai/serving-runtime/src/shadow/shadow-metrics";
import { ShadowRunner } from "@hybridai/serving-runtime/src/shadow/shadow-runner";
import pino from "pino";
import { Registry } from "prom-client";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { repositoryWith } from "../helpers/models";
import { explicitModelControl, metricValue, postJson, waitForValue } from "../helpers/server";
import { classifier, type LogLine, startLoggedServer } from "./helpers/shadow-models";

// A `model:` shadow runs off the request path: the model is looked up when a copy runs, never
// when it is offered, and a copy that fails is dropped and counted — its error must not reach
// the primary's answer nor escape as an unhandled rejection. The rejections are collected here
// and asserted on, rather than left to the test runner's own unhandled-rejection check.

const leaked: unknown[] = [];
const recordLeak = (reason: unknown) => leaked.push(reason);

beforeAll(() => {
  process.on("unhandledRejection", recordLeak);
});

afterAll(() => {
  process.off("unhandledRejection", recordLeak);
});

beforeEach(() => {
  leaked.length = 0;
});

/** Two macrotask boundaries: a rejection left unhandled by then has been reported. */
async function turns(): Promise<void> {
  for (let i = 0; i < 2; i++) await new Promise((resolve) => setImmediate(resolve));
}

const features = [0.25, -0.5, 0.75, 1];
const infer = (url: string, model: string) =>
  postJson(`${url}/v2/models/${model}/infer`, {
    inputs: [{ name: "features", shape: [1, 4], datatype: "FP32", data: features }],
  });

describe("ShadowRunner.offer with a model shadow", () => {
  const result = new Map([
    ["probabilities", { datatype: "FP32" as const, shape: [1, 3], data: Float32Array.of(1, 0, 0) }],
  ]);
  let registry: Registry;
  let runner: ShadowRunner;
  let lookups: string[];

  beforeEach(() => {
    registry = new Registry();
    lookups = [];
    runner = new ShadowRunner({
      model: "ranker",
      config: parseShadowConfig("ranker", { model: "ranker_twin", sample: 1 }, ["ranker_twin"]),
      metrics: ShadowMetrics.of(registry),
      logger: pino({ level: "silent" }),
      resolve: (name) => {
        lookups.push(name);
        throw new Error(`model '${name}' is not ready (unloaded)`);
      },
      random: () => 0,
    });
  });

  afterEach(() => runner.close());

  const dropped = async (reason: string) => {
    const metric = await registry.getSingleMetric("hybridai_shadow_dropped_total")?.get();
    return metric?.values.find((value) => value.labels.reason === reason)?.value ?? 0;
  };

  it("neither looks the shadow up nor throws when offered; the copy is dropped later as an error", async () => {
    const copy = { body: Buffer.from(JSON.stringify({ inputs: [] })), requestId: "r1" };
    expect(() =>
      runner.offer("1", copy, [{ name: "probabilities", binary: false }], result),
    ).not.toThrow();
    expect(lookups).toEqual([]);
    expect(await waitForValue(() => dropped("error"), 1)).toBe(1);
    expect(lookups).toEqual(["ranker_twin"]);
    await turns();
    expect(leaked).toEqual([]);
  });
});

describe("a primary whose model shadow is not loaded", () => {
  let server: RunningServer;
  let logs: LogLine[];
  let reference: number[];

  beforeAll(async () => {
    const root = await repositoryWith([
      classifier("lonely", { shadow: { model: "lonely_twin", sample: 1, log_interval_ms: 0 } }),
      classifier("lonely_twin", {}),
    ]);
    const control = await explicitModelControl();
    ({ server, logs } = await startLoggedServer(root, control.options));
    // The twin computes what the primary does; its answer is the one the primary must give.
    const twin = await infer(server.url, "lonely_twin");
    expect(twin.status).toBe(200);
    reference = twin.body.outputs[0].data;
    const unload = await postJson(
      `${server.url}/v2/repository/models/lonely_twin/unload`,
      {},
      control.headers,
    );
    expect(unload.status).toBe(200);
  });

  afterAll(async () => {
    await server?.shutdown(5000);
  });

  it("answers every request itself, drops and counts each copy, and leaks no rejection", async () => {
    for (let i = 0; i < 3; i++) {
      const response = await infer(server.url, "lonely");
      expect(response.status).toBe(200);
      expect(response.body.model_name).toBe("lonely");
      expect(response.body.outputs[0].name).toBe("probabilities");
      expect(response.body.outputs[0].data).toEqual(reference);
    }
    const labels = { model: "lonely", version: "1" };
    const dropped = () =>
      metricValue(server.url, "hybridai_shadow_dropped_total", { ...labels, reason: "error" });
    expect(await waitForValue(dropped, 3)).toBe(3);
    expect(await metricValue(server.url, "hybridai_shadow_requests_total", labels)).toBe(0);
    const failures = logs.filter(
      (line) => line.msg === "shadow failed; the copy is dropped" && line.model === "lonely",
    );
    expect(failures.length).toBe(3);
    expect(failures[0].shadow).toBe("model lonely_twin");
    expect(failures[0].error).toBe("model 'lonely_twin' is not ready (UNAVAILABLE: unloaded)");
    await turns();
    expect(leaked).toEqual([]);
  });
});
