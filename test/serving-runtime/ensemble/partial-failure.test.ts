import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildRuntime, CLI, type ServerProcess, spawnServer, waitForUrl } from "../helpers/cli";
import { columnSumModel, scaleModel, step, tensor, writeEnsemble } from "../helpers/ensembles";
import { freePort } from "../helpers/free-port";
import { TestGrpcClient } from "../helpers/grpc-client";
import { flakyModel, repositoryWith } from "../helpers/models";
import { getJson, metricValue, postJson } from "../helpers/server";

// Per-step on_failure: a failing optional step (skip) yields the answer without its outputs and
// a parameters.degraded_steps entry, counted in a metric; fallback_model runs the step on another
// model; a failing required step fails the request with a message naming the step.
//
// `flaky` reshapes x [n, 4] to [4]: it answers one row and fails in onnxruntime for two. The
// server runs as a process of its own: onnxruntime logs those failures natively on stderr, which
// an in-process server would print into the test run.

let server: ServerProcess;
let url: string;
let grpc: TestGrpcClient;

const ONE_ROW = [[1, 2, 3, 4]];
const TWO_ROWS = [
  [1, 2, 3, 4],
  [5, 6, 7, 8],
];

/** X → double → DOUBLED; DOUBLED → flaky → RANKED, with the flaky step's extra keys. */
function rankingEnsemble(flakyStep: Record<string, unknown>) {
  return {
    platform: "ensemble",
    max_batch_size: 0,
    input: [tensor("X", [-1, 4])],
    output: [tensor("DOUBLED", [-1, 4]), tensor("RANKED", [4])],
    ensemble_scheduling: {
      step: [
        step("double", { x: "X" }, { y: "DOUBLED" }),
        step("flaky", { x: "DOUBLED" }, { y: "RANKED" }, flakyStep),
      ],
    },
  };
}

beforeAll(async () => {
  await buildRuntime();
  const triple = scaleModel("triple_ranks", 3);
  triple.graph.inputs[0].shape = [4];
  triple.graph.outputs[0].shape = [4];
  const root = await repositoryWith([
    scaleModel("double", 2),
    flakyModel("flaky", { max_batch_size: 0 }),
    flakyModel("flaky_guarded", {
      max_batch_size: 0,
      circuit_breaker: { window_size: 2, minimum_requests: 2, open_duration_ms: 60_000 },
    }),
    columnSumModel("stand_in"),
    triple,
  ]);
  await writeEnsemble(root, "rank_optional", rankingEnsemble({ on_failure: "skip" }));
  await writeEnsemble(root, "rank_required", rankingEnsemble({}));
  await writeEnsemble(
    root,
    "rank_fallback",
    rankingEnsemble({ on_failure: "fallback_model", fallback_model: "stand_in" }),
  );
  const cascade = rankingEnsemble({ on_failure: "skip" });
  cascade.output.push(tensor("TRIPLED", [4]));
  cascade.ensemble_scheduling.step.push(
    step("triple_ranks", { x: "RANKED" }, { y: "TRIPLED" }, { on_failure: "skip" }),
  );
  await writeEnsemble(root, "rank_cascade", cascade);
  const guarded = rankingEnsemble({});
  (guarded.ensemble_scheduling.step[1] as { model_name: string }).model_name = "flaky_guarded";
  await writeEnsemble(root, "rank_guarded", guarded);
  const grpcPort = await freePort();
  server = spawnServer("node", [
    CLI,
    ...["--model-repository", root, "--host", "127.0.0.1", "--port", "0"],
    ...["--grpc-port", String(grpcPort), "--log-level", "warn"],
  ]);
  url = await waitForUrl(server);
  grpc = new TestGrpcClient(`127.0.0.1:${grpcPort}`);
}, 300_000);

afterAll(async () => {
  grpc?.close();
  if (server?.child.exitCode !== null) return;
  server.child.kill("SIGTERM");
  await server.exited;
});

const infer = (model: string, rows: number[][]) =>
  postJson(`${url}/v2/models/${model}/infer`, {
    inputs: [{ name: "X", datatype: "FP32", shape: [rows.length, 4], data: rows }],
  });

const outputNamed = (
  body: { outputs: { name: string; data: number[]; shape: number[] }[] },
  name: string,
) => body.outputs.find((output) => output.name === name);

