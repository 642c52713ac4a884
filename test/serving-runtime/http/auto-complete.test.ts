import { rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { parseTuningShapes } from "@hybridai/serving-runtime/src/runtime/tuning-shapes";
import type { RunningServer } from "@hybridai/serving-runtime/src/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { batchedModel, repositoryWith } from "../helpers/models";
import { getJson, type Json, postJson, startTestServer } from "../helpers/server";

const servers: RunningServer[] = [];
let root: string;

/** Replaces a model's config.json with a config.pbtxt (or removes it when `text` is undefined). */
async function configure(model: string, text?: string, keepJson = false) {
  if (!keepJson) await rm(path.join(root, model, "config.json"));
  if (text !== undefined) await writeFile(path.join(root, model, "config.pbtxt"), text);
}

const TRITON_PBTXT = `
name: "triton"
platform: "onnxruntime_onnx"
max_batch_size: 8
input [ { name: "x", data_type: TYPE_FP32, format: FORMAT_NONE, dims: [ 3 ] } ]
output [ { name: "y", data_type: TYPE_FP32, dims: [ 3 ] } ]
instance_group [ { count: 2, kind: KIND_CPU } ]
dynamic_batching { max_queue_delay_microseconds: 100 }
parameters { key: "execution_placement" value: { string_value: "worker" } }
`;

beforeAll(async () => {
  root = await repositoryWith(
    ["open", "triton", "unsupported", "both", "explicit_zero", "pinned"].map((name) =>
      batchedModel(name, {}),
    ),
  );
  await configure("open");
  await configure("triton", TRITON_PBTXT);
  await configure("unsupported", "sequence_batching { max_sequence_idle_microseconds: 5 }");
  await configure("both", "max_batch_size: 2", true);
  await configure("explicit_zero", "max_batch_size: 0");
  await configure(
    "pinned",
    'parameters { key: "execution_placement" value: { string_value: "inline" } }',
  );
});

afterAll(async () => {
  await Promise.all(servers.map((server) => server.shutdown(5000)));
});

/**
 * `open` leaves its item width open (x [batch, cols]); `--tuning-shapes open:x=2` gives it, so
 * that the load-time measurement the tests below check runs. Without it the model would wait for
 * its traffic's shapes (test/serving-runtime/repository/traffic-tuning-served.test.ts).
 */
const OPEN_WIDTH = { tuningShapes: parseTuningShapes("open:x=2") };

async function serve(overrides: Parameters<typeof startTestServer>[1] = {}) {
  const server = await startTestServer(root, { strictReadiness: false, ...overrides });
  servers.push(server);
  return server;
}

const origin = (config: Json, field: string): string =>
  config.parameters[`origin.${field}`]?.string_value;

describe("auto-complete of config-less models", () => {
  it("measures max_batch_size at load and shows the completed config with its origins", async () => {
    const server = await serve(OPEN_WIDTH);
    const config = await getJson(`${server.url}/v2/models/open/config`);
    expect([1, 2, 4, 8, 16, 32, 64]).toContain(config.max_batch_size);
    expect(origin(config, "max_batch_size")).toMatch(
      /^measured at load: knee of items\/s by batch size \(1: \d+, 2: \d+/,
    );
    if (config.max_batch_size > 1) {
      expect(config.dynamic_batching).toEqual({
        max_queue_delay_microseconds: 0,
        preferred_batch_size: [],
      });
      expect(origin(config, "dynamic_batching")).toBe(
        "auto-complete: dynamic_batching {} because the model batches",
      );
    }
    expect(config.input).toEqual([{ name: "x", data_type: "TYPE_FP32", dims: [-1] }]);
    expect(origin(config, "input, output")).toBe("model file");
    expect(origin(config, "execution_placement")).toMatch(
      /^measured at load: batch-1 execution \d+ µs (≤|>) --inline-threshold-microseconds 100$/,
    );
    const rows = Array.from({ length: config.max_batch_size }, (_, i) => [i, 1]);
    const answer = await postJson(`${server.url}/v2/models/open/infer`, {
      inputs: [{ name: "x", shape: [rows.length, 2], datatype: "FP32", data: rows }],
    });
    expect(answer.status).toBe(200);
    expect(answer.body.outputs[0].data).toEqual(rows.flat().map((v) => 2 * v));
  });

  it("fills in --default-max-batch-size as Triton does, and 0 disables batching", async () => {
    const four = await serve({ defaultMaxBatchSize: 4 });
    const config = await getJson(`${four.url}/v2/models/open/config`);
    expect(config.max_batch_size).toBe(4);
    expect(origin(config, "max_batch_size")).toBe("auto-complete: --default-max-batch-size 4");
    const tooMany = await postJson(`${four.url}/v2/models/open/infer`, {
      inputs: [{ name: "x", shape: [5, 1], datatype: "FP32", data: [1, 2, 3, 4, 5] }],
    });
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.error).toMatch(/batch size 5 .* max_batch_size 4/);
    const none = await serve({ defaultMaxBatchSize: 0 });
    const disabled = await getJson(`${none.url}/v2/models/open/config`);
    expect(disabled.max_batch_size).toBe(0);
    expect(disabled.dynamic_batching).toBeUndefined();
    expect(origin(disabled, "max_batch_size")).toBe(
      "--default-max-batch-size 0: batching disabled",
    );
  });

  it("keeps an explicit max_batch_size: 0", async () => {
    const server = await serve();
    const config = await getJson(`${server.url}/v2/models/explicit_zero/config`);
    expect(config.max_batch_size).toBe(0);
    expect(origin(config, "max_batch_size")).toBe("config");
  });
});

describe("config.pbtxt", () => {
  it("serves a Triton repository's config.pbtxt unchanged", async () => {
    const server = await serve();
    const config = await getJson(`${server.url}/v2/models/triton/config`);
    expect(config).toMatchObject({
      name: "triton",
      max_batch_size: 8,
      instance_group: [{ count: 2, kind: "KIND_CPU" }],
      dynamic_batching: { max_queue_delay_microseconds: 100 },
      input: [{ name: "x", data_type: "TYPE_FP32", dims: [3] }],
    });
    expect(origin(config, "max_batch_size")).toBe("config");
    expect(origin(config, "execution_placement")).toBe("config parameters.execution_placement");
    const metadata = await getJson(`${server.url}/v2/models/triton`);
    expect(metadata.parameters).toMatchObject({ execution_placement: "worker", instance_count: 2 });
    const answers = await Promise.all(
      [1, 2, 3, 4].map((v) =>
        postJson(`${server.url}/v2/models/triton/infer`, {
          inputs: [{ name: "x", shape: [1, 3], datatype: "FP32", data: [v, v, v] }],
        }),
      ),
    );
    expect(answers.map((answer) => answer.body.outputs[0].data)).toEqual([
      [2, 2, 2],
      [4, 4, 4],
      [6, 6, 6],
      [8, 8, 8],
    ]);
  });

  it("keeps a model out with the reason when its config.pbtxt has a field this runtime lacks, or two configs", async () => {
    const server = await serve();
    const index = await postJson(`${server.url}/v2/repository/index`, {});
    const reasonOf = (name: string) =>
      (index.body as Json[]).find((row) => row.name === name)?.reason;
    expect(reasonOf("unsupported")).toBe(
      "unsupported/config.pbtxt: field 'sequence_batching' of ModelConfig (line 1) is part of Triton's model configuration but not supported by hybridai-serve; remove it",
    );
    expect(reasonOf("both")).toBe("both: has both config.pbtxt and config.json; keep one of them");
  });

  it("lets a config pin where the model runs", async () => {
    const server = await serve({ ...OPEN_WIDTH, inlineThresholdMicroseconds: 0 });
    expect((await getJson(`${server.url}/v2/models/pinned`)).parameters.execution_placement).toBe(
      "inline",
    );
    const open = await getJson(`${server.url}/v2/models/open/config`);
    expect(open.parameters.execution_placement.string_value).toBe("worker");
    expect(origin(open, "execution_placement")).toMatch(
      /^measured at load: batch-1 execution \d+ µs > --inline-threshold-microseconds 0$/,
    );
    const answer = await postJson(`${server.url}/v2/models/open/infer`, {
      inputs: [{ name: "x", shape: [1, 2], datatype: "FP32", data: [3, 4] }],
    });
    expect(answer.body.outputs[0].data).toEqual([6, 8]);
  });
});
