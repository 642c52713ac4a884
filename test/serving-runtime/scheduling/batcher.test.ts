import type { RunningServer } from "@hybridai/serving-runtime/src/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { batchedModel, identityModel, repositoryWith } from "../helpers/models";
import {
  explicitModelControl,
  getJson,
  type Json,
  type ModelControlAccess,
  metricValue,
  postJson,
  startTestServer,
  waitForValue,
} from "../helpers/server";

let server: RunningServer;
let control: ModelControlAccess;

const request = (
  model: string,
  rows: number[][],
  parameters?: Record<string, unknown>,
  signal?: AbortSignal,
) =>
  fetch(`${server.url}/v2/models/${model}/infer`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      parameters,
      inputs: [{ name: "x", shape: [rows.length, rows[0].length], datatype: "FP32", data: rows }],
    }),
    signal,
  }).then(async (response) => ({ status: response.status, body: (await response.json()) as Json }));

const counters = async (model: string) => {
  const labels = { model, version: "1" };
  return {
    exec: await metricValue(server.url, "nv_inference_exec_count", labels),
    count: await metricValue(server.url, "nv_inference_count", labels),
  };
};

beforeAll(async () => {
  const root = await repositoryWith([
    batchedModel("merge", {
      max_batch_size: 8,
      dynamic_batching: { max_queue_delay_microseconds: 5_000_000, preferred_batch_size: [5] },
    }),
    batchedModel("pairs", {
      max_batch_size: 8,
      dynamic_batching: { max_queue_delay_microseconds: 5_000_000, preferred_batch_size: [2] },
    }),
    batchedModel("small_queue", {
      max_batch_size: 8,
      dynamic_batching: {
        max_queue_delay_microseconds: 10_000_000,
        preferred_batch_size: [8],
        default_queue_policy: { max_queue_size: 2 },
      },
    }),
    batchedModel("timeouts", {
      max_batch_size: 8,
      dynamic_batching: {
        max_queue_delay_microseconds: 3_000_000,
        preferred_batch_size: [8],
        default_queue_policy: {
          default_timeout_microseconds: 300_000,
          allow_timeout_override: true,
        },
      },
    }),
    batchedModel("strict_timeout", {
      max_batch_size: 8,
      dynamic_batching: {
        max_queue_delay_microseconds: 1_000_000,
        preferred_batch_size: [8],
        default_queue_policy: { default_timeout_microseconds: 100_000 },
      },
    }),
    batchedModel("disconnect", {
      max_batch_size: 8,
      dynamic_batching: { max_queue_delay_microseconds: 10_000_000, preferred_batch_size: [8] },
    }),
    ...(["BYTES", "INT64"] as const).map((datatype) => ({
      ...identityModel(datatype),
      config: {
        max_batch_size: 4,
        dynamic_batching: { max_queue_delay_microseconds: 5_000_000, preferred_batch_size: [3] },
      },
    })),
    batchedModel("overload", {
      max_batch_size: 8,
      dynamic_batching: {
        max_queue_delay_microseconds: 200_000,
        default_queue_policy: { max_queue_size: 4 },
      },
    }),
    batchedModel("instances", {
      max_batch_size: 4,
      instance_group: [{ count: 2, kind: "KIND_CPU" }],
      parameters: { execution_placement: { string_value: "worker" } },
    }),
  ]);
  control = await explicitModelControl();
  server = await startTestServer(root, { ...control.options, intraOpThreads: undefined });
});

afterAll(async () => {
  await server.shutdown(5000);
});

describe("dynamic batcher", () => {
  it("merges concurrent requests into one execution and gives each request its own rows", async () => {
    const before = await counters("merge");
    const inputs = [
      [[1, 2]],
      [[3, 4]],
      [
        [5, 6],
        [7, 8],
      ],
      [[9, 10]],
    ];
    const results = await Promise.all(inputs.map((rows) => request("merge", rows)));
    expect(results.map((r) => r.status)).toEqual([200, 200, 200, 200]);
    results.forEach((result, i) => {
      expect(result.body.outputs[0].shape).toEqual([inputs[i].length, 2]);
      expect(result.body.outputs[0].data).toEqual(inputs[i].flat().map((v) => v * 2));
    });
    const after = await counters("merge");
    expect(after.exec - before.exec).toBe(1);
    expect(after.count - before.count).toBe(5);
  });

  it("never puts requests whose non-batch dimensions differ into one batch", async () => {
    const before = await counters("pairs");
    const inputs = [[[1, 2]], [[1, 2, 3]], [[4, 5]], [[4, 5, 6]]];
    const results = await Promise.all(inputs.map((rows) => request("pairs", rows)));
    results.forEach((result, i) => {
      expect(result.status).toBe(200);
      expect(result.body.outputs[0].shape).toEqual([1, inputs[i][0].length]);
      expect(result.body.outputs[0].data).toEqual(inputs[i][0].map((v) => v * 2));
    });
    const after = await counters("pairs");
    expect(after.exec - before.exec).toBe(2);
    expect(after.count - before.count).toBe(4);
  });

  it.each([
    [
      "BYTES",
      [
        ["a", "b", "c"],
        ["héllo", "", "x"],
        ["1", "2", "3"],
      ],
    ],
    [
      "INT64",
      [
        ["-9223372036854775808", 1, 2],
        [3, 4, 5],
        [6, 7, "9223372036854775807"],
      ],
    ],
  ])("batches %s tensors and splits them back per request", async (datatype, rows) => {
    const model = `identity_${datatype.toLowerCase()}`;
    const before = await counters(model);
    const responses = await Promise.all(
      rows.map((row) =>
        fetch(`${server.url}/v2/models/${model}/infer`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ inputs: [{ name: "x", shape: [1, 3], datatype, data: row }] }),
        }).then((response) => response.text()),
      ),
    );
    responses.forEach((text, i) => {
      const expected = JSON.stringify(rows[i]);
      const exact = datatype === "INT64" ? expected.replace(/"(-?\d+)"/g, "$1") : expected;
      expect(text).toContain(`"data":${exact}`);
    });
    const after = await counters(model);
    expect(after.exec - before.exec).toBe(1);
    expect(after.count - before.count).toBe(3);
  });
});

