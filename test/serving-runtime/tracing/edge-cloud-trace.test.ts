import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildRuntime, CLI, type ServerProcess, spawnServer, waitForUrl } from "../helpers/cli";
import { flakyModel, negateModel, repositoryWith } from "../helpers/models";
import { type OtlpReceiver, type ReceivedSpan, startOtlpReceiver } from "../helpers/otlp-receiver";
import { postJson } from "../helpers/server";

// Two real runtime processes on loopback, both exporting OTLP/HTTP protobuf to a test receiver:
// an "edge" whose model fails on a two-row request and falls back to the "cloud", and whose
// other model sends a shadow copy of each request to the cloud.

const started: ServerProcess[] = [];
let receiver: OtlpReceiver;
let edge: ServerProcess;
let edgeUrl: string;
let cloudUrl: string;

const SERVER = 2;
const CLIENT = 3;
const ERROR = 2;
const CLIENT_TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
const CLIENT_SPAN = "00f067aa0ba902b7";

function spawnTraced(root: string, service: string, extra: string[] = []): ServerProcess {
  const server = spawnServer(
    "node",
    [
      CLI,
      ...["--model-repository", root, "--host", "127.0.0.1", "--port", "0"],
      ...["--log-level", "debug", "--intra-op-threads", "1", "--inter-op-threads", "1"],
      ...["--trace-endpoint", receiver.url, "--trace-service-name", service],
      ...extra,
    ],
    { OTEL_BSP_SCHEDULE_DELAY: "50" },
  );
  started.push(server);
  return server;
}

const rows = (n: number) => ({
  inputs: [{ name: "x", shape: [n, 4], datatype: "FP32", data: Array(n * 4).fill(1) }],
});

function one(spans: ReceivedSpan[], test: (span: ReceivedSpan) => boolean): ReceivedSpan {
  const found = spans.filter(test);
  expect(found).toHaveLength(1);
  return found[0];
}

const childrenOf = (spans: ReceivedSpan[], parent: ReceivedSpan) =>
  spans.filter((span) => span.parentSpanId === parent.spanId && span.traceId === parent.traceId);

beforeAll(async () => {
  await buildRuntime();
  receiver = await startOtlpReceiver();
  const cloud = spawnTraced(
    await repositoryWith([negateModel("traced"), negateModel("shadowed")]),
    "cloud",
  );
  cloudUrl = await waitForUrl(cloud);
  const shadowed = negateModel("shadowed");
  edge = spawnTraced(
    await repositoryWith([
      flakyModel("traced", { fallback: { url: cloudUrl, on: ["error"] } }),
      { ...shadowed, config: { shadow: { url: cloudUrl, sample: 1 } } },
    ]),
    "edge",
    ["--audit-log", "stdout"],
  );
  edgeUrl = await waitForUrl(edge);
}, 300_000);

afterAll(async () => {
  for (const server of started) if (server.child.exitCode === null) server.child.kill("SIGKILL");
  await receiver?.close();
});

