import { writeFile } from "node:fs/promises";
import { request } from "node:http";
import path from "node:path";
import { writeRepository } from "@hybridai/serving-runtime/src/modelgen/write-repository";
import type { RunningServer } from "@hybridai/serving-runtime/src/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  batchedModel,
  fixedModel,
  identityModel,
  repositoryWith,
  slowModel,
  writeBrokenModel,
} from "../helpers/models";
import {
  explicitModelControl,
  getJson,
  type ModelControlAccess,
  postJson,
  startTestServer,
} from "../helpers/server";

let server: RunningServer;
let root: string;
let control: ModelControlAccess;

/** POSTs to the repository API with the repository token (the server runs in explicit mode). */
const controlPost = (url: string, body: unknown) => postJson(url, body, control.headers);

const infer = (model: string, version?: string) =>
  postJson(`${server.url}/v2/models/${model}${version ? `/versions/${version}` : ""}/infer`, {
    inputs: [{ name: "x", shape: [1, 3], datatype: "FP32", data: [1, 2, 3] }],
  });

/** POSTs to a path sent exactly as given (fetch would normalise `..` segments away). */
function rawPost(
  base: string,
  rawPath: string,
  headers: Record<string, string>,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const { hostname, port } = new URL(base);
    const req = request({ hostname, port, path: rawPath, method: "POST", headers }, (res) => {
      let body = "";
      res.on("data", (chunk) => {
        body += chunk;
      });
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on("error", reject);
    req.end();
  });
}

beforeAll(async () => {
  root = await repositoryWith([identityModel("FP32")]);
  await writeRepository(root, [identityModel("FP32")], 2);
  await writeBrokenModel(root, "broken");
  await writeRepository(root, [
    batchedModel("misconfigured", { max_batch_size: 4, dynamic_batching: { bogus: 1 } }),
  ]);
  control = await explicitModelControl();
  server = await startTestServer(root, { ...control.options, strictReadiness: false });
});

afterAll(async () => {
  await server.shutdown(5000);
});

describe("loading at start", () => {
  it("serves good models while failed ones are UNAVAILABLE with their reason", async () => {
    const index = await postJson(`${server.url}/v2/repository/index`, "");
    expect(index.status).toBe(200);
    expect(index.body).toEqual([
      { name: "broken", state: "UNAVAILABLE", reason: expect.stringMatching(/.+/) },
      { name: "identity_fp32", version: "2", state: "READY", reason: "" },
      {
        name: "misconfigured",
        state: "UNAVAILABLE",
        reason: expect.stringMatching(/dynamic_batching: Unrecognized key: "bogus"/),
      },
    ]);
    expect((await infer("identity_fp32")).status).toBe(200);
    const broken = await infer("broken");
    expect(broken.status).toBe(503);
    expect(broken.body.error).toMatch(/model 'broken' is not ready \(UNAVAILABLE: .+\)/);
  });

  it("loads the latest version by default and answers 404 for others", async () => {
    expect((await infer("identity_fp32")).body.model_version).toBe("2");
    expect((await infer("identity_fp32", "1")).status).toBe(404);
  });

  it('filters the index with {"ready": true}', async () => {
    const index = await postJson(`${server.url}/v2/repository/index`, { ready: true });
    expect(index.body).toEqual([
      { name: "identity_fp32", version: "2", state: "READY", reason: "" },
    ]);
  });
});

