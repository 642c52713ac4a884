import { describe, expect, it } from "vitest";
import { freePort } from "../helpers/free-port";
import { openInferStream, TestGrpcClient } from "../helpers/grpc-client";
import { batchedModel, identityModel, repositoryWith } from "../helpers/models";
import { postJson, startTestServer, waitForValue } from "../helpers/server";

const request = (model: string, value: number) => ({
  model_name: model,
  inputs: [
    { name: "x", datatype: "FP32", shape: [1, 2], contents: { fp32_contents: [value, value] } },
  ],
});

describe("drain (SIGTERM) covers HTTP and gRPC", () => {
  it("turns health NOT_SERVING at once, serves through the grace period, answers every call in flight, then stops taking calls", async () => {
    const root = await repositoryWith([
      identityModel("FP32"),
      // Requests wait up to 1.5 s for a fuller batch: they are in flight when the drain starts.
      batchedModel("slow_queue", {
        max_batch_size: 8,
        dynamic_batching: { max_queue_delay_microseconds: 1_500_000, preferred_batch_size: [8] },
      }),
    ]);
    const server = await startTestServer(root, { grpcPort: await freePort() });
    const address = server.grpc?.address ?? "";
    const client = new TestGrpcClient(address);
    const health = new TestGrpcClient(address, "grpc.health.v1.Health");
    try {
      expect(await health.ok("Check", { service: "" })).toEqual({ status: "SERVING" });
      const pending = [
        client.call("ModelInfer", request("slow_queue", 1)),
        client.call("ModelInfer", request("slow_queue", 2)),
      ];
      const httpPending = postJson(`${server.url}/v2/models/slow_queue/infer`, {
        inputs: [{ name: "x", shape: [1, 2], datatype: "FP32", data: [3, 3] }],
      });
      const queued = () =>
        Promise.resolve(server.repository.resolve("slow_queue").scheduler.queued);
      expect(await waitForValue(queued, 3)).toBe(3);

      const drained = server.shutdown(20_000, 2_000);
      expect(await client.ok("ServerReady")).toEqual({ ready: false });
      expect(await health.ok("Check", { service: "" })).toEqual({ status: "NOT_SERVING" });
      expect(await health.ok("Check", { service: "inference.GRPCInferenceService" })).toEqual({
        status: "NOT_SERVING",
      });
      expect(await health.ok("Check", { service: "live" })).toEqual({ status: "SERVING" });
      // The grace period: new calls are still served while load balancers catch up.
      const duringGrace = await client.ok("ModelInfer", {
        model_name: "identity_fp32",
        inputs: [
          { name: "x", datatype: "FP32", shape: [1, 3], contents: { fp32_contents: [1, 2, 3] } },
        ],
      });
      expect(duringGrace.outputs[0].name).toBe("y");
      const modelReady = await client.ok("ModelReady", { name: "identity_fp32" });
      expect(modelReady).toEqual({ ready: false });

      // Every call in flight is answered, over both protocols.
      const answers = await Promise.all(pending);
      for (const [i, answer] of answers.entries()) {
        expect(answer.ok).toBe(true);
        if (answer.ok) {
          const values = new Float32Array(
            new Uint8Array(answer.value.raw_output_contents[0]).buffer,
          );
          expect([...values]).toEqual([2 * (i + 1), 2 * (i + 1)]);
        }
      }
      const http = await httpPending;
      expect(http.status).toBe(200);
      expect(http.body.outputs[0].data).toEqual([6, 6]);
      expect(await drained).toBe(true);

      // Stopped: a new call finds no server.
      const after = await client.error("ServerLive", {});
      expect(after.code).toBe(14);
    } finally {
      client.close();
      health.close();
    }
  });

  it("answers what a ModelStreamInfer stream has in flight, then ends the stream OK", async () => {
    const root = await repositoryWith([
      batchedModel("slow_queue", {
        max_batch_size: 8,
        dynamic_batching: { max_queue_delay_microseconds: 1_000_000, preferred_batch_size: [8] },
      }),
    ]);
    const server = await startTestServer(root, { grpcPort: await freePort() });
    const client = new TestGrpcClient(server.grpc?.address ?? "");
    try {
      const stream = openInferStream(client);
      stream.send({ ...request("slow_queue", 4), id: "in-flight" });
      const queued = () =>
        Promise.resolve(server.repository.resolve("slow_queue").scheduler.queued);
      expect(await waitForValue(queued, 1)).toBe(1);
      const drained = server.shutdown(20_000, 0);
      const [answer] = await stream.next(1);
      expect(answer.error_message).toBe("");
      expect(answer.infer_response.id).toBe("in-flight");
      expect(await stream.status).toEqual({ code: 0, details: "OK" });
      expect(await drained).toBe(true);
    } finally {
      client.close();
    }
  });

  it("refuses a gRPC port already taken, naming the flag, and leaves the HTTP port closed", async () => {
    const root = await repositoryWith([identityModel("FP32")]);
    const first = await startTestServer(root, { grpcPort: await freePort() });
    try {
      const port = first.grpc?.port ?? 0;
      const httpPort = await freePort();
      await expect(startTestServer(root, { grpcPort: port, port: httpPort })).rejects.toThrow(
        new RegExp(`^--grpc-port: cannot listen on 127\\.0\\.0\\.1:${port}: listen EADDRINUSE`),
      );
      await expect(fetch(`http://127.0.0.1:${httpPort}/v2/health/live`)).rejects.toThrow();
    } finally {
      await first.shutdown(5000);
    }
  });

  it("with gRPC off (--grpc-port 0) has no gRPC side", async () => {
    const root = await repositoryWith([identityModel("FP32")]);
    const server = await startTestServer(root, { grpcPort: 0 });
    expect(server.grpc).toBeUndefined();
    expect(await server.shutdown(5000)).toBe(true);
  });
});