describe("one trace across edge and cloud", () => {
  it("an edge request that fails and falls back to the cloud is one trace with spans from both processes", async () => {
    const answer = await postJson(`${edgeUrl}/v2/models/traced/infer`, rows(2), {
      traceparent: `00-${CLIENT_TRACE}-${CLIENT_SPAN}-01`,
      "x-request-id": "trace-fallback-1",
    });
    expect(answer.status).toBe(200);
    expect(answer.body.parameters.fallback_endpoint).toBe(cloudUrl);

    const isRequest = (service: string) => (span: ReceivedSpan) =>
      span.traceId === CLIENT_TRACE && span.service === service && span.kind === SERVER;
    const spans = await receiver.waitFor(
      (all) =>
        all.some(isRequest("cloud")) &&
        all.some(isRequest("edge")) &&
        all.filter((span) => span.traceId === CLIENT_TRACE && span.service === "cloud").length >= 6,
    );
    const trace = spans.filter((span) => span.traceId === CLIENT_TRACE);
    expect(new Set(trace.map((span) => span.service))).toEqual(new Set(["edge", "cloud"]));

    const edgeRequest = one(trace, isRequest("edge"));
    expect(edgeRequest.name).toBe("POST /v2/models/{model_name}/infer");
    expect(edgeRequest.parentSpanId).toBe(CLIENT_SPAN);
    expect(edgeRequest.attributes).toMatchObject({
      "hybridai.model.name": "traced",
      "hybridai.model.version": "1",
      "hybridai.protocol": "http",
      "hybridai.request_id": "trace-fallback-1",
      "http.response.status_code": 200,
    });

    // The edge ran the model (queue wait, batch, execution that failed), then forwarded.
    const edgeChildren = childrenOf(trace, edgeRequest);
    const names = edgeChildren.map((span) => span.name);
    expect(names).toEqual(expect.arrayContaining(["decode", "queue wait", "batch", "fallback"]));
    const batch = one(edgeChildren, (span) => span.name === "batch");
    // The model does not batch (no max_batch_size): the request is one item.
    expect(batch.attributes["hybridai.batch.size"]).toBe(1);
    expect(batch.attributes["hybridai.batch.requests"]).toBe(1);
    const execute = one(childrenOf(trace, batch), (span) => span.name === "execute");
    expect(execute.attributes).toMatchObject({
      "hybridai.instance": 0,
      "hybridai.placement": "inline",
    });
    expect(execute.status.code).toBe(ERROR);
    expect(execute.status.message).toMatch(/model execution failed/);
    const fallback = one(edgeChildren, (span) => span.name === "fallback");
    expect(fallback.kind).toBe(CLIENT);
    expect(fallback.attributes).toMatchObject({
      "hybridai.fallback.trigger": "error",
      "hybridai.fallback.endpoint": cloudUrl,
    });

    // The cloud's request span is the child of the edge's fallback span.
    const cloudRequest = one(trace, isRequest("cloud"));
    expect(cloudRequest.parentSpanId).toBe(fallback.spanId);
    expect(cloudRequest.attributes).toMatchObject({
      "hybridai.forwarded": "fallback",
      "hybridai.request_id": "trace-fallback-1",
      "http.response.status_code": 200,
    });
    const cloudChildren = childrenOf(trace, cloudRequest).map((span) => span.name);
    expect(cloudChildren).toEqual(
      expect.arrayContaining(["decode", "queue wait", "batch", "encode"]),
    );
    const cloudBatch = one(childrenOf(trace, cloudRequest), (span) => span.name === "batch");
    const cloudExecute = one(childrenOf(trace, cloudBatch), (span) => span.name === "execute");
    expect(cloudExecute.status.code).toBe(0);
    for (const span of trace) expect(span.endNanos).toBeGreaterThanOrEqual(span.startNanos);
    expect(receiver.contentTypes.every((type) => type === "application/x-protobuf")).toBe(true);

    // The audit record and the request's log line carry the ids.
    const lines = edge
      .stdout()
      .split("\n")
      .filter((line) => line.includes("trace-fallback-1"))
      .map((line) => JSON.parse(line));
    const audit = lines.find((line) => line.input_digest !== undefined);
    expect(audit).toMatchObject({ trace_id: CLIENT_TRACE, span_id: edgeRequest.spanId });
    const logged = lines.find((line) => line.msg === "request completed");
    expect(logged).toMatchObject({ trace_id: CLIENT_TRACE, span_id: edgeRequest.spanId });
  });

  it("a shadow copy is a span under the request's trace, and the cloud's answer to it is its child", async () => {
    const answer = await postJson(`${edgeUrl}/v2/models/shadowed/infer`, rows(1));
    expect(answer.status).toBe(200);
    // The edge's shadow span ends after the cloud answered the copy, so it may reach the
    // receiver in a later export than the cloud's span: wait for both, and the edge's request.
    const spans = await receiver.waitFor(
      (all) =>
        all.some(
          (span) => span.service === "cloud" && span.attributes["hybridai.forwarded"] === "shadow",
        ) &&
        all.some((span) => span.service === "edge" && span.name === "shadow") &&
        all.some(
          (span) =>
            span.service === "edge" &&
            span.kind === SERVER &&
            span.attributes["hybridai.model.name"] === "shadowed",
        ),
    );
    const request = one(
      spans,
      (span) =>
        span.service === "edge" &&
        span.kind === SERVER &&
        span.attributes["hybridai.model.name"] === "shadowed",
    );
    expect(request.parentSpanId).toBe("");
    expect(request.attributes["hybridai.shadow.sampled"]).toBe(true);
    const shadow = one(childrenOf(spans, request), (span) => span.name === "shadow");
    expect(shadow.kind).toBe(CLIENT);
    expect(shadow.attributes["hybridai.shadow.target"]).toBe(cloudUrl);
    // negate answers like negate: no disagreement.
    expect(shadow.attributes["hybridai.shadow.disagrees"]).toBe(false);
    const cloudCopy = one(
      spans,
      (span) => span.service === "cloud" && span.attributes["hybridai.forwarded"] === "shadow",
    );
    expect(cloudCopy.traceId).toBe(request.traceId);
    expect(cloudCopy.parentSpanId).toBe(shadow.spanId);
  });

  it("records a request the client got wrong with the message the client got", async () => {
    const answer = await postJson(
      `${edgeUrl}/v2/models/shadowed/infer`,
      {
        inputs: [{ name: "nope", shape: [1, 4], datatype: "FP32", data: [1, 2, 3, 4] }],
      },
      { "x-request-id": "trace-bad-1" },
    );
    expect(answer.status).toBe(400);
    const spans = await receiver.waitFor((all) =>
      all.some((span) => span.attributes["hybridai.request_id"] === "trace-bad-1"),
    );
    const request = one(spans, (span) => span.attributes["hybridai.request_id"] === "trace-bad-1");
    expect(request.attributes["http.response.status_code"]).toBe(400);
    expect(request.attributes["error.type"]).toBe("400");
    expect(request.events).toEqual([
      expect.objectContaining({
        name: "exception",
        attributes: expect.objectContaining({ "exception.message": answer.body.error }),
      }),
    ]);
    const decode = one(childrenOf(spans, request), (span) => span.name === "decode");
    expect(decode.events[0].attributes["exception.message"]).toBe(answer.body.error);
  });
});
