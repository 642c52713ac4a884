import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningServer } from "../../../serving-runtime/src/server";
import { freePort } from "../helpers/free-port";
import { TestGrpcClient } from "../helpers/grpc-client";
import { batchedModel, repositoryWith } from "../helpers/models";
import { type OtlpReceiver, type ReceivedSpan, startOtlpReceiver } from "../helpers/otlp-receiver";
import { postJson, startTestServer } from "../helpers/server";

// One in-process runtime with tracing on, exporting to a test OTLP receiver: requests over gRPC
// carry their caller's trace in metadata, and requests batched together are linked.

let receiver: OtlpReceiver;
let server: RunningServer;
let client: TestGrpcClient;

const CALLER_TRACE = "0af7651916cd43dd8448eb211c80319c";
const CALLER_SPAN = "b7ad6b7169203331";

const spansOf = (spans: ReceivedSpan[], model: string) =>
  spans.filter((span) => span.attributes["hybridai.model.name"] === model);

beforeAll(async () => {
  process.env.OTEL_BSP_SCHEDULE_DELAY = "50";
  receiver = await startOtlpReceiver();
  const grpcPort = await freePort();
  server = await startTestServer(
    await repositoryWith([
      batchedModel("pairs", {
        max_batch_size: 8,
        dynamic_batching: { max_queue_delay_microseconds: 2_000_000, preferred_batch_size: [4] },
      }),
      batchedModel("single", {}),
    ]),
    {
      grpcPort,
      tracing: {
        tracesUrl: `${receiver.url}/v1/traces`,
        serviceName: "in-process",
        settings: { trace_level: "TIMESTAMPS", trace_rate: 1, trace_count: -1, log_frequency: 0 },
        parentBased: true,
      },
    },
  );
  client = new TestGrpcClient(`127.0.0.1:${grpcPort}`);
}, 120_000);

afterAll(async () => {
  client?.raw.close();
  await server?.shutdown(5000);
  await receiver?.close();
});

describe("tracing in one runtime", () => {
  it("a gRPC call continues the trace in its traceparent metadata", async () => {
    await client.ok(
      "ModelInfer",
      {
        model_name: "single",
        inputs: [
          { name: "x", datatype: "FP32", shape: [1, 2], contents: { fp32_contents: [1, 2] } },
        ],
      },
      { traceparent: `00-${CALLER_TRACE}-${CALLER_SPAN}-01`, "x-request-id": "grpc-traced-1" },
    );
    const spans = await receiver.waitFor((all) =>
      all.some((span) => span.attributes["hybridai.request_id"] === "grpc-traced-1"),
    );
    const request = spans.find(
      (span) => span.attributes["hybridai.request_id"] === "grpc-traced-1",
    );
    expect(request).toMatchObject({
      traceId: CALLER_TRACE,
      parentSpanId: CALLER_SPAN,
      name: "inference.GRPCInferenceService/ModelInfer",
      service: "in-process",
    });
    expect(request?.attributes).toMatchObject({
      "rpc.system": "grpc",
      "rpc.method": "ModelInfer",
      "rpc.grpc.status_code": 0,
      "hybridai.protocol": "grpc",
    });
    const children = spans.filter((span) => span.parentSpanId === request?.spanId);
    expect(children.map((span) => span.name).sort()).toEqual(
      ["batch", "decode", "encode", "queue wait"].sort(),
    );
  });

  it("requests that shared a batch are linked to its span, and it to them", async () => {
    const body = { inputs: [{ name: "x", shape: [1, 2], datatype: "FP32", data: [1, 2] }] };
    const answers = await Promise.all(
      [0, 1, 2, 3].map(() => postJson(`${server.url}/v2/models/pairs/infer`, body)),
    );
    expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200, 200]);
    const spans = await receiver.waitFor(
      (all) =>
        spansOf(all, "pairs").length === 4 &&
        all.some(
          (span) => span.name === "batch" && span.attributes["hybridai.batch.requests"] === 4,
        ),
    );
    const requests = spansOf(spans, "pairs");
    const batch = spans.find(
      (span) => span.name === "batch" && span.attributes["hybridai.batch.requests"] === 4,
    ) as ReceivedSpan;
    expect(batch.attributes["hybridai.batch.size"]).toBe(4);
    const owner = requests.find((request) => request.spanId === batch.parentSpanId) as ReceivedSpan;
    expect(owner).toBeDefined();
    const others = requests.filter((request) => request !== owner);
    expect(batch.links.map((link) => link.spanId).sort()).toEqual(
      others.map((request) => request.spanId).sort(),
    );
    for (const other of others) {
      const queued = spans.find(
        (span) => span.name === "queue wait" && span.parentSpanId === other.spanId,
      );
      expect(queued?.links).toEqual([{ traceId: batch.traceId, spanId: batch.spanId }]);
    }
  });
});
