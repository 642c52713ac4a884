import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { writeRepository } from "@hybridai/serving-runtime/src/modelgen/write-repository";
import { OptionsError, parseCommandLine } from "@hybridai/serving-runtime/src/options";
import type { RunningServer } from "@hybridai/serving-runtime/src/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "../helpers/free-port";
import { TestGrpcClient } from "../helpers/grpc-client";
import {
  batchedModel,
  identityModel,
  negateModel,
  repositoryWith,
  writeBrokenModel,
} from "../helpers/models";
import {
  explicitModelControl,
  getJson,
  type ModelControlAccess,
  postJson,
  startTestServer,
  waitForValue,
} from "../helpers/server";
import { type StubEndpoint, startStubEndpoint } from "../resilience/helpers/stub-endpoint";

// Issue 24, finding 1: with no auth flags, a load request's parameters.config could make the
// server read any file (token_file), send it to any URL (fallback/shadow url) with every
// client's requests, and say whether a path exists; a failed load still left its fallback in
// effect. Model control is now off unless asked for, settings that name a file or a URL come
// only from the repository's files, and a failed load changes nothing.

const ROWS = (n: number) => ({
  inputs: [
    {
      name: "x",
      shape: [n, 4],
      datatype: "FP32",
      data: Array.from({ length: n * 4 }, (_, i) => i + 1),
    },
  ],
});

/** parameters.config overrides that name a URL or a file, and the fields each must be refused for. */
function hostileOverrides(url: string, secret: string) {
  return [
    {
      config: { fallback: { url, token_file: secret, on: ["error"] } },
      fields: ["fallback.url", "fallback.token_file"],
    },
    {
      config: { shadow: { url, token_file: "/nonexistent/token", sample_rate: 1 } },
      fields: ["shadow.url", "shadow.token_file"],
    },
    { config: { fallback: { url, on: ["error"] } }, fields: ["fallback.url"] },
  ];
}

let stub: StubEndpoint;
let secret: string;

beforeAll(async () => {
  stub = await startStubEndpoint(() => ({ status: 200, body: "{}" }));
  const directory = await mkdtemp(path.join(tmpdir(), "hybridai-secret-"));
  secret = path.join(directory, "secret");
  await writeFile(secret, "top-secret-contents");
});

afterAll(async () => {
  await stub.close();
});

describe("--model-control-mode none (the default)", () => {
  let server: RunningServer;
  let client: TestGrpcClient;

  beforeAll(async () => {
    server = await startTestServer(await repositoryWith([negateModel("flaky")]), {
      grpcPort: await freePort(),
    });
    client = new TestGrpcClient(server.grpc?.address ?? "");
  });

  afterAll(async () => {
    client.close();
    await server.shutdown(5000);
  });

  it("answers load and unload with 403 naming the flag over HTTP and gRPC, reading nothing", async () => {
    for (const action of ["load", "unload"]) {
      const response = await postJson(`${server.url}/v2/repository/models/flaky/${action}`, {
        parameters: { config: JSON.stringify(hostileOverrides(stub.url, secret)[0].config) },
      });
      expect(response.status).toBe(403);
      expect(response.body.error).toMatch(/--model-control-mode none/);
    }
    for (const method of ["RepositoryModelLoad", "RepositoryModelUnload"]) {
      const error = await client.error(method, { model_name: "flaky" });
      expect(error.code).toBe(7);
      expect(error.details).toMatch(/--model-control-mode none/);
    }
    const answer = await postJson(`${server.url}/v2/models/flaky/infer`, ROWS(2));
    expect([answer.status, answer.body.parameters]).toEqual([200, undefined]);
    expect(stub.received).toEqual([]);
  });

  it("keeps the repository index readable", async () => {
    const index = await postJson(`${server.url}/v2/repository/index`, {});
    expect(index.status).toBe(200);
    expect(index.body).toEqual([{ name: "flaky", version: "1", state: "READY", reason: "" }]);
    expect(await client.ok("RepositoryIndex", {})).toEqual({
      models: [{ name: "flaky", version: "1", state: "READY", reason: "" }],
    });
  });
});