describe("partial failure of an ensemble", () => {
  it("answers with every output when every step answers, without degraded_steps", async () => {
    const answer = await infer("rank_optional", ONE_ROW);
    expect(answer.status).toBe(200);
    expect(answer.body.parameters).toBeUndefined();
    expect(outputNamed(answer.body, "DOUBLED")?.data).toEqual([2, 4, 6, 8]);
    expect(outputNamed(answer.body, "RANKED")?.data).toEqual([2, 4, 6, 8]);
  });

  it("leaves out a skipped step's outputs, names it in degraded_steps and counts it", async () => {
    const labels = { model: "rank_optional", step: "flaky", action: "skipped" };
    const before = await metricValue(url, "hybridai_ensemble_degraded_steps_total", labels);
    const answer = await infer("rank_optional", TWO_ROWS);
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    expect(answer.body.parameters).toEqual({ degraded_steps: "flaky" });
    expect(answer.body.outputs.map((output: { name: string }) => output.name)).toEqual(["DOUBLED"]);
    expect(outputNamed(answer.body, "DOUBLED")?.data).toEqual([2, 4, 6, 8, 10, 12, 14, 16]);
    expect(await metricValue(url, "hybridai_ensemble_degraded_steps_total", labels)).toBe(
      before + 1,
    );
  });

  it("skips the steps that read a skipped step's outputs too, and names them all", async () => {
    const whole = await infer("rank_cascade", ONE_ROW);
    expect(outputNamed(whole.body, "TRIPLED")?.data).toEqual([6, 12, 18, 24]);
    const answer = await infer("rank_cascade", TWO_ROWS);
    expect(answer.status).toBe(200);
    expect(answer.body.parameters).toEqual({ degraded_steps: "flaky,triple_ranks" });
    expect(answer.body.outputs.map((output: { name: string }) => output.name)).toEqual(["DOUBLED"]);
  });

  it("reports a degraded answer over gRPC in the response parameters", async () => {
    const answer = await grpc.ok("ModelInfer", {
      model_name: "rank_optional",
      inputs: [
        {
          name: "X",
          datatype: "FP32",
          shape: [2, 4],
          contents: { fp32_contents: TWO_ROWS.flat() },
        },
      ],
    });
    expect(answer.parameters.degraded_steps).toMatchObject({ string_param: "flaky" });
    expect(answer.outputs.map((output: { name: string }) => output.name)).toEqual(["DOUBLED"]);
  });

  it("runs a step on its fallback model and names it as degraded", async () => {
    const labels = { model: "rank_fallback", step: "flaky", action: "fallback_model" };
    const answer = await infer("rank_fallback", TWO_ROWS);
    expect(answer.status).toBe(200);
    expect(answer.body.parameters).toEqual({ degraded_steps: "flaky" });
    // stand_in sums the doubled rows' columns: [2+10, 4+12, 6+14, 8+16].
    expect(outputNamed(answer.body, "RANKED")?.data).toEqual([12, 16, 20, 24]);
    expect(await metricValue(url, "hybridai_ensemble_degraded_steps_total", labels)).toBe(1);
  });

  it("fails the request when a required step fails, naming the ensemble and the step", async () => {
    const flakyFailuresBefore = await metricValue(url, "nv_inference_request_failure", {
      model: "flaky",
      reason: "BACKEND",
    });
    const answer = await infer("rank_required", TWO_ROWS);
    expect(answer.status).toBe(500);
    expect(answer.body.error).toContain("ensemble 'rank_required' step 1 (model 'flaky')");
    expect(
      await metricValue(url, "nv_inference_request_failure", {
        model: "flaky",
        reason: "BACKEND",
      }),
    ).toBe(flakyFailuresBefore + 1);
    const stats = (await getJson(`${url}/v2/models/rank_required/stats`)).model_stats[0];
    expect(stats.inference_stats.fail.count).toBe(1);
    const viaGrpc = await grpc.error("ModelInfer", {
      model_name: "rank_required",
      inputs: [
        {
          name: "X",
          datatype: "FP32",
          shape: [2, 4],
          contents: { fp32_contents: TWO_ROWS.flat() },
        },
      ],
    });
    expect(viaGrpc.details).toContain("ensemble 'rank_required' step 1 (model 'flaky')");
  });

  it("goes through the step model's own circuit breaker", async () => {
    for (let i = 0; i < 2; i++) expect((await infer("rank_guarded", TWO_ROWS)).status).toBe(500);
    // One row would succeed, but the model's breaker is open now.
    const refused = await infer("rank_guarded", ONE_ROW);
    expect(refused.status).toBe(503);
    expect(refused.body.error).toContain("step 1 (model 'flaky_guarded')");
    expect(refused.body.error).toContain("circuit breaker");
  });
});
