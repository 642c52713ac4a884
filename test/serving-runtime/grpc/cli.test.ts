import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  buildRuntime,
  CLI,
  type ServerProcess,
  spawnServer,
  waitForOutput,
  waitForUrl,
} from "../helpers/cli";
import { freePort } from "../helpers/free-port";
import { TestGrpcClient } from "../helpers/grpc-client";
import { batchedModel, repositoryWith } from "../helpers/models";
import { metricValue, waitForValue } from "../helpers/server";

const started: ServerProcess[] = [];
let root: string;

beforeAll(async () => {
  await buildRuntime();
  root = await repositoryWith([
    batchedModel("slow_queue", {
      max_batch_size: 8,
      dynamic_batching: { max_queue_delay_microseconds: 1_500_000, preferred_batch_size: [8] },
    }),
  ]);
}, 300_000);

afterAll(() => {
  for (const server of started) if (server.child.exitCode === null) server.child.kill("SIGKILL");
});

describe("hybridai-serve --grpc-port", () => {
  it("serves gRPC next to HTTP, and on SIGTERM answers the gRPC call in flight before exiting 0", async () => {
    const grpcPort = await freePort();
    const server = spawnServer("node", [
      CLI,
      ...["--model-repository", root, "--host", "127.0.0.1", "--port", "0"],
      ...["--grpc-port", String(grpcPort), "--drain-grace-seconds", "0"],
    ]);
    started.push(server);
    const url = await waitForUrl(server);
    await waitForOutput(server, /Models ready/);
    expect(server.stdout()).toContain(
      `gRPC (inference.GRPCInferenceService) on 127.0.0.1:${grpcPort}`,
    );
    const client = new TestGrpcClient(`127.0.0.1:${grpcPort}`);
    try {
      expect(await client.ok("ServerReady")).toEqual({ ready: true });
      const inFlight = client.call("ModelInfer", {
        model_name: "slow_queue",
        inputs: [
          { name: "x", datatype: "FP32", shape: [1, 2], contents: { fp32_contents: [3, 4] } },
        ],
      });
      // The request waits up to 1.5 s in the queue for a fuller batch: in flight at SIGTERM.
      const pending = () =>
        metricValue(url, "nv_inference_pending_request_count", {
          model: "slow_queue",
          version: "1",
        });
      expect(await waitForValue(pending, 1)).toBe(1);
      server.child.kill("SIGTERM");
      const answer = await inFlight;
      expect(answer.ok).toBe(true);
      if (answer.ok) {
        const values = new Float32Array(new Uint8Array(answer.value.raw_output_contents[0]).buffer);
        expect([...values]).toEqual([6, 8]);
      }
      expect(await server.exited).toBe(0);
    } finally {
      client.close();
    }
  });
});