describe("queue policy", () => {
  it("answers 503 with an error body when the queue is full, and serves the queued requests", async () => {
    const queued = [request("small_queue", [[1, 1]]), request("small_queue", [[2, 2]])];
    const pending = () =>
      metricValue(server.url, "nv_inference_pending_request_count", {
        model: "small_queue",
        version: "1",
      });
    expect(await waitForValue(pending, 2)).toBe(2);
    const rejected = await request("small_queue", [[3, 3]]);
    expect(rejected.status).toBe(503);
    expect(rejected.body).toEqual({
      error: expect.stringMatching(/queue is full \(max_queue_size 2\)/),
    });
    // Unloading sends what is queued at once instead of waiting out the 10 s delay.
    const unloaded = postJson(
      `${server.url}/v2/repository/models/small_queue/unload`,
      {},
      control.headers,
    );
    expect((await Promise.all(queued)).map((r) => r.status)).toEqual([200, 200]);
    expect((await unloaded).status).toBe(200);
    expect(
      await metricValue(server.url, "nv_inference_request_failure", {
        model: "small_queue",
        version: "1",
        reason: "REJECTED",
      }),
    ).toBe(1);
  });

  it("applies parameters.timeout (µs) per request when the policy allows overrides", async () => {
    const timedOut = await request("timeouts", [[1, 1]], { timeout: 100_000 });
    expect(timedOut.status).toBe(503);
    expect(timedOut.body.error).toMatch(/timed out after 100000 µs in the queue/);
    const defaultTimeout = await request("timeouts", [[1, 1]]);
    expect(defaultTimeout.status).toBe(503);
    expect(defaultTimeout.body.error).toMatch(/timed out after 300000 µs/);
  });

  it("ignores parameters.timeout when the policy does not allow overrides", async () => {
    const result = await request("strict_timeout", [[1, 1]], { timeout: 10_000_000 });
    expect(result.status).toBe(503);
    expect(result.body.error).toMatch(/timed out after 100000 µs/);
    const invalid = await request("strict_timeout", [[1, 1]], { timeout: -5 });
    expect(invalid.status).toBe(400);
  });

  it("takes a request out of the queue when its client disconnects", async () => {
    const labels = { model: "disconnect", version: "1" };
    const before = await counters("disconnect");
    const controller = new AbortController();
    const abandoned = request("disconnect", [[1, 1]], undefined, controller.signal);
    const pending = () => metricValue(server.url, "nv_inference_pending_request_count", labels);
    expect(await waitForValue(pending, 1)).toBe(1);
    controller.abort();
    await expect(abandoned).rejects.toThrow();
    expect(await waitForValue(pending, 0)).toBe(0);
    expect(
      await metricValue(server.url, "nv_inference_request_failure", {
        ...labels,
        reason: "CANCELED",
      }),
    ).toBe(1);
    const filled = await Promise.all(
      Array.from({ length: 8 }, (_, i) => request("disconnect", [[i, i]])),
    );
    expect(filled.map((answer) => answer.status)).toEqual(Array(8).fill(200));
    const after = await counters("disconnect");
    expect(after.exec - before.exec).toBe(1);
    expect(after.count - before.count).toBe(8);
  });
});

describe("overload", () => {
  it("answers every request of a burst with a result or a 503 JSON error, and keeps serving", async () => {
    const burst = await Promise.all(
      Array.from({ length: 300 }, (_, i) => request("overload", [[i, 1]])),
    );
    const statuses = new Set(burst.map((r) => r.status));
    expect([...statuses].every((status) => status === 200 || status === 503)).toBe(true);
    expect(statuses.has(503)).toBe(true);
    for (const [i, result] of burst.entries()) {
      if (result.status === 200) expect(result.body.outputs[0].data).toEqual([2 * i, 2]);
      else expect(result.body.error).toMatch(/queue is full/);
    }
    expect((await request("overload", [[1, 1]])).status).toBe(200);
    expect(
      await metricValue(server.url, "nv_inference_pending_request_count", {
        model: "overload",
        version: "1",
      }),
    ).toBe(0);
  });
});

describe("instances", () => {
  it("creates instance_group.count sessions, one intra-op thread each by default", async () => {
    const metadata = await getJson(`${server.url}/v2/models/instances`);
    expect(metadata.parameters.instance_count).toBe(2);
    expect(metadata.parameters.intra_op_thread_count).toBe(1);
    const results = await Promise.all(
      Array.from({ length: 12 }, (_, i) => request("instances", [[i, i + 1]])),
    );
    results.forEach((result, i) => {
      expect(result.status).toBe(200);
      expect(result.body.outputs[0].data).toEqual([2 * i, 2 * (i + 1)]);
    });
    expect((await counters("instances")).count).toBe(12);
  });
});
