import type { RunningServer } from "@hybridai/serving-runtime/src/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { batchedModel, repositoryWith } from "../helpers/models";
import { getJson, type Json, postJson, startTestServer } from "../helpers/server";

let server: RunningServer;

const infer = (model: string, value: number) =>
  postJson(`${server.url}/v2/models/${model}/infer`, {
    inputs: [{ name: "x", shape: [1, 2], datatype: "FP32", data: [value, value] }],
  });

const statsOf = async (model: string): Promise<Json> => {
  const body = await getJson(`${server.url}/v2/models/${model}/stats`);
  expect(body.model_stats).toHaveLength(1);
  return body.model_stats[0];
};

beforeAll(async () => {
  const root = await repositoryWith([
    batchedModel("plain", { max_batch_size: 8 }),
    // Three requests arriving together wait for each other and run as one batch of 3.
    batchedModel("trio", {
      max_batch_size: 8,
      dynamic_batching: { max_queue_delay_microseconds: 5_000_000, preferred_batch_size: [3] },
    }),
    batchedModel("cached", { max_batch_size: 8, response_cache: { enable: true } }),
  ]);
  server = await startTestServer(root);
});

afterAll(async () => {
  await server.shutdown(5000);
});

describe("GET /v2/models/{m}/stats (Triton's statistics extension)", () => {
  it("starts at zero in Triton's shape", async () => {
    expect(await statsOf("plain")).toEqual({
      name: "plain",
      version: "1",
      last_inference: 0,
      inference_count: 0,
      execution_count: 0,
      inference_stats: Object.fromEntries(
        [
          "success",
          "fail",
          "queue",
          "compute_input",
          "compute_infer",
          "compute_output",
          "cache_hit",
          "cache_miss",
        ].map((key) => [key, { count: 0, ns: 0 }]),
      ),
      batch_stats: [],
      memory_usage: [],
    });
  });

  it("counts requests, failures, queue and compute phases, and executions per batch size", async () => {
    const before = Date.now();
    for (let i = 0; i < 4; i++) expect((await infer("plain", i)).status).toBe(200);
    const bad = await postJson(`${server.url}/v2/models/plain/infer`, {
      inputs: [{ name: "x", shape: [1, 2], datatype: "INT32", data: [1, 2] }],
    });
    expect(bad.status).toBe(400);
    const stats = await statsOf("plain");
    expect(stats.inference_stats.success.count).toBe(4);
    expect(stats.inference_stats.success.ns).toBeGreaterThan(0);
    expect(stats.inference_stats.fail.count).toBe(1);
    expect(stats.inference_stats.queue.count).toBe(4);
    expect(stats.inference_stats.compute_infer.count).toBe(4);
    expect(stats.inference_stats.compute_infer.ns).toBeGreaterThan(0);
    expect(stats.inference_count).toBe(4);
    expect(stats.execution_count).toBe(4);
    expect(stats.batch_stats).toHaveLength(1);
    expect(stats.batch_stats[0].batch_size).toBe(1);
    expect(stats.batch_stats[0].compute_infer.count).toBe(4);
    expect(stats.last_inference).toBeGreaterThanOrEqual(before);
    expect(stats.last_inference).toBeLessThanOrEqual(Date.now());
  });

  it("charges a batch's compute time to each request in it, and counts the execution once", async () => {
    const answers = await Promise.all([infer("trio", 1), infer("trio", 2), infer("trio", 3)]);
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200]);
    const stats = await statsOf("trio");
    expect(stats.execution_count).toBe(1);
    expect(stats.inference_count).toBe(3);
    expect(stats.inference_stats.compute_infer.count).toBe(3);
    expect(stats.batch_stats).toHaveLength(1);
    const [batch] = stats.batch_stats;
    expect(batch.batch_size).toBe(3);
    expect(batch.compute_infer.count).toBe(1);
    expect(stats.inference_stats.compute_infer.ns).toBe(3 * batch.compute_infer.ns);
  });

  it("counts response cache hits and misses; a hit runs no execution", async () => {
    expect((await infer("cached", 7)).status).toBe(200);
    expect((await infer("cached", 7)).status).toBe(200);
    const stats = await statsOf("cached");
    expect(stats.inference_stats.cache_miss.count).toBe(1);
    expect(stats.inference_stats.cache_hit.count).toBe(1);
    expect(stats.inference_stats.success.count).toBe(2);
    expect(stats.execution_count).toBe(1);
  });

  it("answers for every model, for one version, and 404 for an unknown model or version", async () => {
    const all = await getJson(`${server.url}/v2/models/stats`);
    expect(all.model_stats.map((s: Json) => s.name)).toEqual(["cached", "plain", "trio"]);
    const version = await getJson(`${server.url}/v2/models/plain/versions/1/stats`);
    expect(version.model_stats.map((s: Json) => [s.name, s.version])).toEqual([["plain", "1"]]);
    const unknown = await fetch(`${server.url}/v2/models/nope/stats`);
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toEqual({ error: "unknown model 'nope'" });
    const missing = await fetch(`${server.url}/v2/models/plain/versions/9/stats`);
    expect(missing.status).toBe(404);
  });
});
