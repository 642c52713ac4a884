import type { RunningServer } from "@hybridai/serving-runtime/src/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { postBinary } from "../helpers/binary";
import { batchedModel, repositoryWith } from "../helpers/models";
import {
  explicitModelControl,
  type ModelControlAccess,
  metricValue,
  postJson,
  startTestServer,
  waitForValue,
} from "../helpers/server";
import { closedPort } from "../resilience/helpers/stub-endpoint";
import {
  classifier,
  type LogLine,
  shadowMetricLines,
  shiftedClassifier,
  startLoggedServer,
  threeOutputs,
} from "./helpers/shadow-models";

let server: RunningServer;
let logs: LogLine[];
let stable: RunningServer;
let control: ModelControlAccess;

/** Feature rows spread over [-1, 1], different for each index. */
function features(index: number): number[] {
  return [0, 1, 2, 3].map((j) => Math.round(Math.sin(index * 7.3 + j * 1.9) * 1000) / 1000);
}

const classify = (model: string, index: number, headers: Record<string, string> = {}) =>
  postJson(
    `${server.url}/v2/models/${model}/infer`,
    { inputs: [{ name: "features", shape: [1, 4], datatype: "FP32", data: features(index) }] },
    headers,
  );

const shadowMetric = (name: string, labels: Record<string, string>) =>
  metricValue(server.url, `hybridai_shadow_${name}`, labels);

beforeAll(async () => {
  const stableRoot = await repositoryWith([classifier("canary", {})]);
  stable = await startTestServer(stableRoot, { defaultMaxBatchSize: 4 });
  const dead = `http://127.0.0.1:${await closedPort()}`;
  const root = await repositoryWith([
    classifier("ranker", { shadow: { model: "ranker_twin", sample: 1 } }),
    classifier("ranker_twin", {}),
    classifier("drifting", {
      shadow: { model: "drifted", sample: 1, log_interval_ms: 0, max_concurrency: 1 },
    }),
    shiftedClassifier("drifted", 3),
    threeOutputs("triple", false, { shadow: { model: "triple_drifted", sample: 1 } }),
    threeOutputs("triple_drifted", true, {}),
    classifier("orphan", { shadow: { url: dead, sample: 1, timeout_ms: 2000 } }),
    classifier("canary", { shadow: { url: stable.url, sample: 1 } }),
    batchedModel("crowded", {
      max_batch_size: 8,
      dynamic_batching: { max_queue_delay_microseconds: 2_000_000, preferred_batch_size: [8] },
      shadow: { model: "crowded_twin", sample: 1, max_queue_size: 1, max_concurrency: 1 },
    }),
    batchedModel("crowded_twin", { max_batch_size: 8 }),
  ]);
  control = await explicitModelControl();
  ({ server, logs } = await startLoggedServer(root, control.options));
});

afterAll(async () => {
  await server?.shutdown(5000);
  await stable?.shutdown(5000);
});

