import type { DemoModel } from "@hybridai/serving-runtime/src/modelgen/demo-models";
import type { RunningServer } from "@hybridai/serving-runtime/src/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { batchedModel, repositoryWith } from "../helpers/models";
import { type Json, metricValue, startTestServer } from "../helpers/server";

// Every model here waits up to 10 s (the most a config may ask) for a fuller batch and times a
// request out of the queue after 9 s. A batch that leaves the queue at once can only have been
// sent by the rule under test (full at max_batch_size, or at a preferred size): without that rule
// the requests wait out their timeout and come back 503. No assertion depends on timing.
const WAIT_FOR_A_FULLER_BATCH = {
  max_queue_delay_microseconds: 10_000_000,
  default_queue_policy: { default_timeout_microseconds: 9_000_000 },
};

/** `sumdiff`: a, b FP32 [batch, 2] → sum = a + b, diff = a − b, batching per `config`. */
function sumDiffModel(config: Record<string, unknown>): DemoModel {
  const value = (name: string) => ({ name, datatype: "FP32" as const, shape: ["batch", 2] });
  return {
    name: "sumdiff",
    graph: {
      name: "sumdiff",
      inputs: [value("a"), value("b")],
      outputs: [value("sum"), value("diff")],
      nodes: [
        { op: "Add", inputs: ["a", "b"], outputs: ["sum"] },
        { op: "Sub", inputs: ["a", "b"], outputs: ["diff"] },
      ],
    },
    config,
  };
}

let server: RunningServer;

beforeAll(async () => {
  const root = await repositoryWith([
    batchedModel("limit_four", { max_batch_size: 4, dynamic_batching: WAIT_FOR_A_FULLER_BATCH }),
    batchedModel("prefer_three", {
      max_batch_size: 8,
      dynamic_batching: { ...WAIT_FOR_A_FULLER_BATCH, preferred_batch_size: [3] },
    }),
    sumDiffModel({
      max_batch_size: 8,
      dynamic_batching: { ...WAIT_FOR_A_FULLER_BATCH, preferred_batch_size: [5] },
    }),
  ]);
  server = await startTestServer(root);
});

afterAll(async () => {
  await server.shutdown(5000);
});

const infer = (model: string, inputs: unknown[]) =>
  fetch(`${server.url}/v2/models/${model}/infer`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ inputs }),
  }).then(async (response) => ({ status: response.status, body: (await response.json()) as Json }));

const x = (rows: number[][]) => ({
  name: "x",
  shape: [rows.length, rows[0].length],
  datatype: "FP32",
  data: rows,
});

const counters = async (model: string) => {
  const labels = { model, version: "1" };
  return {
    executions: await metricValue(server.url, "nv_inference_exec_count", labels),
    rows: await metricValue(server.url, "nv_inference_count", labels),
  };
};

describe("max_batch_size from the model config", () => {
  it("sends a batch the moment it holds max_batch_size rows, and never more", async () => {
    const answers = await Promise.all(
      [1, 2, 3, 4, 5, 6, 7, 8].map((i) => infer("limit_four", [x([[i, -i]])])),
    );
    expect(answers.map((answer) => answer.status)).toEqual(Array(8).fill(200));
    expect(answers.map((answer) => answer.body.outputs[0].data)).toEqual([
      [2, -2],
      [4, -4],
      [6, -6],
      [8, -8],
      [10, -10],
      [12, -12],
      [14, -14],
      [16, -16],
    ]);
    expect(await counters("limit_four")).toEqual({ executions: 2, rows: 8 });
  }, 20_000);
});

describe("preferred_batch_size from the model config", () => {
  it("sends a batch the moment it reaches a preferred size, without waiting out the delay", async () => {
    const answers = await Promise.all([1, 2, 3].map((i) => infer("prefer_three", [x([[i, i]])])));
    expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200]);
    expect(answers.map((answer) => answer.body.outputs[0].data)).toEqual([
      [2, 2],
      [4, 4],
      [6, 6],
    ]);
    expect(await counters("prefer_three")).toEqual({ executions: 1, rows: 3 });
  }, 20_000);
});

describe("batching a model with two inputs and two outputs", () => {
  it("gives each input its own rows in the batch and each request its own rows of every output", async () => {
    // 2 + 1 + 2 rows: only all three requests together reach the preferred size of 5.
    const requests = [
      {
        a: [
          [1, 2],
          [3, 4],
        ],
        b: [
          [10, 20],
          [30, 40],
        ],
      },
      { a: [[5, 6]], b: [[-50, 60]] },
      {
        a: [
          [7, 8],
          [9, 0],
        ],
        b: [
          [0.5, 0.25],
          [-1, -2],
        ],
      },
    ];
    const answers = await Promise.all(
      requests.map(({ a, b }) =>
        infer("sumdiff", [
          { name: "a", shape: [a.length, 2], datatype: "FP32", data: a },
          { name: "b", shape: [b.length, 2], datatype: "FP32", data: b },
        ]),
      ),
    );
    expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200]);
    const outputs = answers.map((answer) =>
      Object.fromEntries(
        (answer.body.outputs as Json[]).map((output) => [
          output.name,
          { shape: output.shape, data: output.data },
        ]),
      ),
    );
    expect(outputs).toEqual([
      {
        sum: { shape: [2, 2], data: [11, 22, 33, 44] },
        diff: { shape: [2, 2], data: [-9, -18, -27, -36] },
      },
      {
        sum: { shape: [1, 2], data: [-45, 66] },
        diff: { shape: [1, 2], data: [55, -54] },
      },
      {
        sum: { shape: [2, 2], data: [7.5, 8.25, 8, -2] },
        diff: { shape: [2, 2], data: [6.5, 7.75, 10, 2] },
      },
    ]);
    expect(await counters("sumdiff")).toEqual({ executions: 1, rows: 5 });
  }, 20_000);
});
