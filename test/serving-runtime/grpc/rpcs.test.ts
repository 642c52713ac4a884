import type { RunningServer } from "@hybridai/serving-runtime/src/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "../helpers/free-port";
import { TestGrpcClient } from "../helpers/grpc-client";
import { identityModel, multiModel, repositoryWith } from "../helpers/models";
import {
  explicitModelControl,
  getJson,
  type Json,
  type ModelControlAccess,
  metricValue,
  postJson,
  startTestServer,
} from "../helpers/server";

let server: RunningServer;
let client: TestGrpcClient;
let control: ModelControlAccess;
let health: TestGrpcClient;

const MULTI_INPUTS = [
  { name: "a", datatype: "FP32", shape: [1, 2], contents: { fp32_contents: [1, 2] } },
  { name: "b", datatype: "FP32", shape: [1, 2], contents: { fp32_contents: [3, 4] } },
];

/** A JSON value with every number written as a decimal string, as gRPC clients see uint64s. */
function numbersAsStrings(value: Json): Json {
  if (typeof value === "number") return String(value);
  if (Array.isArray(value)) return value.map(numbersAsStrings);
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, numbersAsStrings(v)]));
  }
  return value;
}

beforeAll(async () => {
  const root = await repositoryWith([
    multiModel(),
    identityModel("FP32"),
    {
      ...identityModel("FP64"),
      config: {
        fallback: { model: "identity_fp32", on: ["overload"] },
        circuit_breaker: { window_size: 8, minimum_requests: 4 },
      },
    },
  ]);
  control = await explicitModelControl();
  server = await startTestServer(root, { ...control.options, grpcPort: await freePort() });
  const address = server.grpc?.address ?? "";
  client = new TestGrpcClient(address);
  health = new TestGrpcClient(address, "grpc.health.v1.Health");
});

afterAll(async () => {
  client.close();
  health.close();
  await server.shutdown(5000);
});

describe("server RPCs", () => {
  it("ServerLive, ServerReady and ServerMetadata answer as GET /v2 does", async () => {
    expect(await client.ok("ServerLive")).toEqual({ live: true });
    expect(await client.ok("ServerReady")).toEqual({ ready: true });
    const http = await getJson(`${server.url}/v2`);
    expect(await client.ok("ServerMetadata")).toEqual(http);
    expect(http.extensions).toContain("statistics");
  });

  it("grpc.health.v1 reports the server and the inference service SERVING when ready", async () => {
    for (const service of ["", "inference.GRPCInferenceService", "live"]) {
      expect(await health.ok("Check", { service })).toEqual({ status: "SERVING" });
    }
    const unknown = await health.error("Check", { service: "no.such.Service" });
    expect(unknown.code).toBe(5);
  });

  it("echoes x-request-id in the initial metadata, and generates one when absent", async () => {
    const given = await client.call("ServerLive", {}, { "x-request-id": "trace-123" });
    expect(given.ok && given.headers.get("x-request-id")).toEqual(["trace-123"]);
    const generated = await client.call("ServerLive", {});
    const ids = generated.ok ? generated.headers.get("x-request-id") : [];
    expect(ids).toHaveLength(1);
    expect(String(ids[0])).toMatch(/^[0-9a-f]{8}-\d+$/);
  });
});