describe("load and unload", () => {
  it("reloads with a version policy given in parameters.config", async () => {
    const config = JSON.stringify({ version_policy: { all: {} } });
    const load = await fetch(`${server.url}/v2/repository/models/identity_fp32/load`, {
      method: "POST",
      headers: { "content-type": "application/json", ...control.headers },
      body: JSON.stringify({ parameters: { config } }),
    });
    expect(load.status).toBe(200);
    expect((await infer("identity_fp32", "1")).status).toBe(200);
    expect((await infer("identity_fp32", "2")).status).toBe(200);
    const metadata = await getJson(`${server.url}/v2/models/identity_fp32`);
    expect(metadata.versions).toEqual(["1", "2"]);
  });

  it("unloads a model, which then answers 503 and shows as unloaded, and loads it again", async () => {
    const unload = await fetch(`${server.url}/v2/repository/models/identity_fp32/unload`, {
      method: "POST",
      headers: control.headers,
    });
    expect(unload.status).toBe(200);
    expect((await infer("identity_fp32")).status).toBe(503);
    expect((await fetch(`${server.url}/v2/models/identity_fp32/ready`)).status).toBe(503);
    const index = await postJson(`${server.url}/v2/repository/index`, {});
    expect(index.body).toContainEqual({
      name: "identity_fp32",
      state: "UNAVAILABLE",
      reason: "unloaded",
    });
    const again = await fetch(`${server.url}/v2/repository/models/identity_fp32/unload`, {
      method: "POST",
      headers: control.headers,
    });
    expect(again.status).toBe(404);
    const load = await fetch(`${server.url}/v2/repository/models/identity_fp32/load`, {
      method: "POST",
      headers: control.headers,
    });
    expect(load.status).toBe(200);
    expect((await infer("identity_fp32")).status).toBe(200);
  });

  it("loads a model added to the repository after start", async () => {
    await writeRepository(root, [identityModel("INT32")]);
    expect((await infer("identity_int32")).status).toBe(404);
    const load = await fetch(`${server.url}/v2/repository/models/identity_int32/load`, {
      method: "POST",
      headers: control.headers,
    });
    expect(load.status).toBe(200);
    const response = await postJson(`${server.url}/v2/models/identity_int32/infer`, {
      inputs: [{ name: "x", shape: [1, 3], datatype: "INT32", data: [7, 8, 9] }],
    });
    expect(response.body.outputs[0].data).toEqual([7, 8, 9]);
  });

  it("reports load failures with their reason and keeps a serving model on a failed reload", async () => {
    const broken = await controlPost(`${server.url}/v2/repository/models/broken/load`, {});
    expect(broken.status).toBe(400);
    expect(broken.body.error).toMatch(/^failed to load 'broken': /);
    const badConfig = await controlPost(`${server.url}/v2/repository/models/identity_fp32/load`, {
      parameters: { config: JSON.stringify({ max_batch_size: -1 }) },
    });
    expect(badConfig.status).toBe(400);
    expect(badConfig.body.error).toMatch(/max_batch_size/);
    expect((await infer("identity_fp32")).status).toBe(200);
    const notJson = await controlPost(`${server.url}/v2/repository/models/identity_fp32/load`, {
      parameters: { config: "{oops" },
    });
    expect(notJson.status).toBe(400);
    expect(notJson.body.error).toMatch(/parameters.config is not valid JSON/);
  });

  it("loads only the versions a specific version policy names", async () => {
    const config = JSON.stringify({ version_policy: { specific: { versions: [1] } } });
    const load = await controlPost(`${server.url}/v2/repository/models/identity_fp32/load`, {
      parameters: { config },
    });
    expect(load.status).toBe(200);
    expect((await getJson(`${server.url}/v2/models/identity_fp32`)).versions).toEqual(["1"]);
    expect((await infer("identity_fp32", "2")).status).toBe(404);
  });

  it("refuses configs that contradict the model, naming the tensor and both values", async () => {
    const cases: [Record<string, unknown>, RegExp][] = [
      [
        { input: [{ name: "x", data_type: "TYPE_INT32" }] },
        /config input 'x': data_type INT32 does not match the model's FP32/,
      ],
      [
        { input: [{ name: "x", dims: [-1, 4] }] },
        /config input 'x': dims \[-1,4\] do not fit the model's shape \[-1,3\]/,
      ],
      [
        { output: [{ name: "z" }] },
        /config output 'z' is not a model output; the model's outputs are 'y'/,
      ],
      [
        { max_batch_size: 2, dynamic_batching: { preferred_batch_size: [4] } },
        /preferred_batch_size 4 exceeds max_batch_size 2/,
      ],
      [{ max_batch_size: 0, dynamic_batching: {} }, /dynamic_batching needs max_batch_size > 0/],
      [
        { parameters: { allow_spinning: { string_value: "maybe" } } },
        /parameters.allow_spinning.string_value must be "1" or "0", got 'maybe'/,
      ],
      [
        { parameters: { intra_op_thread_count: { string_value: "0" } } },
        /parameters.intra_op_thread_count.string_value must be a positive integer, got '0'/,
      ],
      [{ input: [{ name: "x", data_type: "TYPE_FLOAT" }] }, /unknown data_type 'TYPE_FLOAT'/],
    ];
    for (const [config, pattern] of cases) {
      const response = await controlPost(`${server.url}/v2/repository/models/identity_fp32/load`, {
        parameters: { config: JSON.stringify(config) },
      });
      expect(response.status, JSON.stringify(config)).toBe(400);
      expect(response.body.error).toMatch(pattern);
    }
    await writeRepository(root, [fixedModel()]);
    const fixed = await controlPost(`${server.url}/v2/repository/models/fixed/load`, {
      parameters: { config: JSON.stringify({ max_batch_size: 2 }) },
    });
    expect(fixed.status).toBe(400);
    expect(fixed.body.error).toMatch(
      /max_batch_size > 0 needs dimension 0 of every input and output to be dynamic/,
    );
  });

  it("refuses model names that could escape the repository", async () => {
    for (const name of ["..", "%2E%2E", "..%2Fetc", "%2Fetc%2Fpasswd", ".hidden", "a%5Cb"]) {
      const response = await rawPost(
        server.url,
        `/v2/repository/models/${name}/load`,
        control.headers,
      );
      expect(response.status, name).toBe(400);
      expect(JSON.parse(response.body).error).toMatch(/invalid model name/);
    }
    const missing = await controlPost(`${server.url}/v2/repository/models/absent/load`, {});
    expect(missing.status).toBe(404);
    expect(missing.body.error).toMatch(/no model directory 'absent'/);
  });

  it("reports invalid config.json files with the offending key", async () => {
    await writeRepository(root, [identityModel("UINT8")]);
    await writeFile(
      path.join(root, "identity_uint8", "config.json"),
      '{"instance_group":[{"count":0}]}',
    );
    const response = await controlPost(
      `${server.url}/v2/repository/models/identity_uint8/load`,
      {},
    );
    expect(response.status).toBe(400);
    expect(response.body.error).toMatch(/identity_uint8\/config.json: instance_group\[0\]\.count/);
  });
});

