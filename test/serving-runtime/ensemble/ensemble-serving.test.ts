import { rm, writeFile } from "node:fs/promises";
import { createServer, type Server, type ServerResponse } from "node:http";
import path from "node:path";
import { FORWARDED_HEADER } from "@hybridai/serving-runtime/src/resilience/remote-client";
import type { RunningServer } from "@hybridai/serving-runtime/src/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { postBinary } from "../helpers/binary";
import { addModel, passModel, scaleModel, step, tensor, writeEnsemble } from "../helpers/ensembles";
import { repositoryWith } from "../helpers/models";
import { getJson, metricValue, postJson, startTestServer } from "../helpers/server";

// Ensembles served end to end: steps as soon as their inputs exist (in parallel when
// independent), tensors passed without re-encoding, a tensor read by several steps running in
// worker threads, steps on a remote runtime (with its token, never forwarded twice), load order,
// loading a step's model with the ensemble, validation at load naming the step and the tensor,
// and cycles through nested ensembles.

const servers: RunningServer[] = [];
let edge: RunningServer;
let barrier: { url: string; server: Server; received: string[] };

/** A stub endpoint that answers only once two requests have arrived: proof they overlap. */
async function startBarrier(): Promise<typeof barrier> {
  const waiting: { model: string; response: ServerResponse }[] = [];
  const received: string[] = [];
  const server = createServer((request, response) => {
    request.resume();
    request.on("end", () => {
      const model = (request.url ?? "").split("/")[3];
      received.push(model);
      waiting.push({ model, response });
      if (waiting.length < 2) return;
      for (const entry of waiting.splice(0)) {
        const value = entry.model === "left" ? 1 : 2;
        entry.response.writeHead(200, { "content-type": "application/json" });
        entry.response.end(
          JSON.stringify({
            model_name: entry.model,
            outputs: [
              { name: "y", datatype: "FP32", shape: [1, 4], data: [value, value, value, value] },
            ],
          }),
        );
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address() as { port: number };
  return { url: `http://127.0.0.1:${address.port}`, server, received };
}

beforeAll(async () => {
  barrier = await startBarrier();
  const cloudRoot = await repositoryWith([scaleModel("triple_cloud", 3)]);
  const tokenFile = path.join(cloudRoot, "token");
  await writeFile(tokenFile, "cloud-secret\n");
  const cloud = await startTestServer(cloudRoot, { authTokenFile: tokenFile });
  servers.push(cloud);

  const worker = { parameters: { execution_placement: { string_value: "worker" } } };
  const root = await repositoryWith([
    scaleModel("double", 2),
    scaleModel("triple", 3),
    scaleModel("worker_double", 2, worker),
    addModel("add"),
    passModel("pass_int64", "INT64"),
    passModel("pass_fp32", "FP32"),
  ]);
  // Named to sort before its step models: it must still load after them.
  await writeEnsemble(root, "a_fanout", {
    platform: "ensemble",
    input: [tensor("X", [-1, 4])],
    output: [tensor("D", [-1, 4]), tensor("SUM", [-1, 4])],
    ensemble_scheduling: {
      step: [
        step("worker_double", { x: "X" }, { y: "D" }),
        step("triple", { x: "D" }, { y: "T3" }),
        step("worker_double", { x: "D" }, { y: "D2" }),
        step("add", { a: "T3", b: "D2" }, { y: "SUM" }),
      ],
    },
  });
  await writeEnsemble(root, "int64_chain", {
    platform: "ensemble",
    input: [tensor("X", [-1, 3], "TYPE_INT64")],
    output: [tensor("OUT", [-1, 3], "TYPE_INT64")],
    ensemble_scheduling: {
      step: [
        step("pass_int64", { x: "X" }, { y: "T" }),
        step("pass_int64", { x: "T" }, { y: "OUT" }),
      ],
    },
  });
  await writeEnsemble(root, "remote_pipe", {
    platform: "ensemble",
    input: [tensor("X", [-1, 4])],
    output: [tensor("OUT", [-1, 4])],
    ensemble_scheduling: {
      step: [
        step("double", { x: "X" }, { y: "D" }),
        step(
          "triple_cloud",
          { x: "D" },
          { y: "OUT" },
          {
            remote: { url: cloud.url, token_file: tokenFile, timeout_ms: 5000 },
          },
        ),
      ],
    },
  });
  await writeEnsemble(root, "remote_optional", {
    platform: "ensemble",
    input: [tensor("X", [-1, 4])],
    output: [tensor("D", [-1, 4]), tensor("OUT", [-1, 4])],
    ensemble_scheduling: {
      step: [
        step("double", { x: "X" }, { y: "D" }),
        step(
          "triple_cloud",
          { x: "D" },
          { y: "OUT" },
          {
            on_failure: "skip",
            remote: { url: "http://127.0.0.1:1", timeout_ms: 2000 },
          },
        ),
      ],
    },
  });
  await writeEnsemble(root, "parallel_remote", {
    platform: "ensemble",
    input: [tensor("X", [-1, 4])],
    output: [tensor("L", [-1, 4]), tensor("R", [-1, 4])],
    ensemble_scheduling: {
      step: [
        step("left", { x: "X" }, { y: "L" }, { remote: { url: barrier.url } }),
        step("right", { x: "X" }, { y: "R" }, { remote: { url: barrier.url } }),
      ],
    },
  });
  await writeEnsemble(root, "bad_dtype", {
    platform: "ensemble",
    input: [tensor("X", [-1, 3])],
    output: [tensor("OUT", [-1, 3], "TYPE_INT64")],
    ensemble_scheduling: { step: [step("pass_int64", { x: "X" }, { y: "OUT" })] },
  });
  await writeEnsemble(root, "bad_missing_model", {
    platform: "ensemble",
    input: [tensor("X", [-1, 4])],
    output: [tensor("OUT", [-1, 4])],
    ensemble_scheduling: { step: [step("nowhere", { x: "X" }, { y: "OUT" })] },
  });
  await writeEnsemble(root, "bad_version", {
    platform: "ensemble",
    input: [tensor("X", [-1, 4])],
    output: [tensor("OUT", [-1, 4])],
    ensemble_scheduling: {
      step: [{ model_name: "double", input_map: { x: "X" }, output_map: { y: "OUT" } }],
    },
  });
  await writeEnsemble(root, "inner", {
    platform: "ensemble",
    input: [tensor("X", [-1, 4])],
    output: [tensor("OUT", [-1, 4])],
    ensemble_scheduling: { step: [step("double", { x: "X" }, { y: "OUT" })] },
  });
  await writeEnsemble(root, "outer", {
    platform: "ensemble",
    input: [tensor("X", [-1, 4])],
    output: [tensor("OUT", [-1, 4])],
    ensemble_scheduling: {
      step: [step("inner", { X: "X" }, { OUT: "T" }), step("triple", { x: "T" }, { y: "OUT" })],
    },
  });
  edge = await startTestServer(root);
  servers.push(edge);
});

afterAll(async () => {
  await Promise.all(servers.map((server) => server.shutdown(5000)));
  barrier.server.closeAllConnections();
  barrier.server.close();
});

const infer = (model: string, rows: number[][], headers: Record<string, string> = {}) =>
  postJson(
    `${edge.url}/v2/models/${model}/infer`,
    { inputs: [{ name: "X", datatype: "FP32", shape: [rows.length, 4], data: rows }] },
    headers,
  );
const output = (body: { outputs: { name: string; data: number[] }[] }, name: string) =>
  body.outputs.find((candidate) => candidate.name === name)?.data;

describe("ensembles served end to end", () => {
  it("loads an ensemble after its step models whatever their names", async () => {
    const index = (await postJson(`${edge.url}/v2/repository/index`, {})).body;
    expect(index.find((row: { name: string }) => row.name === "a_fanout")).toMatchObject({
      state: "READY",
    });
  });

  it("gives a tensor read by several steps (in worker threads) to each of them", async () => {
    const answer = await infer("a_fanout", [
      [1, 2, 3, 4],
      [5, 6, 7, 8],
    ]);
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    expect(output(answer.body, "D")).toEqual([2, 4, 6, 8, 10, 12, 14, 16]);
    // SUM = 3·(2X) + 2·(2X) = 10X.
    expect(output(answer.body, "SUM")).toEqual([10, 20, 30, 40, 50, 60, 70, 80]);
    const metadata = await getJson(`${edge.url}/v2/models/worker_double`);
    expect(metadata.parameters.execution_placement).toBe("worker");
  });

  it("runs only the steps the requested outputs need", async () => {
    const count = () => metricValue(edge.url, "nv_inference_request_success", { model: "add" });
    const before = await count();
    const answer = await postJson(`${edge.url}/v2/models/a_fanout/infer`, {
      inputs: [{ name: "X", datatype: "FP32", shape: [1, 4], data: [1, 1, 1, 1] }],
      outputs: [{ name: "D" }],
    });
    expect(answer.body.outputs.map((o: { name: string }) => o.name)).toEqual(["D"]);
    expect(await count()).toBe(before);
  });

  it("passes tensors between steps without re-encoding them (INT64 beyond 2^53 stays exact)", async () => {
    const values = [2n ** 60n + 1n, -(2n ** 62n) - 3n, 9007199254740993n];
    const bytes = Buffer.alloc(24);
    for (const [i, value] of values.entries()) bytes.writeBigInt64LE(value, 8 * i);
    const answer = await postBinary(
      `${edge.url}/v2/models/int64_chain/infer`,
      {
        inputs: [
          { name: "X", datatype: "INT64", shape: [1, 3], parameters: { binary_data_size: 24 } },
        ],
        outputs: [{ name: "OUT", parameters: { binary_data: true } }],
      },
      [bytes],
    );
    expect(answer.status).toBe(200);
    expect([0, 1, 2].map((i) => answer.binary.readBigInt64LE(8 * i))).toEqual(values);
  });

  it("starts independent steps together", async () => {
    const answer = await infer("parallel_remote", [[0, 0, 0, 0]]);
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    expect(output(answer.body, "L")).toEqual([1, 1, 1, 1]);
    expect(output(answer.body, "R")).toEqual([2, 2, 2, 2]);
    expect(barrier.received.sort()).toEqual(["left", "right"]);
  });

  it("runs a step on a remote runtime with the token from its file", async () => {
    const answer = await infer("remote_pipe", [[1, 2, 3, 4]]);
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    expect(output(answer.body, "OUT")).toEqual([6, 12, 18, 24]);
    expect(
      await metricValue(edge.url, "hybridai_ensemble_remote_step_requests_total", {
        model: "remote_pipe",
        step: "triple_cloud",
        result: "success",
      }),
    ).toBe(1);
  });

  it("never sends a forwarded request on to a remote step", async () => {
    const answer = await infer("remote_pipe", [[1, 2, 3, 4]], { [FORWARDED_HEADER]: "fallback" });
    expect(answer.status).toBe(503);
    expect(answer.body.error).toContain("step 1 (model 'triple_cloud'): not sent to");
    expect(answer.body.error).toContain("forwarded by another runtime");
  });

  it("degrades when an optional remote step cannot be reached", async () => {
    const answer = await infer("remote_optional", [[1, 2, 3, 4]]);
    expect(answer.status).toBe(200);
    expect(answer.body.parameters).toEqual({ degraded_steps: "triple_cloud" });
    expect(output(answer.body, "D")).toEqual([2, 4, 6, 8]);
    expect(output(answer.body, "OUT")).toBeUndefined();
  });

  it("runs an ensemble used as a step of another", async () => {
    const answer = await infer("outer", [[1, 2, 3, 4]]);
    expect(output(answer.body, "OUT")).toEqual([6, 12, 18, 24]);
  });

  it("keeps an ensemble whose steps do not connect UNAVAILABLE, naming the step and tensor", async () => {
    const index = (await postJson(`${edge.url}/v2/repository/index`, {})).body as {
      name: string;
      state: string;
      reason: string;
    }[];
    const reason = (name: string) => index.find((row) => row.name === name)?.reason;
    expect(reason("bad_dtype")).toContain(
      "ensemble tensor 'X': inconsistent data type: INT64 in step 0 (model 'pass_int64') input 'x' but FP32 in ensemble 'bad_dtype' input 'X'",
    );
    expect(reason("bad_missing_model")).toContain(
      "step 0 (model 'nowhere'): model 'nowhere' cannot be loaded: no model directory 'nowhere'",
    );
    expect(reason("bad_version")).toContain("model 'double' has no version '0'");
    expect(reason("bad_version")).toContain("model_version -1 runs the highest loaded version");
    const response = await postJson(`${edge.url}/v2/models/bad_dtype/infer`, {});
    expect(response.status).toBe(503);
  });
});

describe("ensembles and the repository", () => {
  it("loads a step's model with the ensemble when it is not loaded (as Triton does)", async () => {
    await edge.repository.unload("triple");
    expect(edge.repository.versionsOf("triple")).toHaveLength(0);
    await edge.repository.load("outer");
    expect(edge.repository.versionsOf("triple")).toHaveLength(1);
    expect(output((await infer("outer", [[1, 1, 1, 1]])).body, "OUT")).toEqual([6, 6, 6, 6]);
  });

  it("refuses a load override that names a remote step's URL, and keeps what was serving", async () => {
    const override = {
      platform: "ensemble",
      input: [tensor("X", [-1, 4])],
      output: [tensor("OUT", [-1, 4])],
      ensemble_scheduling: {
        step: [
          step("double", { x: "X" }, { y: "OUT" }, { remote: { url: "http://attacker.example" } }),
        ],
      },
    };
    await expect(edge.repository.load("inner", override)).rejects.toThrow(
      "ensemble_scheduling.step[0].remote.url names a file or a URL",
    );
    expect(output((await infer("inner", [[1, 1, 1, 1]])).body, "OUT")).toEqual([2, 2, 2, 2]);
  });

  it("refuses a reload that would make ensembles run each other in a cycle", async () => {
    const cyclic = {
      platform: "ensemble",
      input: [tensor("X", [-1, 4])],
      output: [tensor("OUT", [-1, 4])],
      ensemble_scheduling: { step: [step("outer", { X: "X" }, { OUT: "OUT" })] },
    };
    await expect(edge.repository.load("inner", cyclic)).rejects.toThrow(
      "the ensembles form a cycle: 'inner' → 'outer' → 'inner'",
    );
    expect(output((await infer("outer", [[1, 1, 1, 1]])).body, "OUT")).toEqual([6, 6, 6, 6]);
  });

  it("serves an ensemble without a version directory (as pull lays it out) as version 1", async () => {
    const lone = await repositoryWith([scaleModel("double", 2)]);
    await writeEnsemble(lone, "pipe", {
      platform: "ensemble",
      input: [tensor("X", [-1, 4])],
      output: [tensor("OUT", [-1, 4])],
      ensemble_scheduling: { step: [step("double", { x: "X" }, { y: "OUT" })] },
    });
    await rm(path.join(lone, "pipe", "1"), { recursive: true });
    const server = await startTestServer(lone);
    servers.push(server);
    const answer = await postJson(`${server.url}/v2/models/pipe/infer`, {
      inputs: [{ name: "X", datatype: "FP32", shape: [1, 4], data: [1, 2, 3, 4] }],
    });
    expect(answer.body).toMatchObject({ model_version: "1", outputs: [{ data: [2, 4, 6, 8] }] });
  });
});