describe("model RPCs", () => {
  it("ModelReady: true for a loaded model or version, NOT_FOUND for an unknown model", async () => {
    expect(await client.ok("ModelReady", { name: "multi" })).toEqual({ ready: true });
    expect(await client.ok("ModelReady", { name: "multi", version: "1" })).toEqual({
      ready: true,
    });
    expect(await client.ok("ModelReady", { name: "multi", version: "2" })).toEqual({
      ready: false,
    });
    const unknown = await client.error("ModelReady", { name: "nope" });
    expect([unknown.code, unknown.details]).toEqual([5, "unknown model 'nope'"]);
  });

  it("ModelMetadata gives what GET /v2/models/{m} gives, shapes with -1 for any size", async () => {
    const http = await getJson(`${server.url}/v2/models/multi`);
    const grpc = await client.ok("ModelMetadata", { name: "multi", version: "1" });
    expect(grpc).toEqual({
      name: "multi",
      versions: ["1"],
      platform: "onnxruntime_onnx",
      inputs: numbersAsStrings(http.inputs),
      outputs: numbersAsStrings(http.outputs),
    });
    expect(grpc.inputs[0]).toEqual({ name: "a", datatype: "FP32", shape: ["-1", "2"] });
  });

  it("ModelConfig gives the effective configuration GET …/config gives, in Triton's message", async () => {
    const http = await getJson(`${server.url}/v2/models/multi/config`);
    const { config } = await client.ok("ModelConfig", { name: "multi" });
    expect(config.name).toBe("multi");
    expect(config.platform).toBe("onnxruntime_onnx");
    expect(config.backend).toBe("onnxruntime");
    expect(config.max_batch_size).toBe(http.max_batch_size);
    expect(config.max_batch_size).toBeGreaterThan(0);
    expect(config.input).toEqual(
      http.input.map((i: Json) => ({ ...numbersAsStrings(i), format: "FORMAT_NONE" })),
    );
    expect(config.output).toEqual(numbersAsStrings(http.output));
    expect(config.parameters).toEqual(http.parameters);
    expect(Object.keys(config.parameters).length).toBeGreaterThan(2);
    expect(config.instance_group).toHaveLength(http.instance_group.length);
    expect(config.instance_group[0].kind).toBe(http.instance_group[0].kind);
    expect(config.scheduling_choice).toBe("dynamic_batching");
  });

  it("ModelConfig carries hybridai's fallback and circuit breaker in their own fields", async () => {
    const { config } = await client.ok("ModelConfig", { name: "identity_fp64" });
    expect(config.fallback).toEqual({ model: "identity_fp32", on: ["overload"] });
    expect(config.circuit_breaker.window_size).toBe(8);
    expect(config.circuit_breaker.minimum_requests).toBe(4);
  });

  it("ModelStatistics gives what GET /v2/models/{m}/stats gives, after HTTP and gRPC requests", async () => {
    const before = await client.ok("ModelStatistics", { name: "multi" });
    const successes = Number(before.model_stats[0].inference_stats.success.count);
    await client.ok("ModelInfer", { model_name: "multi", inputs: MULTI_INPUTS });
    const viaHttp = await postJson(`${server.url}/v2/models/multi/infer`, {
      inputs: MULTI_INPUTS.map(({ contents, ...input }) => ({
        ...input,
        data: contents.fp32_contents,
      })),
    });
    expect(viaHttp.status).toBe(200);
    const grpc = await client.ok("ModelStatistics", { name: "multi", version: "1" });
    const http = await getJson(`${server.url}/v2/models/multi/versions/1/stats`);
    expect(grpc).toEqual(numbersAsStrings(http));
    expect(grpc.model_stats).toHaveLength(1);
    expect(Number(grpc.model_stats[0].inference_stats.success.count)).toBe(successes + 2);
    const everything = await client.ok("ModelStatistics", {});
    expect(everything.model_stats.map((s: Json) => s.name)).toEqual([
      "identity_fp32",
      "identity_fp64",
      "multi",
    ]);
    const unknown = await client.error("ModelStatistics", { name: "nope" });
    expect([unknown.code, unknown.details]).toEqual([5, "unknown model 'nope'"]);
  });

  it("counts inference requests by protocol in hybridai_inference_requests_total", async () => {
    const labels = { model: "multi", protocol: "grpc", outcome: "success" };
    const before = await metricValue(server.url, "hybridai_inference_requests_total", labels);
    await client.ok("ModelInfer", { model_name: "multi", inputs: MULTI_INPUTS });
    await client.ok("ModelInfer", { model_name: "multi", inputs: MULTI_INPUTS });
    await client.error("ModelInfer", { model_name: "multi", inputs: [] });
    expect(await metricValue(server.url, "hybridai_inference_requests_total", labels)).toBe(
      before + 2,
    );
    expect(
      await metricValue(server.url, "hybridai_inference_requests_total", {
        model: "multi",
        protocol: "grpc",
        outcome: "failure",
      }),
    ).toBeGreaterThanOrEqual(1);
    expect(
      await metricValue(server.url, "hybridai_inference_requests_total", {
        model: "multi",
        protocol: "http",
        outcome: "success",
      }),
    ).toBeGreaterThanOrEqual(1);
  });
});

describe("repository RPCs", () => {
  it("RepositoryIndex lists what POST /v2/repository/index lists", async () => {
    const http = await postJson(`${server.url}/v2/repository/index`, {});
    const grpc = await client.ok("RepositoryIndex", {});
    expect(grpc.models).toEqual(http.body.map((row: Json) => ({ version: "", ...row })));
    expect(grpc.models.map((m: Json) => m.name)).toEqual([
      "identity_fp32",
      "identity_fp64",
      "multi",
    ]);
  });

  it("RepositoryModelUnload and RepositoryModelLoad change what is served, with a config override", async () => {
    expect(
      await client.ok("RepositoryModelUnload", { model_name: "identity_fp32" }, control.headers),
    ).toEqual({});
    expect(await client.ok("ModelReady", { name: "identity_fp32" })).toEqual({ ready: false });
    const ready = await client.ok("RepositoryIndex", { ready: true });
    expect(ready.models.map((m: Json) => m.name)).toEqual(["identity_fp64", "multi"]);
    const gone = await client.error("ModelInfer", {
      model_name: "identity_fp32",
      inputs: [
        { name: "x", datatype: "FP32", shape: [1, 3], contents: { fp32_contents: [1, 2, 3] } },
      ],
    });
    expect([gone.code, gone.details]).toEqual([
      14,
      "model 'identity_fp32' is not ready (UNAVAILABLE: unloaded)",
    ]);
    expect(
      await client.ok(
        "RepositoryModelLoad",
        {
          model_name: "identity_fp32",
          parameters: { config: { string_param: '{"max_batch_size": 0}' } },
        },
        control.headers,
      ),
    ).toEqual({});
    expect(await client.ok("ModelReady", { name: "identity_fp32" })).toEqual({ ready: true });
    const { config } = await client.ok("ModelConfig", { name: "identity_fp32" });
    expect(config.max_batch_size).toBe(0);
  });

  it("refuses a bad load as HTTP does: unknown model, malformed config", async () => {
    const unknown = await client.error(
      "RepositoryModelLoad",
      { model_name: "nope" },
      control.headers,
    );
    expect(unknown.code).toBe(5);
    expect(unknown.details).toContain("no model directory 'nope'");
    const malformed = await client.error(
      "RepositoryModelLoad",
      { model_name: "multi", parameters: { config: { string_param: "{not json" } } },
      control.headers,
    );
    expect(malformed.code).toBe(3);
    expect(malformed.details).toMatch(/^parameters\.config is not valid JSON: /);
    const notString = await client.error(
      "RepositoryModelLoad",
      { model_name: "multi", parameters: { config: { bool_param: true } } },
      control.headers,
    );
    expect(notString.details).toBe(
      "parameters.config must be a string holding the model config as JSON",
    );
  });
});
