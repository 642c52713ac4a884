import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { RunningServer } from "@hybridai/serving-runtime/src/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "../helpers/free-port";
import { TestGrpcClient } from "../helpers/grpc-client";
import { batchedModel, identityModel, multiModel, repositoryWith } from "../helpers/models";
import { type Json, metricValue, postJson, startTestServer, waitForValue } from "../helpers/server";

const LIMIT = 4096;
const servers: RunningServer[] = [];
let root: string;
let server: RunningServer;
let client: TestGrpcClient;

async function start(overrides: Parameters<typeof startTestServer>[1] = {}) {
  const started = await startTestServer(root, { grpcPort: await freePort(), ...overrides });
  servers.push(started);
  return started;
}

beforeAll(async () => {
  root = await repositoryWith([
    identityModel("FP32"),
    identityModel("UINT8"),
    multiModel(),
    batchedModel("b4", { max_batch_size: 4 }),
    batchedModel("small_queue", {
      max_batch_size: 8,
      dynamic_batching: {
        max_queue_delay_microseconds: 3_000_000,
        preferred_batch_size: [8],
        default_queue_policy: { max_queue_size: 2 },
      },
    }),
  ]);
  server = await start({ bodyLimitBytes: LIMIT, defaultMaxBatchSize: 0 });
  client = new TestGrpcClient(server.grpc?.address ?? "");
});

afterAll(async () => {
  client.close();
  await Promise.all(servers.map((s) => s.shutdown(5000)));
});

interface Case {
  /** What the request gets wrong. */
  name: string;
  /** Model addressed. */
  model: string;
  /** The request's inputs, outputs and parameters in JSON form; gRPC gets them as `contents`. */
  json: Json;
}

/** A JSON-form request as a gRPC `ModelInferRequest` with typed contents. */
function asGrpc(model: string, json: Json): Json {
  const parameters = (values: Record<string, unknown> | undefined) =>
    Object.fromEntries(
      Object.entries(values ?? {}).map(([key, value]) => [
        key,
        typeof value === "number"
          ? { int64_param: value }
          : typeof value === "boolean"
            ? { bool_param: value }
            : { string_param: value },
      ]),
    );
  return {
    model_name: model,
    parameters: parameters(json.parameters),
    inputs: json.inputs.map((input: Json) => ({
      name: input.name,
      datatype: input.datatype,
      shape: input.shape,
      parameters: parameters(input.parameters),
      contents: { fp32_contents: input.data },
    })),
    outputs: (json.outputs ?? []).map((output: Json) => ({
      name: output.name,
      parameters: parameters(output.parameters),
    })),
  };
}

const x = (shape: number[], data: number[], datatype = "FP32") => ({
  name: "x",
  shape,
  datatype,
  data,
});

const SAME_AS_HTTP: Case[] = [
  {
    name: "a datatype other than the model's",
    model: "identity_fp32",
    json: { inputs: [x([1, 3], [1, 2, 3], "FP64")] },
  },
  {
    name: "a shape that does not match",
    model: "identity_fp32",
    json: { inputs: [x([1, 4], [1, 2, 3, 4])] },
  },
  {
    name: "a negative dimension",
    model: "identity_fp32",
    json: { inputs: [x([-1, 3], [1, 2, 3])] },
  },
  {
    name: "an unknown input",
    model: "identity_fp32",
    json: { inputs: [{ ...x([1, 3], [1, 2, 3]), name: "z" }] },
  },
  {
    name: "an input given twice",
    model: "identity_fp32",
    json: { inputs: [x([1, 3], [1, 2, 3]), x([1, 3], [1, 2, 3])] },
  },
  {
    name: "a missing input",
    model: "multi",
    json: { inputs: [{ name: "a", shape: [1, 2], datatype: "FP32", data: [1, 2] }] },
  },
  {
    name: "an unknown output",
    model: "identity_fp32",
    json: { inputs: [x([1, 3], [1, 2, 3])], outputs: [{ name: "nope" }] },
  },
  {
    name: "a batch over max_batch_size",
    model: "b4",
    json: { inputs: [{ ...x([5, 1], [1, 2, 3, 4, 5]) }] },
  },
  {
    name: "a timeout that is not an integer",
    model: "identity_fp32",
    json: { inputs: [x([1, 3], [1, 2, 3])], parameters: { timeout: "soon" } },
  },
];

describe("ModelInfer refuses what HTTP refuses, with the same message, as INVALID_ARGUMENT", () => {
  it.each(SAME_AS_HTTP)("$name", async ({ model, json }) => {
    const http = await postJson(`${server.url}/v2/models/${model}/infer`, json);
    expect(http.status).toBe(400);
    const error = await client.error("ModelInfer", asGrpc(model, json));
    expect(error.code).toBe(3);
    expect(error.details).toBe(http.body.error);
  });
});

