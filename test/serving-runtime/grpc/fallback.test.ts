import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningServer } from "../../../serving-runtime/src/server";
import { freePort } from "../helpers/free-port";
import { TestGrpcClient } from "../helpers/grpc-client";
import { flakyModel, negateModel, repositoryWith } from "../helpers/models";
import { startTestServer } from "../helpers/server";
import { type StubEndpoint, startStubEndpoint } from "../resilience/helpers/stub-endpoint";

// Fallbacks over gRPC: a fallback model answers a gRPC call as it answers HTTP; a remote fallback
// endpoint forwards the HTTP request as it arrived, so a gRPC call gets the model's own error
// and nothing is sent to the endpoint.

let server: RunningServer;
let client: TestGrpcClient;
let endpoint: StubEndpoint;

// Two rows: the flaky models' Reshape to [4] fails in onnxruntime unless there is exactly one.
const TWO_ROWS = [1, 2, 3, 4, 5, 6, 7, 8];
const request = (model: string) => ({
  model_name: model,
  inputs: [{ name: "x", datatype: "FP32", shape: [2, 4], contents: { fp32_contents: TWO_ROWS } }],
});

beforeAll(async () => {
  endpoint = await startStubEndpoint(() => ({ status: 200, body: "{}" }));
  const root = await repositoryWith([
    negateModel("stand_in"),
    flakyModel("flaky_local", { fallback: { model: "stand_in", on: ["error"] } }),
    flakyModel("flaky_remote", { fallback: { url: endpoint.url, on: ["error"] } }),
  ]);
  server = await startTestServer(root, { grpcPort: await freePort() });
  client = new TestGrpcClient(server.grpc?.address ?? "");
});

afterAll(async () => {
  client.close();
  await server.shutdown(5000);
  await endpoint.close();
});

describe("fallbacks over gRPC", () => {
  it("answers from the fallback model, naming it in the answer's parameters", async () => {
    const answer = await client.ok("ModelInfer", request("flaky_local"));
    expect(answer.model_name).toBe("flaky_local");
    expect(answer.parameters.fallback_model.string_param).toBe("stand_in");
    expect(answer.parameters.fallback_trigger.string_param).toBe("error");
    expect(answer.outputs).toHaveLength(1);
    expect(answer.outputs[0].shape.map(Number)).toEqual([2, 4]);
    const raw: Buffer = answer.raw_output_contents[0];
    const values = Array.from({ length: raw.byteLength / 4 }, (_, i) => raw.readFloatLE(4 * i));
    expect(values).toEqual([-1, -2, -3, -4, -5, -6, -7, -8]);
  });

  it("does not forward a gRPC call to a remote fallback endpoint: the model's own error, nothing sent", async () => {
    const error = await client.error("ModelInfer", request("flaky_remote"));
    expect(error.code).toBe(13);
    expect(error.details).toMatch(/^model 'flaky_remote' version 1: model execution failed/);
    expect(error.details).not.toMatch(/fallback/);
    expect(endpoint.received).toHaveLength(0);
  });
});
