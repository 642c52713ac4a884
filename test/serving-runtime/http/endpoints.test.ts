import type { RunningServer } from "@hybridai/serving-runtime/src/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { batchedModel, identityModel, multiModel, repositoryWith } from "../helpers/models";
import { getJson, type Json, metricValue, postJson, startTestServer } from "../helpers/server";

let server: RunningServer;

beforeAll(async () => {
  const root = await repositoryWith([
    identityModel("BYTES"),
    multiModel(),
    batchedModel("batched", {
      max_batch_size: 8,
      dynamic_batching: {},
      input: [{ name: "x", data_type: "TYPE_FP32", dims: [4] }],
    }),
  ]);
  server = await startTestServer(root);
});

afterAll(async () => {
  await server.shutdown(5000);
});

describe("server endpoints", () => {
  it("GET /v2 gives name, version and the extensions, binary tensor data included", async () => {
    const response = await fetch(`${server.url}/v2`);
    expect(response.status).toBe(200);
    const body = (await response.json()) as Json;
    expect(body.name).toBe("hybridai");
    expect(body.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(body.extensions).toEqual(
      expect.arrayContaining(["binary_tensor_data", "model_repository"]),
    );
  });

  it("answers live and ready with status codes only", async () => {
    const live = await fetch(`${server.url}/v2/health/live`);
    expect(live.status).toBe(200);
    expect(await live.text()).toBe("");
    const ready = await fetch(`${server.url}/v2/health/ready`);
    expect(ready.status).toBe(200);
  });

  it("echoes X-Request-Id, or makes one up", async () => {
    const echoed = await fetch(`${server.url}/v2`, { headers: { "x-request-id": "trace-123" } });
    expect(echoed.headers.get("x-request-id")).toBe("trace-123");
    const generated = await fetch(`${server.url}/v2`);
    expect(generated.headers.get("x-request-id")).toBeTruthy();
  });

  it("makes up an id for an empty X-Request-Id too, as gRPC does", async () => {
    const empty = await fetch(`${server.url}/v2`, { headers: { "x-request-id": "" } });
    expect(empty.headers.get("x-request-id")).toMatch(/^[0-9a-f]{8}-\d+$/);
  });
});

describe("model endpoints", () => {
  it("gives Triton's model metadata, with dynamic dims as -1 and the batch dim of batching models", async () => {
    const multi = await getJson(`${server.url}/v2/models/multi`);
    expect(multi).toMatchObject({
      name: "multi",
      versions: ["1"],
      platform: "onnxruntime_onnx",
      inputs: [
        { name: "a", datatype: "FP32", shape: [-1, 2] },
        { name: "b", datatype: "FP32", shape: [-1, 2] },
      ],
      outputs: [
        { name: "sum", datatype: "FP32", shape: [-1, 2] },
        { name: "product", datatype: "FP32", shape: [-1, 2] },
        { name: "a_negated", datatype: "FP32", shape: [-1, 2] },
      ],
    });
    expect(multi.parameters.execution_provider).toBe("cpu");
    const batched = await getJson(`${server.url}/v2/models/batched/versions/1`);
    expect(batched.inputs).toEqual([{ name: "x", datatype: "FP32", shape: [-1, 4] }]);
    expect(batched.outputs).toEqual([{ name: "y", datatype: "FP32", shape: [-1, -1] }]);
    const strings = await getJson(`${server.url}/v2/models/identity_bytes`);
    expect(strings.inputs).toEqual([{ name: "x", datatype: "BYTES", shape: [-1, 3] }]);
  });

  it("answers model readiness per model and version", async () => {
    expect((await fetch(`${server.url}/v2/models/multi/ready`)).status).toBe(200);
    expect((await fetch(`${server.url}/v2/models/multi/versions/1/ready`)).status).toBe(200);
    expect((await fetch(`${server.url}/v2/models/multi/versions/2/ready`)).status).toBe(503);
    expect((await fetch(`${server.url}/v2/models/unknown/ready`)).status).toBe(404);
  });

  it("gives the model configuration in Triton's form, dims without the batch dim", async () => {
    const config = await getJson(`${server.url}/v2/models/batched/config`);
    expect(config).toMatchObject({
      name: "batched",
      platform: "onnxruntime_onnx",
      max_batch_size: 8,
      input: [{ name: "x", data_type: "TYPE_FP32", dims: [4] }],
      output: [{ name: "y", data_type: "TYPE_FP32", dims: [-1] }],
    });
  });

  it("enforces config dims and max_batch_size before running the model", async () => {
    const url = `${server.url}/v2/models/batched/infer`;
    const wrongDims = await postJson(url, {
      inputs: [{ name: "x", shape: [1, 3], datatype: "FP32", data: [1, 2, 3] }],
    });
    expect(wrongDims.status).toBe(400);
    expect(wrongDims.body.error).toMatch(/does not match the model's \[-1,4\]/);
    const data = Array.from({ length: 36 }, () => 1);
    const tooBig = await postJson(url, {
      inputs: [{ name: "x", shape: [9, 4], datatype: "FP32", data }],
    });
    expect(tooBig.status).toBe(400);
    expect(tooBig.body.error).toMatch(/batch size 9 .* max_batch_size 8/);
  });
});

describe("metrics", () => {
  it("exports Triton's metric names per model and version, and process metrics", async () => {
    const body = {
      inputs: [
        { name: "a", shape: [1, 2], datatype: "FP32", data: [1, 2] },
        { name: "b", shape: [1, 2], datatype: "FP32", data: [1, 2] },
      ],
    };
    const labels = { model: "multi", version: "1" };
    const before = await metricValue(server.url, "nv_inference_request_success", labels);
    await postJson(`${server.url}/v2/models/multi/infer`, body);
    await postJson(`${server.url}/v2/models/multi/infer`, { inputs: body.inputs.slice(0, 1) });
    expect(await metricValue(server.url, "nv_inference_request_success", labels)).toBe(before + 1);
    expect(
      await metricValue(server.url, "nv_inference_request_failure", { ...labels, reason: "OTHER" }),
    ).toBeGreaterThanOrEqual(1);
    expect(await metricValue(server.url, "nv_inference_count", labels)).toBeGreaterThanOrEqual(1);
    expect(await metricValue(server.url, "nv_inference_exec_count", labels)).toBeGreaterThanOrEqual(
      1,
    );
    expect(
      await metricValue(server.url, "nv_inference_request_duration_us", labels),
    ).toBeGreaterThan(0);
    expect(
      await metricValue(server.url, "nv_inference_compute_infer_duration_us", labels),
    ).toBeGreaterThan(0);
    const text = await (await fetch(`${server.url}/metrics`)).text();
    for (const name of [
      "nv_inference_queue_duration_us",
      "nv_inference_compute_input_duration_us",
      "nv_inference_compute_output_duration_us",
      "nv_inference_pending_request_count",
      "process_cpu_seconds_total",
      "nodejs_eventloop_lag_seconds",
    ]) {
      expect(text).toContain(`# TYPE ${name}`);
    }
  });
});