describe("shadow traffic", () => {
  it("an identical twin never disagrees, and every difference lands in the 0 bucket", async () => {
    const labels = { model: "ranker", version: "1" };
    for (let i = 0; i < 20; i++) {
      const response = await classify("ranker", i);
      expect(response.status).toBe(200);
      expect(response.body.parameters).toBeUndefined();
    }
    expect(await waitForValue(() => shadowMetric("requests_total", labels), 20)).toBe(20);
    expect(await shadowMetric("disagreement_total", labels)).toBe(0);
    const difference = { ...labels, output: "probabilities" };
    expect(await shadowMetric("max_abs_difference_bucket", { ...difference, le: "0" })).toBe(20);
    expect(await shadowMetric("max_abs_difference_count", difference)).toBe(20);
    expect(await shadowMetric("duration_seconds_count", labels)).toBe(20);
    // The twin served the copies as ordinary requests of its own.
    expect(
      await metricValue(server.url, "nv_inference_request_success", {
        model: "ranker_twin",
        version: "1",
      }),
    ).toBe(20);
  });

  it("a perturbed twin is counted and logged with both outputs' summaries", async () => {
    const labels = { model: "drifting", version: "1" };
    const answers: number[][] = [];
    for (let i = 0; i < 10; i++) {
      const response = await classify("drifting", i, { "x-request-id": `drift-${i}` });
      expect(response.status).toBe(200);
      answers.push(response.body.outputs[0].data);
    }
    expect(await waitForValue(() => shadowMetric("requests_total", labels), 10)).toBe(10);
    expect(await shadowMetric("disagreement_total", labels)).toBe(10);
    expect(
      await shadowMetric("max_abs_difference_bucket", {
        ...labels,
        output: "probabilities",
        le: "0.001",
      }),
    ).toBe(0);

    const lines = logs.filter((line) => line.msg === "shadow disagreement");
    expect(lines.length).toBe(10);
    const first = lines.find((line) => line.request_id === "drift-0");
    expect(first).toBeDefined();
    expect(first?.model).toBe("drifting");
    expect(first?.shadow).toBe("model drifted");
    expect(first?.outputs.length).toBe(1);
    const [output] = first?.outputs ?? [];
    expect(output.name).toBe("probabilities");
    expect(output.disagrees).toBe(true);
    expect(output.maxAbsDifference).toBeGreaterThan(0.001);
    expect(output.primary.shape).toEqual([1, 3]);
    expect(output.primary.head.length).toBe(3);
    output.primary.head.forEach((value: number, i: number) => {
      expect(value).toBeCloseTo(answers[0][i], 6);
    });
    expect(output.shadow.head.length).toBe(3);
    expect(output.shadow.head).not.toEqual(output.primary.head);
    expect(output.primary.top1.length).toBe(1);
  });

  it("never shadows a request another runtime forwarded", async () => {
    const forwarded = await classify("drifting", 1, {
      "x-request-id": "forwarded-1",
      "hybridai-forwarded": "shadow",
    });
    expect(forwarded.status).toBe(200);
    // Copies run one at a time in arrival order here: once the next request's copy is logged,
    // a copy of the forwarded one would have been logged before it.
    expect((await classify("drifting", 2, { "x-request-id": "after-1" })).status).toBe(200);
    const logged = () => Promise.resolve(logs.some((line) => line.request_id === "after-1"));
    expect(await waitForValue(logged, true)).toBe(true);
    expect(logs.filter((line) => line.request_id === "forwarded-1").length).toBe(0);
  });

  it("counts a request once however many of its outputs disagree", async () => {
    const labels = { model: "triple", version: "1" };
    for (let i = 1; i <= 5; i++) {
      const response = await postJson(`${server.url}/v2/models/triple/infer`, {
        inputs: [
          { name: "a", shape: [1, 2], datatype: "FP32", data: [i, 2] },
          { name: "b", shape: [1, 2], datatype: "FP32", data: [3, i + 1] },
        ],
      });
      expect(response.status).toBe(200);
      expect(response.body.outputs.length).toBe(3);
    }
    expect(await waitForValue(() => shadowMetric("requests_total", labels), 5)).toBe(5);
    expect(await shadowMetric("disagreement_total", labels)).toBe(5);
    for (const output of ["sum", "product", "a_negated"]) {
      expect(await shadowMetric("max_abs_difference_count", { ...labels, output })).toBe(5);
    }
  });

  it("compares with a remote shadow (another runtime over HTTP), binary answers included", async () => {
    const labels = { model: "canary", version: "1" };
    for (let i = 0; i < 4; i++) expect((await classify("canary", i)).status).toBe(200);
    const binary = await postBinary(
      `${server.url}/v2/models/canary/infer`,
      {
        inputs: [
          {
            name: "features",
            shape: [1, 4],
            datatype: "FP32",
            parameters: { binary_data_size: 16 },
          },
        ],
        parameters: { binary_data_output: true },
      },
      [Buffer.from(new Float32Array(features(9)).buffer)],
    );
    expect(binary.status).toBe(200);
    expect(await waitForValue(() => shadowMetric("requests_total", labels), 5)).toBe(5);
    expect(await shadowMetric("disagreement_total", labels)).toBe(0);
    // The stable runtime answered the copies; it does not shadow them again.
    expect(await metricValue(stable.url, "nv_inference_request_success", { model: "canary" })).toBe(
      5,
    );
  });

  it("a dead shadow leaves the primary untouched: copies are dropped and counted", async () => {
    const labels = { model: "orphan", version: "1" };
    const reference = await classify("ranker_twin", 3);
    for (let i = 0; i < 3; i++) {
      const response = await classify("orphan", 3);
      expect(response.status).toBe(200);
      expect(response.body.outputs[0].data).toEqual(reference.body.outputs[0].data);
    }
    const dropped = () => shadowMetric("dropped_total", { ...labels, reason: "error" });
    expect(await waitForValue(dropped, 3)).toBe(3);
    expect(await shadowMetric("requests_total", labels)).toBe(0);
    const failure = logs.find(
      (line) => line.msg === "shadow failed; the copy is dropped" && line.model === "orphan",
    );
    expect(failure?.error).toMatch(/ECONNREFUSED/);
  });

  it("drops copies beyond the bounded queue and counts them", async () => {
    const labels = { model: "crowded", version: "1" };
    const rows = Array.from({ length: 8 }, (_, i) =>
      postJson(`${server.url}/v2/models/crowded/infer`, {
        inputs: [{ name: "x", shape: [1, 2], datatype: "FP32", data: [i, 1] }],
      }),
    );
    const responses = await Promise.all(rows);
    expect(responses.map((response) => response.status)).toEqual(Array(8).fill(200));
    expect(responses.map((response) => response.body.outputs[0].data[0])).toEqual([
      0, 2, 4, 6, 8, 10, 12, 14,
    ]);
    const settled = async () =>
      (await shadowMetric("requests_total", labels)) +
      (await shadowMetric("dropped_total", { ...labels, reason: "queue_full" }));
    expect(await waitForValue(settled, 8)).toBe(8);
    expect(
      await shadowMetric("dropped_total", { ...labels, reason: "queue_full" }),
    ).toBeGreaterThan(0);
    expect(await shadowMetric("disagreement_total", labels)).toBe(0);
  });

  it("refuses a shadow block that does not fit the model, keeping the version that serves", async () => {
    const load = (shadow: unknown) =>
      postJson(
        `${server.url}/v2/repository/models/orphan/load`,
        { parameters: { config: JSON.stringify({ ...classifier("orphan", {}).config, shadow }) } },
        control.headers,
      );
    const unknownOutput = await load({
      model: "ranker_twin",
      sample: 1,
      class_outputs: ["scores"],
    });
    expect(unknownOutput.status).toBe(400);
    expect(unknownOutput.body.error).toMatch(
      /shadow\.class_outputs = an array of 1 is invalid: 'scores' is not an output of the model; its outputs are probabilities/,
    );
    const noSample = await load({ model: "ranker_twin" });
    expect(noSample.status).toBe(400);
    expect(noSample.body.error).toMatch(/shadow\.sample = undefined is invalid/);
    expect((await classify("orphan", 1)).status).toBe(200);
  });

  it("exports the shadow metrics under the names the rollout analysis queries", async () => {
    const lines = await shadowMetricLines(server.url);
    expect(lines).toContain('hybridai_shadow_requests_total{model="ranker",version="1"} 20');
    expect(lines).toContain('hybridai_shadow_disagreement_total{model="ranker",version="1"} 0');
    expect(lines).toContain('hybridai_shadow_disagreement_total{model="drifting",version="1"} 11');
  });
});