describe("warmup", () => {
  it("runs warmup before the model reports ready", async () => {
    await writeRepository(root, [
      slowModel("warm", 24, {
        max_batch_size: 4,
        model_warmup: [
          {
            name: "random",
            batch_size: 4,
            count: 100,
            inputs: { x: { data_type: "TYPE_FP32", dims: [256], random_data: true } },
          },
        ],
      }),
    ]);
    const loading = controlPost(`${server.url}/v2/repository/models/warm/load`, {});
    const statesWhileLoading: number[] = [];
    let loaded = false;
    void loading.then(() => {
      loaded = true;
    });
    // Back-to-back polls, each sent when the previous one is answered: no timer involved.
    while (!loaded) {
      statesWhileLoading.push((await fetch(`${server.url}/v2/models/warm/ready`)).status);
    }
    expect((await loading).status).toBe(200);
    const known = statesWhileLoading.filter((status) => status !== 404);
    expect(known[0]).toBe(503);
    const firstReady = known.indexOf(200);
    if (firstReady >= 0)
      expect(known.slice(firstReady).every((status) => status === 200)).toBe(true);
    expect((await fetch(`${server.url}/v2/models/warm/ready`)).status).toBe(200);
  });

  it("executes the model during warmup: a sample onnxruntime refuses fails the load", async () => {
    // The sample's data type and names fit, so only running the model can find that its
    // second dimension (4) is not the model's fixed 3.
    await writeRepository(root, [
      {
        ...fixedModel(),
        name: "wrongdims",
        config: {
          model_warmup: [
            {
              name: "too_wide",
              inputs: { x: { data_type: "TYPE_FP32", dims: [2, 4], zero_data: true } },
            },
          ],
        },
      },
    ]);
    const response = await controlPost(`${server.url}/v2/repository/models/wrongdims/load`, {});
    expect(response.status).toBe(400);
    expect(response.body.error).toMatch(
      /warmup 'too_wide' failed: .*invalid dimensions for input: x/,
    );
    expect((await fetch(`${server.url}/v2/models/wrongdims/ready`)).status).not.toBe(200);
  });

  it("fails the load, naming the sample, when warmup does not fit the model", async () => {
    await writeRepository(root, [
      batchedModel("badwarm", {
        max_batch_size: 4,
        model_warmup: [
          { name: "ints", inputs: { x: { data_type: "TYPE_INT32", dims: [2], zero_data: true } } },
        ],
      }),
    ]);
    const response = await controlPost(`${server.url}/v2/repository/models/badwarm/load`, {});
    expect(response.status).toBe(400);
    expect(response.body.error).toMatch(
      /warmup 'ints': input 'x' data_type INT32 does not match the model's FP32/,
    );
  });
});
