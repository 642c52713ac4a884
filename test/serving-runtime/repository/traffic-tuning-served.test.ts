import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import type { TrafficTuningLimits } from "@hybridai/serving-runtime/src/repository/traffic-tuning";
import type { RunningServer } from "@hybridai/serving-runtime/src/server";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "../helpers/free-port";
import { TestGrpcClient } from "../helpers/grpc-client";
import { identityModel, repositoryWith, tempRepository, wideModel } from "../helpers/models";
import { paddleDirectionClassifier } from "../helpers/paddle-ocr";
import { getJson, type Json, metricValue, postJson, startTestServer } from "../helpers/server";

// Issue 27, deliverable 3: a config-less model with dynamic dimensions beyond the batch starts
// with a provisional decision, decides its max_batch_size and placement on the item shape its
// traffic carries, re-decides when that shape changes, and says which shape it used in
// GET /v2/models/{m}/config (and gRPC ModelConfig); real server, real HTTP, real ONNX models.
// Thresholds are small (a window of 8 requests) so that the tests are fast; every wait polls the
// served config until it shows the decision, and no assertion depends on how long anything took.

const LIMITS: TrafficTuningLimits = {
  windowRequests: 8,
  dominantShare: 0.6,
  changeWindows: 2,
  maxDecisions: 10,
  intervalMs: 3_600_000,
};

/** The served config's `origin.*` and other parameters as plain strings. */
function parametersOf(config: Json): Record<string, string> {
  return Object.fromEntries(
    Object.entries(config.parameters as Record<string, { string_value: string }>).map(
      ([key, value]) => [key, value.string_value],
    ),
  );
}

/** Polls a model's served config until `done` holds for it (at most `limit` reads). */
async function configWhen(
  url: string,
  model: string,
  done: (parameters: Record<string, string>) => boolean,
  limit = 1500,
): Promise<Json> {
  for (let i = 0; i < limit; i++) {
    const config = await getJson(`${url}/v2/models/${model}/config`);
    if (done(parametersOf(config))) return config;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`${model}: the served config never showed the decision awaited`);
}

/** Whether the parameters say the decision was taken on `shape`. */
const observed = (shape: string) => (parameters: Record<string, string>) =>
  parameters["origin.tuning_shapes"]?.startsWith(`observed: ${shape} `);

