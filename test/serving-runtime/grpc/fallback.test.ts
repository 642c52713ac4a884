import type { RunningServer } from "@hybridai/serving-runtime/src/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "../helpers/free-port";
import { TestGrpcClient } from "../helpers/grpc-client";
import { flakyModel, negateModel, repositoryWith } from "../helpers/models";
import { metricValue, startTestServer, waitForValue } from "../helpers/server";
import { type StubEndpoint, startStubEndpoint } from "../resilience/helpers/stub-endpoint";

// Fallbacks and shadows over gRPC: a fallback model answers a gRPC call as it answers HTTP; a
// remote fallback endpoint and a shadow get the call as an HTTP request of the binary tensor
// extension, and the endpoint's answer comes back as a ModelInferResponse.

const servers: RunningServer[] = [];
let client: TestGrpcClient;
let cloudUrl: string;
let recording: StubEndpoint;
let edgeUrl: string;

// Two rows: the flaky models' Reshape to [4] fails in onnxruntime unless there is exactly one.
const TWO_ROWS = [1, 2, 3, 4, 5, 6, 7, 8];
const request = (model: string) => ({
  model_name: model,
  inputs: [{ name: "x", datatype: "FP32", shape: [2, 4], contents: { fp32_contents: TWO_ROWS } }],
});
const floats = (raw: Buffer) =>
  Array.from({ length: raw.byteLength / 4 }, (_, i) => raw.readFloatLE(4 * i));

beforeAll(async () => {
  // The "cloud": a second runtime whose models of the same names negate their input.
  const cloud = await startTestServer(await repositoryWith([negateModel("flaky_remote")]));
  servers.push(cloud);
  cloudUrl = cloud.url;
  recording = await startStubEndpoint(() => ({ status: 200, body: "{}" }));
  const edge = await startTestServer(
    await repositoryWith([
      negateModel("stand_in"),
      flakyModel("flaky_local", { fallback: { model: "stand_in", on: ["error"] } }),
      flakyModel("flaky_remote", { fallback: { url: cloudUrl, on: ["error"] } }),
      {
        ...negateModel("shadowed"),
        config: { shadow: { url: recording.url, sample: 1 } },
      },
    ]),
    { grpcPort: await freePort() },
  );
  servers.push(edge);
  edgeUrl = edge.url;
  client = new TestGrpcClient(edge.grpc?.address ?? "");
});

afterAll(async () => {
  client.close();
  await Promise.all(servers.map((server) => server.shutdown(5000)));
  await recording.close();
});

describe("fallbacks and shadows over gRPC", () => {
  it("answers from the fallback model, naming it in the answer's parameters", async () => {
    const answer = await client.ok("ModelInfer", request("flaky_local"));
    expect(answer.model_name).toBe("flaky_local");
    expect(answer.parameters.fallback_model.string_param).toBe("stand_in");
    expect(answer.parameters.fallback_trigger.string_param).toBe("error");
    expect(answer.outputs).toHaveLength(1);
    expect(answer.outputs[0].shape.map(Number)).toEqual([2, 4]);
    expect(floats(answer.raw_output_contents[0])).toEqual([-1, -2, -3, -4, -5, -6, -7, -8]);
  });

  it("forwards a failed call to the remote fallback endpoint and relays its answer as gRPC", async () => {
    const answer = await client.ok("ModelInfer", { ...request("flaky_remote"), id: "call-7" });
    expect(answer.model_name).toBe("flaky_remote");
    expect(answer.model_version).toBe("1");
    expect(answer.id).toBe("call-7");
    expect(answer.parameters.fallback_endpoint.string_param).toBe(cloudUrl);
    expect(answer.parameters.fallback_trigger.string_param).toBe("error");
    expect(answer.outputs.map((o: { name: string; datatype: string }) => o.name)).toEqual(["y"]);
    expect(answer.outputs[0].datatype).toBe("FP32");
    expect(answer.outputs[0].shape.map(Number)).toEqual([2, 4]);
    expect(floats(answer.raw_output_contents[0])).toEqual([-1, -2, -3, -4, -5, -6, -7, -8]);
    const forwarded = await metricValue(edgeUrl, "hybridai_fallback_endpoint_requests_total", {
      model: "flaky_remote",
      trigger: "error",
      result: "success",
    });
    expect(forwarded).toBe(1);
  });

  it("sends a sampled copy of a gRPC call to the model's shadow as an HTTP binary request", async () => {
    await client.ok("ModelInfer", request("shadowed"), { "x-request-id": "shadow-1" });
    expect(await waitForValue(async () => recording.received.length, 1)).toBe(1);
    const [sent] = recording.received;
    expect(sent.url).toBe("/v2/models/shadowed/infer");
    const headerLength = Number(sent.headers["inference-header-content-length"]);
    const header = JSON.parse(sent.body.subarray(0, headerLength).toString("utf8"));
    expect(header).toEqual({
      inputs: [
        { name: "x", shape: [2, 4], datatype: "FP32", parameters: { binary_data_size: 32 } },
      ],
      outputs: [{ name: "y", parameters: { binary_data: true } }],
    });
    expect(floats(sent.body.subarray(headerLength))).toEqual(TWO_ROWS);
  });
});
