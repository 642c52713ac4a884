import type { RunningServer } from "@hybridai/serving-runtime/src/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "../helpers/free-port";
import { TestGrpcClient } from "../helpers/grpc-client";
import { repositoryWith, slowModel } from "../helpers/models";
import { type Json, metricValue, postJson, startTestServer, waitForValue } from "../helpers/server";

// Issue 24, finding 6: `parameters.timeout` above 2^31-1 ms became a 1 ms timer over HTTP (Node
// clamps an overflowing timer to 1 ms) while gRPC refused it. Timeouts are now validated and
// clamped the same way on both transports: a non-negative integer of microseconds, at most
// 2^31-1 ms (about 24.8 days), longer ones waiting that long.

const ROWS = (n: number) => Array.from({ length: n * 256 }, (_, i) => (i % 5) / 5);
/** 2^31 ms in µs: one millisecond past what a Node timer holds. */
const PAST_TIMER_LIMIT = 2 ** 31 * 1000;

let server: RunningServer;
let client: TestGrpcClient;

beforeAll(async () => {
  server = await startTestServer(
    await repositoryWith([
      slowModel("patient", 3000, {
        max_batch_size: 64,
        dynamic_batching: { default_queue_policy: { allow_timeout_override: true } },
        instance_group: [{ count: 1, kind: "KIND_CPU" }],
        parameters: { execution_placement: { string_value: "worker" } },
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

const small = { name: "x", shape: [1, 256], datatype: "FP32", data: ROWS(1) };
const grpcSmall = {
  name: "x",
  datatype: "FP32",
  shape: [1, 256],
  contents: { fp32_contents: ROWS(1) },
};

/** Keeps the model's one worker instance busy with two long batches until they are answered. */
async function busy(): Promise<Promise<unknown>[]> {
  const blockers = [1, 2].map(() =>
    postJson(`${server.url}/v2/models/patient/infer`, {
      inputs: [{ name: "x", shape: [64, 256], datatype: "FP32", data: ROWS(64) }],
    }),
  );
  const pending = () =>
    metricValue(server.url, "nv_inference_pending_request_count", {
      model: "patient",
      version: "1",
    });
  expect(await waitForValue(pending, 2)).toBe(2);
  return blockers;
}

describe("parameters.timeout", () => {
  it("waits a timeout past what a timer holds instead of expiring after 1 ms, over HTTP and gRPC", async () => {
    const blockers = await busy();
    const http = postJson(`${server.url}/v2/models/patient/infer`, {
      parameters: { timeout: PAST_TIMER_LIMIT },
      inputs: [small],
    });
    const int64 = client.call("ModelInfer", {
      model_name: "patient",
      parameters: { timeout: { int64_param: String(PAST_TIMER_LIMIT) } },
      inputs: [grpcSmall],
    });
    const uint64 = client.call("ModelInfer", {
      model_name: "patient",
      parameters: { timeout: { uint64_param: "18446744073709551615" } },
      inputs: [grpcSmall],
    });
    const answered = await http;
    expect([answered.status, answered.body.error]).toEqual([200, undefined]);
    for (const call of [await int64, await uint64]) {
      expect(call.ok ? "answered" : `${call.error.code} ${call.error.details}`).toBe("answered");
    }
    await Promise.all(blockers);
  });

  it("refuses the same malformed timeouts with the same message over HTTP and gRPC", async () => {
    const message = "parameters.timeout must be a non-negative integer (microseconds)";
    const cases: [unknown, Json][] = [
      [-1, { int64_param: "-1" }],
      [1.5, { double_param: 1.5 }],
      ["5", { string_param: "5" }],
      [true, { bool_param: true }],
    ];
    for (const [json, parameter] of cases) {
      const http = await postJson(`${server.url}/v2/models/patient/infer`, {
        parameters: { timeout: json },
        inputs: [small],
      });
      expect([http.status, http.body.error]).toEqual([400, message]);
      const call = await client.error("ModelInfer", {
        model_name: "patient",
        parameters: { timeout: parameter },
        inputs: [grpcSmall],
      });
      expect([call.code, call.details]).toEqual([3, message]);
    }
  });
});