describe("ModelInfer refuses malformed gRPC tensors, saying what was expected", () => {
  const base = { model_name: "identity_fp32" };
  const input = { name: "x", datatype: "FP32", shape: [1, 3] };
  const raw = (count: number) => Buffer.alloc(count * 4);
  it.each([
    [
      "raw contents for some inputs only",
      {
        model_name: "multi",
        inputs: [
          { ...input, name: "a", shape: [1, 2] },
          { ...input, name: "b", shape: [1, 2] },
        ],
        raw_input_contents: [raw(2)],
      },
      "raw_input_contents has 1 entries for 2 inputs; give one per input, in the order of 'inputs'",
    ],
    [
      "raw contents of the wrong size",
      { ...base, inputs: [input], raw_input_contents: [raw(4)] },
      "input 'x': raw_input_contents[0] holds 16 bytes but its shape [1,3] of FP32 needs 12",
    ],
    [
      "both raw and typed contents",
      {
        ...base,
        inputs: [{ ...input, contents: { fp32_contents: [1, 2, 3] } }],
        raw_input_contents: [raw(3)],
      },
      "input 'x': give its elements either in contents or in raw_input_contents, not both",
    ],
    [
      "typed contents in another datatype's field",
      { ...base, inputs: [{ ...input, contents: { int_contents: [1, 2, 3] } }] },
      "input 'x' (FP32): its elements belong in contents.fp32_contents, not contents.int_contents",
    ],
    [
      "too few typed elements",
      { ...base, inputs: [{ ...input, contents: { fp32_contents: [1, 2] } }] },
      "input 'x': its shape [1,3] has 3 elements but contents.fp32_contents holds 2",
    ],
    [
      "no elements at all",
      { ...base, inputs: [input] },
      "input 'x': no elements; give them in contents.fp32_contents or in raw_input_contents",
    ],
    [
      "a value out of its datatype's range",
      {
        model_name: "identity_uint8",
        inputs: [{ ...input, datatype: "UINT8", contents: { uint_contents: [1, 300, 2] } }],
      },
      "input 'x' (UINT8): element 1 is 300; expected an integer from 0 to 255",
    ],
    [
      "a version that is not a number",
      {
        ...base,
        model_version: "latest",
        inputs: [{ ...input, contents: { fp32_contents: [1, 2, 3] } }],
      },
      "invalid model version 'latest'; versions are numbers, e.g. 1",
    ],
  ])("%s", async (_name, request, message) => {
    const error = await client.error("ModelInfer", request);
    expect([error.code, error.details]).toEqual([3, message]);
  });

  it("answers NOT_FOUND for an unknown model or version, UNIMPLEMENTED for classification", async () => {
    const contents = { fp32_contents: [1, 2, 3] };
    const unknown = await client.error("ModelInfer", { model_name: "nope", inputs: [] });
    expect([unknown.code, unknown.details]).toEqual([5, "unknown model 'nope'"]);
    const version = await client.error("ModelInfer", {
      model_name: "identity_fp32",
      model_version: "7",
      inputs: [{ ...input, contents }],
    });
    expect([version.code, version.details]).toEqual([
      5,
      "model 'identity_fp32' has no version '7'; loaded versions: 1",
    ]);
    const classification = await client.error("ModelInfer", {
      ...base,
      inputs: [{ ...input, contents }],
      outputs: [{ name: "y", parameters: { classification: { int64_param: 2 } } }],
    });
    expect([classification.code, classification.details]).toEqual([
      12,
      "the classification extension is not supported",
    ]);
  });

  it("keeps serving after every refusal", async () => {
    const answer = await client.ok("ModelInfer", {
      ...base,
      inputs: [{ ...input, contents: { fp32_contents: [1, 2, 3] } }],
    });
    expect(answer.outputs[0].shape).toEqual(["1", "3"]);
  });
});

describe("message size", () => {
  it("refuses a request message over the body limit with RESOURCE_EXHAUSTED and keeps serving", async () => {
    const big = await client.error("ModelInfer", {
      model_name: "identity_fp32",
      inputs: [{ name: "x", datatype: "FP32", shape: [2000, 3] }],
      raw_input_contents: [Buffer.alloc(2000 * 3 * 4)],
    });
    expect(big.code).toBe(8);
    expect(big.details).toContain(`${LIMIT}`);
    const within = await client.ok("ModelInfer", {
      model_name: "identity_fp32",
      inputs: [{ name: "x", datatype: "FP32", shape: [300, 3] }],
      raw_input_contents: [Buffer.alloc(300 * 3 * 4)],
    });
    expect(within.raw_output_contents[0]).toHaveLength(300 * 3 * 4);
  });
});