describe("a config-less model with a dynamic dimension beyond the batch, over HTTP", () => {
  let server: RunningServer;
  const logs: Json[] = [];

  beforeAll(async () => {
    const repository = await repositoryWith([
      wideModel("wide"),
      wideModel("wide_dims", { input: [{ name: "x", data_type: "TYPE_FP32", dims: [300] }] }),
      wideModel("wide_batch", { max_batch_size: 8 }),
      identityModel("FP32"),
    ]);
    const logger = pino(
      { level: "info" },
      { write: (line: string) => logs.push(JSON.parse(line)) },
    );
    server = await startTestServer(
      repository,
      { trafficTuning: LIMITS, grpcPort: await freePort() },
      logger,
    );
  });

  afterAll(async () => {
    await server.shutdown(5000);
  });

  /** Sends one request of `batch` items `width` wide to `model`; checks y = x + 0.5 when 200. */
  async function infer(model: string, width: number, batch = 1, seed = 1): Promise<number> {
    const data = Array.from({ length: batch * width }, (_, i) => ((i * 7 + seed) % 13) / 4);
    const reply = await postJson(`${server.url}/v2/models/${model}/infer`, {
      inputs: [{ name: "x", datatype: "FP32", shape: [batch, width], data }],
    });
    if (reply.status !== 200) return reply.status;
    const [y] = reply.body.outputs;
    expect(y.shape).toEqual([batch, 300]);
    for (let row = 0; row < batch; row++) {
      for (let column = 0; column < 300; column++) {
        const x = data[row * width + (width === 1 ? 0 : column)];
        expect(y.data[row * 300 + column]).toBe(x + 0.5);
      }
    }
    return 200;
  }

  it("starts serving at once with a provisional decision, and says so", async () => {
    const config = await getJson(`${server.url}/v2/models/wide/config`);
    const parameters = parametersOf(config);
    expect(config.max_batch_size).toBe(4);
    expect(config.dynamic_batching).toEqual({
      max_queue_delay_microseconds: 0,
      preferred_batch_size: [],
    });
    expect(parameters["origin.tuning_shapes"]).toBe(
      "provisional: waiting for traffic (dynamic item dimensions: x [-1]); decided on the item " +
        "shape that carries 60 % of a window of 8 requests",
    );
    expect(parameters["origin.max_batch_size"]).toMatch(
      /^provisional: Triton's default 4 until traffic shows the item shapes .*requests of up to 64 items are accepted/,
    );
    expect(parameters.execution_placement).toBe("worker");
    expect(parameters["origin.execution_placement"]).toMatch(/^provisional: worker threads/);
    const metadata = await getJson(`${server.url}/v2/models/wide`);
    expect(metadata.parameters.max_batch_size).toBe(4);
    expect(
      await metricValue(server.url, "hybridai_max_batch_size", { model: "wide", version: "1" }),
    ).toBe(4);
  });

  it("decides on the shape its requests carry, never on one the model cannot take", async () => {
    for (let i = 0; i < 3; i++) expect(await infer("wide", 7)).not.toBe(200);
    expect(await infer("wide", 300, 8)).toBe(200);
    for (let i = 0; i < 7; i++) expect(await infer("wide", 300, 1, i)).toBe(200);
    const config = await configWhen(server.url, "wide", observed("x=300"));
    const parameters = parametersOf(config);
    expect(parameters["origin.tuning_shapes"]).toBe("observed: x=300 (after 8 requests)");
    expect(parameters["origin.max_batch_size"]).toMatch(
      /^measured on observed shapes x=300: knee of items\/s by batch size \(1: \d+, 2: \d+/,
    );
    const placement = /batch-1 execution \d+ µs (≤|>) --inline-threshold-microseconds 100$/.exec(
      parameters["origin.execution_placement"],
    );
    expect(parameters["origin.execution_placement"]).toMatch(/^measured on observed shapes x=300:/);
    expect(parameters.execution_placement).toBe(placement?.[1] === "≤" ? "inline" : "worker");
    const decided = config.max_batch_size;
    expect(decided).toBeGreaterThanOrEqual(1);
    expect(decided).toBeLessThanOrEqual(64);
    expect((await getJson(`${server.url}/v2/models/wide`)).parameters.max_batch_size).toBe(decided);
    expect(
      await metricValue(server.url, "hybridai_max_batch_size", { model: "wide", version: "1" }),
    ).toBe(decided);
    const grpc = new TestGrpcClient(server.grpc?.address ?? "");
    const viaGrpc = await grpc.ok("ModelConfig", { name: "wide" });
    grpc.close();
    expect(viaGrpc.config.parameters["origin.tuning_shapes"]).toEqual({
      string_value: "observed: x=300 (after 8 requests)",
    });
    expect(Number(viaGrpc.config.max_batch_size)).toBe(decided);
    expect(logs).toContainEqual(
      expect.objectContaining({
        level: 30,
        msg: "batch size decided on the item shapes clients send",
        model: "model 'wide' version 1",
        shape: "x=300",
        requests: 8,
        max_batch_size: decided,
      }),
    );
    expect(JSON.stringify(logs)).not.toContain("x=7");
  });

  it("re-decides once another shape dominates, answering every request while it switches", async () => {
    let stop = false;
    const statuses: number[] = [];
    const client = async (id: number) => {
      for (let i = 0; !stop; i++) {
        // One request in five keeps the former shape: both are answered throughout.
        const width = i % 5 === 4 ? 300 : 1;
        statuses.push(await infer("wide", width, 1 + (i % 3), id * 100 + i));
      }
    };
    const clients = [1, 2, 3, 4].map(client);
    const config = await configWhen(server.url, "wide", observed("x=1")).finally(() => {
      stop = true;
    });
    await Promise.all(clients);
    expect(statuses.length).toBeGreaterThanOrEqual(2 * LIMITS.windowRequests);
    expect(statuses.filter((status) => status !== 200)).toEqual([]);
    const parameters = parametersOf(config);
    expect(parameters["origin.tuning_shapes"]).toMatch(/^observed: x=1 \(after \d+ requests\)$/);
    expect(parameters["origin.max_batch_size"]).toMatch(/^measured on observed shapes x=1: knee/);
    const after = Number(/after (\d+) requests/.exec(parameters["origin.tuning_shapes"])?.[1]);
    expect(after).toBeGreaterThanOrEqual(8 + LIMITS.changeWindows * LIMITS.windowRequests);
    expect(logs.filter((line) => line.shape === "x=1" && line.max_batch_size)).toHaveLength(1);
    for (let i = 0; i < 4; i++) expect(await infer("wide", 300, 2, i)).toBe(200);
  });

  it("leaves models with fixed item shapes or a configured batch size as they were", async () => {
    const before = await Promise.all(
      ["wide_dims", "wide_batch", "identity_fp32"].map((model) =>
        getJson(`${server.url}/v2/models/${model}/config`),
      ),
    );
    const [dims, batch, identity] = before.map(parametersOf);
    expect(dims["origin.tuning_shapes"]).toBe("x: 300 fixed by the model or its config");
    expect(dims["origin.max_batch_size"]).toMatch(/^measured at load: knee of items\/s/);
    expect(batch["origin.max_batch_size"]).toBe("config");
    expect(before[1].max_batch_size).toBe(8);
    expect(identity["origin.tuning_shapes"]).toBe("x: 3 fixed by the model or its config");
    expect(identity["origin.max_batch_size"]).toMatch(/^measured at load: knee of items\/s/);
    for (let i = 0; i < 3 * LIMITS.windowRequests; i++) {
      expect(await infer("wide_dims", 300, 1, i)).toBe(200);
      expect(await infer("wide_batch", 1, 1, i)).toBe(200);
    }
    const after = await Promise.all(
      ["wide_dims", "wide_batch", "identity_fp32"].map((model) =>
        getJson(`${server.url}/v2/models/${model}/config`),
      ),
    );
    expect(after).toEqual(before);
    const accepted = await postJson(`${server.url}/v2/models/wide_batch/infer`, {
      inputs: [{ name: "x", datatype: "FP32", shape: [9, 1], data: new Array(9).fill(1) }],
    });
    expect(accepted.status).toBe(400);
  });
});

describe("PaddleOCR's direction classifier served without a config", () => {
  let server: RunningServer;

  beforeAll(async () => {
    const root = await tempRepository();
    await mkdir(path.join(root, "cls", "1"), { recursive: true });
    await writeFile(path.join(root, "cls", "1", "model.onnx"), paddleDirectionClassifier());
    server = await startTestServer(root, { trafficTuning: LIMITS, bodyLimitBytes: 4 << 20 });
  });

  afterAll(async () => {
    await server.shutdown(5000);
  });

  it("decides its batch size on the 3x48x192 text lines clients send, not on generated 3x1x1 items", async () => {
    const provisional = parametersOf(await getJson(`${server.url}/v2/models/cls/config`));
    expect(provisional["origin.tuning_shapes"]).toMatch(
      /^provisional: waiting for traffic \(dynamic item dimensions: x \[3,-1,-1\]\)/,
    );
    const data = Array.from({ length: 3 * 48 * 192 }, (_, i) => ((i % 17) - 8) / 8);
    for (let i = 0; i < LIMITS.windowRequests; i++) {
      const reply = await postJson(`${server.url}/v2/models/cls/infer`, {
        inputs: [{ name: "x", datatype: "FP32", shape: [1, 3, 48, 192], data }],
      });
      expect(reply.status).toBe(200);
      const [probabilities] = reply.body.outputs;
      expect(probabilities.shape).toEqual([1, 2]);
      expect(probabilities.data[0] + probabilities.data[1]).toBeCloseTo(1, 4);
    }
    const config = await configWhen(server.url, "cls", observed("x=3x48x192"));
    const parameters = parametersOf(config);
    expect(parameters["origin.tuning_shapes"]).toBe("observed: x=3x48x192 (after 8 requests)");
    expect(parameters["origin.max_batch_size"]).toMatch(
      /^measured on observed shapes x=3x48x192: knee of items\/s by batch size \(1: \d+/,
    );
    expect(parameters["origin.execution_placement"]).toMatch(
      /^measured on observed shapes x=3x48x192: batch-1 execution \d+ µs/,
    );
  });
});