describe("--model-control-mode explicit", () => {
  let server: RunningServer;
  let client: TestGrpcClient;
  let control: ModelControlAccess;

  beforeAll(async () => {
    const root = await repositoryWith([negateModel("flaky"), negateModel("backup")]);
    await writeBrokenModel(root, "broken");
    control = await explicitModelControl();
    server = await startTestServer(root, {
      ...control.options,
      strictReadiness: false,
      grpcPort: await freePort(),
    });
    client = new TestGrpcClient(server.grpc?.address ?? "");
  });

  afterAll(async () => {
    client.close();
    await server.shutdown(5000);
  });

  it("refuses to start without a repository token", async () => {
    await expect(
      startTestServer(server.repository.root, { modelControlMode: "explicit" }),
    ).rejects.toThrow(/--model-control-mode explicit needs --repository-auth-token-file/);
    expect(() =>
      parseCommandLine(["--model-repository", "models", "--model-control-mode", "explicit"], {}),
    ).toThrow(OptionsError);
    expect(() =>
      parseCommandLine(["--model-repository", "models", "--model-control-mode", "sometimes"], {}),
    ).toThrow(/--model-control-mode 'sometimes'/);
  });

  it("loads and unloads for the repository token holder only", async () => {
    const unload = `${server.url}/v2/repository/models/backup/unload`;
    expect((await postJson(unload, {})).status).toBe(401);
    expect((await postJson(unload, {}, control.headers)).status).toBe(200);
    const load = `${server.url}/v2/repository/models/backup/load`;
    expect((await postJson(load, {}, control.headers)).status).toBe(200);
    expect((await postJson(`${server.url}/v2/models/backup/infer`, ROWS(1))).status).toBe(200);
  });

  it("refuses overrides that name a URL or a file with 400 naming the field, over HTTP and gRPC", async () => {
    for (const { config, fields } of hostileOverrides(stub.url, secret)) {
      const text = JSON.stringify(config);
      const response = await postJson(
        `${server.url}/v2/repository/models/flaky/load`,
        { parameters: { config: text } },
        control.headers,
      );
      expect(response.status).toBe(400);
      for (const field of fields) expect(response.body.error).toContain(field);
      expect(response.body.error).toMatch(/only from the model repository/);
      expect(response.body.error).not.toMatch(/ENOENT|EISDIR|top-secret/);
      const error = await client.error(
        "RepositoryModelLoad",
        { model_name: "flaky", parameters: { config: { string_param: text } } },
        control.headers,
      );
      expect(error.code).toBe(3);
      for (const field of fields) expect(error.details).toContain(field);
    }
    // The model serves as before, and nothing reached the would-be endpoint.
    const answer = await postJson(`${server.url}/v2/models/flaky/infer`, ROWS(2));
    expect([answer.status, answer.body.parameters]).toEqual([200, undefined]);
    expect(stub.received).toEqual([]);
  });

  it("keeps the served version and its settings when a load fails", async () => {
    const before = await getJson(`${server.url}/v2/models/flaky/config`);
    const failing = JSON.stringify({
      fallback: { model: "backup", on: ["error"] },
      max_batch_size: 0,
      dynamic_batching: {},
    });
    const load = await postJson(
      `${server.url}/v2/repository/models/flaky/load`,
      { parameters: { config: failing } },
      control.headers,
    );
    expect(load.status).toBe(400);
    expect(load.body.error).toMatch(/dynamic_batching needs max_batch_size > 0/);
    expect(await getJson(`${server.url}/v2/models/flaky/config`)).toEqual(before);
    const answer = await postJson(`${server.url}/v2/models/flaky/infer`, ROWS(2));
    expect(answer.status).toBe(200);
    expect(answer.body.parameters).toBeUndefined();
    expect(answer.body.outputs[0].data).toEqual([-1, -2, -3, -4, -5, -6, -7, -8]);
  });

  it("leaves a model that has no version without a fallback when a load naming one fails", async () => {
    const load = await postJson(
      `${server.url}/v2/repository/models/broken/load`,
      { parameters: { config: JSON.stringify({ fallback: { model: "backup", on: ["error"] } }) } },
      control.headers,
    );
    expect(load.status).toBe(400);
    const answer = await postJson(`${server.url}/v2/models/broken/infer`, ROWS(1));
    expect(answer.status).toBe(503);
    expect(answer.body.error).toMatch(/model 'broken' is not ready/);
  });
});

describe("--model-control-mode poll", () => {
  let server: RunningServer;
  let root: string;

  beforeAll(async () => {
    root = await repositoryWith([identityModel("FP32"), negateModel("leaving")]);
    server = await startTestServer(root, {
      modelControlMode: "poll",
      repositoryPollSeconds: 0.2,
      strictReadiness: false,
    });
  });

  afterAll(async () => {
    await server.shutdown(5000);
  });

  const state = async (name: string) => {
    const index = await postJson(`${server.url}/v2/repository/index`, {});
    const row = (index.body as { name: string; state: string }[]).find((r) => r.name === name);
    return row?.state ?? "absent";
  };

  it("answers load and unload with 403 naming the flag", async () => {
    const response = await postJson(`${server.url}/v2/repository/models/leaving/unload`, {});
    expect(response.status).toBe(403);
    expect(response.body.error).toMatch(/--model-control-mode poll/);
  });

  it("loads a model added to the repository", async () => {
    await writeRepository(root, [batchedModel("arrived", { max_batch_size: 2 })]);
    expect(await waitForValue(() => state("arrived"), "READY", 15_000)).toBe("READY");
    expect((await postJson(`${server.url}/v2/models/arrived/infer`, ROWS(1))).status).toBe(200);
  });

  it("reloads a model whose files changed, and keeps serving it when the change does not load", async () => {
    await writeRepository(root, [batchedModel("identity_fp32", { max_batch_size: 3 })], 1);
    const maxBatch = async () =>
      (await getJson(`${server.url}/v2/models/identity_fp32/config`)).max_batch_size;
    expect(await waitForValue(maxBatch, 3, 15_000)).toBe(3);
    await writeFile(path.join(root, "identity_fp32", "config.json"), '{"max_batch_size": "x"}');
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(await maxBatch()).toBe(3);
    expect((await postJson(`${server.url}/v2/models/identity_fp32/infer`, ROWS(1))).status).toBe(
      200,
    );
  });

  it("unloads a model removed from the repository", async () => {
    await rm(path.join(root, "leaving"), { recursive: true });
    expect(await waitForValue(() => state("leaving"), "UNAVAILABLE", 15_000)).toBe("UNAVAILABLE");
    expect((await postJson(`${server.url}/v2/models/leaving/infer`, ROWS(1))).status).toBe(503);
  });
});
