import type { RunningServer } from "@hybridai/serving-runtime/src/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { batchedModel, negateModel, repositoryWith } from "./helpers/models";
import {
  explicitModelControl,
  type ModelControlAccess,
  metricValue,
  postJson,
  startTestServer,
  waitForValue,
} from "./helpers/server";

let server: RunningServer;
let control: ModelControlAccess;

const infer = (model: string, rows: number[][], parameters?: Record<string, unknown>) =>
  postJson(`${server.url}/v2/models/${model}/infer`, {
    parameters,
    inputs: [{ name: "x", shape: [rows.length, rows[0].length], datatype: "FP32", data: rows }],
  });

const metric = (name: string, labels: Record<string, string>) =>
  metricValue(server.url, name, labels);

beforeAll(async () => {
  const root = await repositoryWith([
    batchedModel("cached", { max_batch_size: 4, response_cache: { enable: true } }),
    batchedModel("uncached", { max_batch_size: 4 }),
    negateModel("backup"),
    batchedModel("busy", {
      max_batch_size: 4,
      dynamic_batching: {
        max_queue_delay_microseconds: 3_000_000,
        preferred_batch_size: [4],
        default_queue_policy: { max_queue_size: 1 },
      },
      fallback: { model: "backup", on: ["overload"] },
    }),
    batchedModel("slowpoke", {
      max_batch_size: 4,
      dynamic_batching: {
        max_queue_delay_microseconds: 2_000_000,
        preferred_batch_size: [4],
        default_queue_policy: { default_timeout_microseconds: 100_000 },
      },
      fallback: { model: "backup", on: ["timeout"] },
    }),
  ]);
  control = await explicitModelControl();
  server = await startTestServer(root, { ...control.options, strictReadiness: false });
});

afterAll(async () => {
  await server.shutdown(5000);
});

describe("response cache", () => {
  it("answers a repeated request from the cache, counting Triton's hit and miss metrics", async () => {
    const labels = { model: "cached", version: "1" };
    const first = await infer("cached", [[1, 2, 3]]);
    const second = await infer("cached", [[1, 2, 3]]);
    expect(second.body).toEqual(first.body);
    expect(second.body.outputs[0].data).toEqual([2, 4, 6]);
    expect(await metric("nv_cache_num_misses_per_model", labels)).toBe(1);
    expect(await metric("nv_cache_num_hits_per_model", labels)).toBe(1);
    expect(await metric("nv_inference_exec_count", labels)).toBe(1);
    expect(await metric("nv_inference_request_success", labels)).toBe(2);
    const other = await infer("cached", [[1, 2, 4]]);
    expect(other.body.outputs[0].data).toEqual([2, 4, 8]);
    expect(await metric("nv_cache_num_misses_per_model", labels)).toBe(2);
  });

  it("hits for the same inputs and outputs named explicitly, and forgets a model's entries when it is reloaded", async () => {
    const labels = { model: "cached", version: "1" };
    const hits = await metric("nv_cache_num_hits_per_model", labels);
    await postJson(`${server.url}/v2/models/cached/infer`, {
      inputs: [{ name: "x", shape: [1, 3], datatype: "FP32", data: [1, 2, 3] }],
      outputs: [{ name: "y" }],
    });
    expect(await metric("nv_cache_num_hits_per_model", labels)).toBe(hits + 1);
    const reload = await fetch(`${server.url}/v2/repository/models/cached/load`, {
      method: "POST",
      headers: control.headers,
    });
    expect(reload.status).toBe(200);
    await infer("cached", [[1, 2, 3]]);
    expect(await metric("nv_cache_num_hits_per_model", labels)).toBe(hits + 1);
  });

  it("leaves models without response_cache alone", async () => {
    await infer("uncached", [[1, 1]]);
    await infer("uncached", [[1, 1]]);
    expect(await metric("nv_inference_exec_count", { model: "uncached", version: "1" })).toBe(2);
    expect(await metric("nv_cache_num_misses_per_model", { model: "uncached", version: "1" })).toBe(
      0,
    );
  });
});

describe("fallback", () => {
  it("answers from the fallback model when the queue is full, and says so", async () => {
    const queued = infer("busy", [[1, 2, 3, 4]]);
    const pending = () =>
      metric("nv_inference_pending_request_count", { model: "busy", version: "1" });
    expect(await waitForValue(pending, 1)).toBe(1);
    const overflow = await infer("busy", [[5, 6, 7, 8]]);
    expect(overflow.status).toBe(200);
    expect(overflow.body.model_name).toBe("busy");
    expect(overflow.body.parameters).toEqual({
      fallback_model: "backup",
      fallback_model_version: "1",
      fallback_trigger: "overload",
    });
    expect(overflow.body.outputs[0].data).toEqual([-5, -6, -7, -8]);
    const primary = await queued;
    expect(primary.body.parameters).toBeUndefined();
    expect(primary.body.outputs[0].data).toEqual([2, 4, 6, 8]);
    expect(
      await metric("hybridai_fallback_requests_total", {
        model: "busy",
        fallback_model: "backup",
        trigger: "overload",
      }),
    ).toBe(1);
  });

  it("answers from the fallback model when the request times out in the queue", async () => {
    const response = await infer("slowpoke", [[1, 2, 3, 1]]);
    expect(response.status).toBe(200);
    expect(response.body.parameters.fallback_trigger).toBe("timeout");
    expect(response.body.outputs[0].data).toEqual([-1, -2, -3, -1]);
  });
});

describe("fallback configuration", () => {
  it("refuses a fallback that names an unknown model, naming the key and value", async () => {
    const response = await postJson(
      `${server.url}/v2/repository/models/uncached/load`,
      {
        parameters: {
          config: JSON.stringify({ max_batch_size: 4, fallback: { model: "ghost" } }),
        },
      },
      control.headers,
    );
    expect(response.status).toBe(400);
    expect(response.body.error).toMatch(/fallback.model = "ghost" is invalid: no such model/);
  });
});
