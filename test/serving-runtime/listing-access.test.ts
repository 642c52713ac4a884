import { createHash } from "node:crypto";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { RunningServer } from "@hybridai/serving-runtime/src/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "./helpers/free-port";
import { TestGrpcClient } from "./helpers/grpc-client";
import { identityModel, negateModel, repositoryWith } from "./helpers/models";
import { type Json, postJson, startTestServer } from "./helpers/server";

// Issue 24, finding 4: a client allowed only one model got every model's statistics and every
// model from the repository index, 404 for a model that does not exist but 403 for one that does
// (an existence oracle), and an unauthenticated /metrics listed model and client names with
// their counts and quotas. Every listing now goes through the access rule inference uses.

const TOKEN = "acme-web-token";
const CLIENT = "acme-web-7f3";
const bearer = { authorization: `Bearer ${TOKEN}` };
const body = { inputs: [{ name: "x", shape: [1, 4], datatype: "FP32", data: [1, 2, 3, 4] }] };

let server: RunningServer;
let client: TestGrpcClient;

beforeAll(async () => {
  const root = await repositoryWith([negateModel("allowed"), identityModel("FP32")]);
  const tokensFile = path.join(await mkdtemp(path.join(tmpdir(), "hybridai-listing-")), "t.json");
  await writeFile(
    tokensFile,
    JSON.stringify({
      clients: [
        {
          name: CLIENT,
          token_sha256: createHash("sha256").update(TOKEN).digest("hex"),
          models: ["allowed"],
          daily_quota: 100,
        },
      ],
    }),
  );
  server = await startTestServer(root, {
    tokensFile,
    grpcPort: await freePort(),
    metricsPort: await freePort(),
  });
  client = new TestGrpcClient(server.grpc?.address ?? "");
  expect((await postJson(`${server.url}/v2/models/allowed/infer`, body, bearer)).status).toBe(200);
});

afterAll(async () => {
  client.close();
  await server.shutdown(5000);
});

describe("one access rule for every listing", () => {
  it("gives a restricted client only its models' statistics, over HTTP and gRPC", async () => {
    const http = (await (
      await fetch(`${server.url}/v2/models/stats`, { headers: bearer })
    ).json()) as Json;
    expect(http.model_stats.map((entry: Json) => entry.name)).toEqual(["allowed"]);
    const grpc = await client.ok("ModelStatistics", {}, bearer);
    expect(grpc.model_stats.map((entry: Json) => entry.name)).toEqual(["allowed"]);
  });

  it("gives a restricted client only its models in the repository index, over HTTP and gRPC", async () => {
    const http = await postJson(`${server.url}/v2/repository/index`, {}, bearer);
    expect(http.body).toEqual([{ name: "allowed", version: "1", state: "READY", reason: "" }]);
    const grpc = await client.ok("RepositoryIndex", {}, bearer);
    expect(grpc.models.map((row: Json) => row.name)).toEqual(["allowed"]);
  });

  it("answers a model that does not exist exactly as one the client may not see", async () => {
    const same = (forbidden: unknown, missing: unknown) =>
      expect(JSON.stringify(missing).replaceAll("no_such_model", "identity_fp32")).toBe(
        JSON.stringify(forbidden),
      );
    for (const model of ["identity_fp32", "no_such_model"]) {
      expect((await postJson(`${server.url}/v2/models/${model}/infer`, body, bearer)).status).toBe(
        403,
      );
    }
    const httpAnswers = async (model: string) => {
      const answers: unknown[] = [];
      answers.push(await postJson(`${server.url}/v2/models/${model}/infer`, body, bearer));
      for (const suffix of ["", "/ready", "/config", "/stats", "/versions/1"]) {
        const response = await fetch(`${server.url}/v2/models/${model}${suffix}`, {
          headers: bearer,
        });
        answers.push({ status: response.status, body: await response.text() });
      }
      return answers.map((answer) => ({ ...(answer as object), headers: undefined }));
    };
    same(await httpAnswers("identity_fp32"), await httpAnswers("no_such_model"));
    const grpcAnswers = async (model: string) => {
      const answers: unknown[] = [];
      const infer = {
        model_name: model,
        inputs: [
          { name: "x", datatype: "FP32", shape: [1, 4], contents: { fp32_contents: [1, 2, 3, 4] } },
        ],
      };
      const inferError = await client.error("ModelInfer", infer, bearer);
      answers.push([inferError.code, inferError.details]);
      for (const method of ["ModelMetadata", "ModelReady", "ModelConfig", "ModelStatistics"]) {
        const error = await client.error(method, { name: model }, bearer);
        answers.push([method, error.code, error.details]);
      }
      return answers;
    };
    const grpcForbidden = await grpcAnswers("identity_fp32");
    expect(grpcForbidden[0]).toEqual([
      7,
      `client '${CLIENT}' may not use model 'identity_fp32'; its tokens-file entry lists 'allowed'`,
    ]);
    same(grpcForbidden, await grpcAnswers("no_such_model"));
  });
});

describe("metrics on their own port", () => {
  it("serves /metrics only on --metrics-port", async () => {
    expect((await fetch(`${server.url}/metrics`)).status).toBe(401);
    expect((await fetch(`${server.url}/metrics`, { headers: bearer })).status).toBe(404);
    const page = await fetch(`${server.metricsUrl}/metrics`);
    expect(page.status).toBe(200);
    expect(await page.text()).toMatch(/^nv_inference_request_success\{model="allowed"/m);
    expect((await fetch(`${server.metricsUrl}/v2/health/live`)).status).toBe(404);
  });

  it("leaves client names out of the metrics unless --metrics-client-labels is given", async () => {
    const page = await (await fetch(`${server.metricsUrl}/metrics`)).text();
    expect(page).not.toContain(CLIENT);
    expect(page).not.toContain("hybridai_client_quota_remaining");
    expect(page).toMatch(
      /^hybridai_client_requests_total\{model="allowed",outcome="admitted"\} 1$/m,
    );
  });
});
