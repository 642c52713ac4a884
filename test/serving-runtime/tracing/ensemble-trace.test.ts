import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildRuntime, CLI, type ServerProcess, spawnServer, waitForUrl } from "../helpers/cli";
import { scaleModel, step, tensor, writeEnsemble } from "../helpers/ensembles";
import { repositoryWith } from "../helpers/models";
import { type OtlpReceiver, type ReceivedSpan, startOtlpReceiver } from "../helpers/otlp-receiver";
import { postJson } from "../helpers/server";

// An ensemble on an "edge" runtime whose first step runs locally and whose second step runs on
// a "cloud" runtime: both processes export OTLP/HTTP protobuf to one test receiver, and the
// whole pipeline is one trace.

const started: ServerProcess[] = [];
let receiver: OtlpReceiver;
let edgeUrl: string;
let cloudUrl: string;

const SERVER = 2;
const CLIENT = 3;
const CLIENT_TRACE = "0af7651916cd43dd8448eb211c80319c";
const CLIENT_SPAN = "b7ad6b7169203331";

function spawnTraced(root: string, service: string): ServerProcess {
  const server = spawnServer(
    "node",
    [
      CLI,
      ...["--model-repository", root, "--host", "127.0.0.1", "--port", "0"],
      ...["--intra-op-threads", "1", "--inter-op-threads", "1"],
      ...["--trace-endpoint", receiver.url, "--trace-service-name", service],
    ],
    { OTEL_BSP_SCHEDULE_DELAY: "50" },
  );
  started.push(server);
  return server;
}

function one(spans: ReceivedSpan[], test: (span: ReceivedSpan) => boolean): ReceivedSpan {
  const found = spans.filter(test);
  expect(found).toHaveLength(1);
  return found[0];
}

beforeAll(async () => {
  await buildRuntime();
  receiver = await startOtlpReceiver();
  cloudUrl = await waitForUrl(
    spawnTraced(await repositoryWith([scaleModel("triple", 3)]), "cloud"),
  );
  const edgeRoot = await repositoryWith([scaleModel("double", 2)]);
  await writeEnsemble(edgeRoot, "pipe", {
    platform: "ensemble",
    input: [tensor("X", [-1, 4])],
    output: [tensor("OUT", [-1, 4])],
    ensemble_scheduling: {
      step: [
        step("double", { x: "X" }, { y: "D" }),
        step("triple", { x: "D" }, { y: "OUT" }, { remote: { url: cloudUrl, timeout_ms: 5000 } }),
      ],
    },
  });
  edgeUrl = await waitForUrl(spawnTraced(edgeRoot, "edge"));
}, 300_000);

afterAll(async () => {
  for (const server of started) if (server.child.exitCode === null) server.child.kill("SIGKILL");
  await receiver?.close();
});

describe("an ensemble with a remote step", () => {
  it("is one trace: the local step's spans and the remote step's call under the request, the cloud's request under that call", async () => {
    const answer = await postJson(
      `${edgeUrl}/v2/models/pipe/infer`,
      { inputs: [{ name: "X", shape: [1, 4], datatype: "FP32", data: [1, 2, 3, 4] }] },
      { traceparent: `00-${CLIENT_TRACE}-${CLIENT_SPAN}-01` },
    );
    expect(answer.status).toBe(200);
    expect(answer.body.outputs[0].data).toEqual([6, 12, 18, 24]);

    const inTrace = (service: string) => (span: ReceivedSpan) =>
      span.traceId === CLIENT_TRACE && span.service === service;
    const spans = await receiver.waitFor(
      (all) =>
        all.some((span) => inTrace("cloud")(span) && span.kind === SERVER) &&
        all.some((span) => inTrace("edge")(span) && span.kind === SERVER),
    );
    const edgeSpans = spans.filter(inTrace("edge"));
    const cloudSpans = spans.filter(inTrace("cloud"));

    const edgeRequest = one(edgeSpans, (span) => span.kind === SERVER);
    expect(edgeRequest.parentSpanId).toBe(CLIENT_SPAN);
    expect(edgeRequest.attributes["hybridai.model.name"]).toBe("pipe");

    // The local step ran through the edge's scheduler: its queue wait and batch are in the trace.
    const edgeNames = edgeSpans.map((span) => span.name);
    expect(edgeNames).toEqual(expect.arrayContaining(["queue wait", "batch", "execute"]));

    const remoteStep = one(edgeSpans, (span) => span.name === "ensemble remote step");
    expect(remoteStep.kind).toBe(CLIENT);
    expect(remoteStep.parentSpanId).toBe(edgeRequest.spanId);
    expect(remoteStep.attributes).toMatchObject({
      "hybridai.ensemble.step_model": "triple",
      "http.response.status_code": 200,
    });

    const cloudRequest = one(cloudSpans, (span) => span.kind === SERVER);
    expect(cloudRequest.parentSpanId).toBe(remoteStep.spanId);
    expect(cloudRequest.attributes["hybridai.model.name"]).toBe("triple");
    expect(cloudSpans.map((span) => span.name)).toEqual(
      expect.arrayContaining(["decode", "queue wait", "batch", "execute", "encode"]),
    );
  });
});