describe("queue", () => {
  const request = (value: number) => ({
    model_name: "small_queue",
    inputs: [
      { name: "x", datatype: "FP32", shape: [1, 2], contents: { fp32_contents: [value, value] } },
    ],
  });
  const pending = () =>
    metricValue(server.url, "nv_inference_pending_request_count", {
      model: "small_queue",
      version: "1",
    });

  it("answers UNAVAILABLE when the queue is full, and serves the queued requests", async () => {
    const queued = [client.call("ModelInfer", request(1)), client.call("ModelInfer", request(2))];
    expect(await waitForValue(pending, 2)).toBe(2);
    const rejected = await client.error("ModelInfer", request(3));
    expect(rejected.code).toBe(14);
    expect(rejected.details).toBe(
      "model 'small_queue' version 1: the queue is full (max_queue_size 2); retry later",
    );
    const answers = await Promise.all(queued);
    expect(answers.map((answer) => answer.ok)).toEqual([true, true]);
  });

  it("takes a request out of the queue when its client gives up (deadline)", async () => {
    const call = client.call("ModelInfer", request(4), {}, { deadline: Date.now() + 200 });
    const answer = await call;
    expect(answer.ok ? "answered" : answer.error.code).toBe(4);
    expect(await waitForValue(pending, 0)).toBe(0);
  });
});

describe("bearer tokens from the authorization metadata", () => {
  let tokens: string;
  const file = async (name: string, content: string) => {
    const target = path.join(tokens, name);
    await writeFile(target, content);
    return target;
  };
  const infer = {
    model_name: "identity_fp32",
    inputs: [
      { name: "x", datatype: "FP32", shape: [1, 3], contents: { fp32_contents: [1, 2, 3] } },
    ],
  };

  beforeAll(async () => {
    tokens = await mkdtemp(path.join(tmpdir(), "hybridai-grpc-tokens-"));
  });

  it("needs the inference token for inference and metadata, the repository token for load/unload", async () => {
    const secured = await start({
      authTokenFile: await file("inference", "s3cret-inference\n"),
      repositoryAuthTokenFile: await file("repository", "s3cret-repository"),
      modelControlMode: "explicit",
    });
    const secure = new TestGrpcClient(secured.grpc?.address ?? "");
    const health = new TestGrpcClient(secured.grpc?.address ?? "", "grpc.health.v1.Health");
    try {
      const inference = { authorization: "Bearer s3cret-inference" };
      const repository = { authorization: "Bearer s3cret-repository" };
      const denied = await secure.error("ModelInfer", infer);
      expect([denied.code, denied.details]).toEqual([
        16,
        "this endpoint needs 'Authorization: Bearer <token>'",
      ]);
      expect((await secure.error("ModelInfer", infer, repository)).code).toBe(16);
      expect((await secure.error("ServerMetadata", {})).code).toBe(16);
      expect((await secure.error("ModelStatistics", {})).code).toBe(16);
      expect((await secure.ok("ModelInfer", infer, inference)).model_name).toBe("identity_fp32");
      expect(await secure.ok("ServerLive")).toEqual({ live: true });
      expect(await secure.ok("ServerReady")).toEqual({ ready: true });
      expect(await health.ok("Check", { service: "" })).toEqual({ status: "SERVING" });
      const load = { model_name: "identity_fp32" };
      const loadDenied = await secure.error("RepositoryModelLoad", load, inference);
      expect([loadDenied.code, loadDenied.details]).toEqual([
        16,
        "model load/unload needs 'Authorization: Bearer <repository token>'",
      ]);
      expect(await secure.ok("RepositoryModelLoad", load, repository)).toEqual({});
    } finally {
      secure.close();
      health.close();
    }
  });

  it("refuses load/unload with PERMISSION_DENIED unless model control is explicit", async () => {
    const secured = await start({ authTokenFile: await file("only", "s3cret-only") });
    const secure = new TestGrpcClient(secured.grpc?.address ?? "");
    try {
      const refused = await secure.error(
        "RepositoryModelUnload",
        { model_name: "identity_fp32" },
        { authorization: "Bearer s3cret-only" },
      );
      expect(refused.code).toBe(7);
      expect(refused.details).toMatch(/^model load\/unload is off \(--model-control-mode none/);
    } finally {
      secure.close();
    }
  });
});
