import type { RunningServer } from "@hybridai/serving-runtime/src/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "../helpers/free-port";
import { TestGrpcClient } from "../helpers/grpc-client";
import { dynamicModel, repositoryWith, slowModel } from "../helpers/models";
import { metricValue, postJson, startTestServer, waitForValue } from "../helpers/server";

// Issue 24, finding 3: any client could open a model's circuit breaker for everyone: nine
// requests with a shape of a zero and a huge dimension (0 elements: passed validation, failed in
// onnxruntime with 500), or 60 requests with `parameters.timeout: 1`. A breaker now counts only
// the model's own failures: 4xx-class problems, inputs onnxruntime refuses, client-requested
// timeouts and cancellations do not count.

const BREAKER = {
  window_size: 10,
  minimum_requests: 4,
  failure_rate_threshold: 0.5,
  open_duration_ms: 600_000,
};

let server: RunningServer;
let client: TestGrpcClient;

beforeAll(async () => {
  server = await startTestServer(
    await repositoryWith([
      {
        ...dynamicModel(),
        name: "shapes",
        graph: { ...dynamicModel().graph, name: "shapes" },
        config: { max_batch_size: 0, circuit_breaker: BREAKER },
      },
      slowModel("patient", 3000, {
        max_batch_size: 64,
        dynamic_batching: { default_queue_policy: { allow_timeout_override: true } },
        instance_group: [{ count: 1, kind: "KIND_CPU" }],
        parameters: { execution_placement: { string_value: "worker" } },
        circuit_breaker: BREAKER,
      }),
    ]),
    { grpcPort: await freePort() },
  );
  client = new TestGrpcClient(server.grpc?.address ?? "");
});

afterAll(async () => {
  client.close();
  await server.shutdown(5000);
});

const breakerState = (model: string) =>
  metricValue(server.url, "hybridai_circuit_breaker_state", { model });

describe("a model's circuit breaker counts only the model's own failures", () => {
  it("stays closed after 20 requests whose shape has a zero and a huge dimension, over HTTP and gRPC", async () => {
    const shape = [0, 1099511627776];
    for (let i = 0; i < 10; i++) {
      const response = await postJson(`${server.url}/v2/models/shapes/infer`, {
        inputs: [{ name: "x", shape, datatype: "FP32", data: [] }],
      });
      expect(response.status).toBe(400);
      expect(response.body.error).toMatch(/dimension 1 is 1099511627776/);
      const call = await client.error("ModelInfer", {
        model_name: "shapes",
        inputs: [{ name: "x", datatype: "FP32", shape, contents: { fp32_contents: [] } }],
      });
      expect(call.code).toBe(3);
    }
    expect(await breakerState("shapes")).toBe(0);
    const answer = await postJson(`${server.url}/v2/models/shapes/infer`, {
      inputs: [{ name: "x", shape: [1, 2], datatype: "FP32", data: [-1, 2] }],
    });
    expect(answer.status).toBe(200);
    expect(answer.body.outputs[0].data).toEqual([0, 2]);
  });

  it("stays closed after 60 requests that asked for a 1 µs timeout", async () => {
    // Two long batches (64 rows through 3000 MatMuls, about a second each) keep the model's one
    // worker instance busy, one running and one waiting in its thread; the 60 requests sent
    // then all wait in the queue past their own 1 µs.
    const rows = (n: number) => Array.from({ length: n * 256 }, (_, i) => (i % 7) / 7);
    const blockers = [1, 2].map(() =>
      postJson(`${server.url}/v2/models/patient/infer`, {
        inputs: [{ name: "x", shape: [64, 256], datatype: "FP32", data: rows(64) }],
      }),
    );
    const pending = () =>
      metricValue(server.url, "nv_inference_pending_request_count", {
        model: "patient",
        version: "1",
      });
    expect(await waitForValue(pending, 2)).toBe(2);
    const impatient = await Promise.all(
      Array.from({ length: 60 }, () =>
        postJson(`${server.url}/v2/models/patient/infer`, {
          parameters: { timeout: 1 },
          inputs: [{ name: "x", shape: [1, 256], datatype: "FP32", data: rows(1) }],
        }),
      ),
    );
    for (const response of impatient) {
      expect(response.status).toBe(503);
      expect(response.body.error).toMatch(/request timed out after 1 µs in the queue/);
    }
    expect((await Promise.all(blockers)).map((response) => response.status)).toEqual([200, 200]);
    expect(await breakerState("patient")).toBe(0);
    const answer = await postJson(`${server.url}/v2/models/patient/infer`, {
      inputs: [{ name: "x", shape: [1, 256], datatype: "FP32", data: rows(1) }],
    });
    expect(answer.status).toBe(200);
  });
});
