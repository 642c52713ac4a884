import type { RunningServer } from "@hybridai/serving-runtime/src/server";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "../helpers/free-port";
import { openInferStream, TestGrpcClient } from "../helpers/grpc-client";
import { flakyModel, repositoryWith } from "../helpers/models";
import { type OtlpReceiver, startOtlpReceiver } from "../helpers/otlp-receiver";
import { startTestServer } from "../helpers/server";

// A gRPC request that fails inside the server is logged with the trace and span ids of its
// request span, over unary ModelInfer and over ModelStreamInfer alike, so a log line leads to
// its trace.

const CALLER_TRACE = "5b8aa5a2d2c872e8321cf37308d69df2";
const CALLER_SPAN = "051581bf3cb55c13";

let receiver: OtlpReceiver;
let server: RunningServer;
let client: TestGrpcClient;
const lines: Record<string, unknown>[] = [];

// flakyModel reshapes to 4 values: a two-row request fails inside onnxruntime (INTERNAL).
const twoRows = (id: string) => ({
  model_name: "flaky",
  id,
  inputs: [
    { name: "x", datatype: "FP32", shape: [2, 4], contents: { fp32_contents: Array(8).fill(1) } },
  ],
});

beforeAll(async () => {
  process.env.OTEL_BSP_SCHEDULE_DELAY = "50";
  receiver = await startOtlpReceiver();
  const grpcPort = await freePort();
  const logger = pino(
    { level: "error" },
    { write: (line: string) => void lines.push(JSON.parse(line)) },
  );
  server = await startTestServer(
    await repositoryWith([flakyModel("flaky", {})]),
    {
      grpcPort,
      cacheSizeBytes: 0,
      logLevel: "error",
      tracing: {
        tracesUrl: `${receiver.url}/v1/traces`,
        serviceName: "grpc-errors",
        settings: { trace_level: "TIMESTAMPS", trace_rate: 1, trace_count: -1, log_frequency: 0 },
        parentBased: true,
      },
    },
    logger,
  );
  client = new TestGrpcClient(`127.0.0.1:${grpcPort}`);
}, 120_000);

afterAll(async () => {
  client?.close();
  await server?.shutdown(5000);
  await receiver?.close();
});

const failureLine = (requestId: string) =>
  lines.find((line) => line.msg === "request failed" && line.request_id === requestId);

describe("gRPC failures in the server log", () => {
  it("a unary call's 'request failed' line carries its request span's trace and span ids", async () => {
    const error = await client.error("ModelInfer", twoRows("unary"), {
      traceparent: `00-${CALLER_TRACE}-${CALLER_SPAN}-01`,
      "x-request-id": "grpc-fails-unary",
    });
    expect(error.details).toMatch(/model execution failed/);
    const spans = await receiver.waitFor((all) =>
      all.some((span) => span.attributes["hybridai.request_id"] === "grpc-fails-unary"),
    );
    const request = spans.find(
      (span) => span.attributes["hybridai.request_id"] === "grpc-fails-unary",
    );
    expect(request?.traceId).toBe(CALLER_TRACE);
    expect(failureLine("grpc-fails-unary")).toMatchObject({
      trace_id: CALLER_TRACE,
      span_id: request?.spanId,
    });
  });

  it("a streamed request's line carries them too", async () => {
    const stream = openInferStream(client, {
      traceparent: `00-${CALLER_TRACE}-${CALLER_SPAN}-01`,
      "x-request-id": "grpc-fails-stream",
    });
    stream.send(twoRows("streamed"));
    const [answer] = await stream.next(1);
    expect(answer.error_message).toMatch(/model execution failed/);
    await stream.finish();
    const spans = await receiver.waitFor((all) =>
      all.some((span) => span.attributes["hybridai.request_id"] === "grpc-fails-stream"),
    );
    const request = spans.find(
      (span) => span.attributes["hybridai.request_id"] === "grpc-fails-stream",
    );
    expect(failureLine("grpc-fails-stream")).toMatchObject({
      trace_id: CALLER_TRACE,
      span_id: request?.spanId,
    });
  });
});
