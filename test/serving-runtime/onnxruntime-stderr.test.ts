import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildRuntime, CLI, type ServerProcess, spawnServer, waitForUrl } from "./helpers/cli";
import { batchedModel, flakyModel, negateModel, repositoryWith } from "./helpers/models";
import { getJson, metricValue, postJson } from "./helpers/server";

// The cases in this file make onnxruntime log errors itself (a CUDA provider that cannot load, a
// kernel that fails). Its native logger writes straight to the process's stderr, past any
// JavaScript capture, so an in-process server would print those lines into a passing test run.
// Here they run against a real server process whose stderr the tests collect and assert on.

let server: ServerProcess;
let url: string;

const infer = (model: string, rows: number[][]) =>
  postJson(`${url}/v2/models/${model}/infer`, {
    inputs: [{ name: "x", shape: [rows.length, rows[0].length], datatype: "FP32", data: rows }],
  });
const metric = (name: string, labels: Record<string, string>) => metricValue(url, name, labels);
/** A pause between two polls of the server; no outcome depends on its length. */
const nextPoll = () => new Promise((resolve) => setTimeout(resolve, 50));

/** Resolves with the first match of `pattern` in the server's stderr, once it has been written. */
function stderrMatch(pattern: RegExp): Promise<string> {
  return new Promise((resolve) => {
    const check = () => {
      const match = pattern.exec(server.stderr());
      if (!match) return;
      server.child.stderr?.off("data", check);
      resolve(match[0]);
    };
    server.child.stderr?.on("data", check);
    check();
  });
}

const CUDA_LOAD_ERROR =
  /\[ONNXRuntimeError\] : 1 : FAIL : Failed to load library \S*libonnxruntime_providers_shared\.so/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: onnxruntime colours its log lines
const ANSI_COLOUR = /\x1b\[[\d;]*m/g;
const KERNEL_ERROR = /Non-zero status code returned while running Reshape node\. Name:'reshape_0'/;

beforeAll(async () => {
  await buildRuntime();
  const root = await repositoryWith([
    batchedModel("wants_gpu", {
      max_batch_size: 2,
      instance_group: [{ count: 1, kind: "KIND_GPU" }],
    }),
    negateModel("backup"),
    flakyModel("flaky", {
      circuit_breaker: {
        failure_rate_threshold: 0.5,
        window_size: 4,
        minimum_requests: 2,
        open_duration_ms: 1500,
        half_open_max_probes: 2,
      },
      fallback: { model: "backup", on: ["error"] },
    }),
    flakyModel("flaky_alone", {
      circuit_breaker: { window_size: 2, minimum_requests: 2, open_duration_ms: 60_000 },
    }),
  ]);
  server = spawnServer("node", [
    CLI,
    ...["--model-repository", root, "--host", "127.0.0.1", "--port", "0"],
    ...["--log-level", "warn", "--intra-op-threads", "1", "--inter-op-threads", "1"],
  ]);
  url = await waitForUrl(server);
}, 300_000);

afterAll(async () => {
  if (server?.child.exitCode !== null) return;
  server.child.kill("SIGTERM");
  await server.exited;
});

describe("CUDA that cannot load", () => {
  it("falls back to CPU with the reason in the metadata; onnxruntime's own error goes to stderr", async () => {
    const metadata = await getJson(`${url}/v2/models/wants_gpu`);
    expect(metadata.parameters.execution_provider).toBe("cpu");
    expect(metadata.parameters.execution_provider_fallback_reason).toMatch(/^cuda unavailable: .+/);
    const response = await infer("wants_gpu", [[1, 2]]);
    expect(response.body.outputs[0].data).toEqual([2, 4]);
    expect(await stderrMatch(CUDA_LOAD_ERROR)).toContain("libonnxruntime_providers_shared.so");
  });
});

describe("circuit breaker", () => {
  it("opens on failures, falls back while open, probes when half-open and closes on recovery", async () => {
    const state = () => metric("hybridai_circuit_breaker_state", { model: "flaky" });
    const exec = () => metric("nv_inference_exec_count", { model: "flaky", version: "1" });
    expect(await state()).toBe(0);
    for (let i = 0; i < 2; i++) {
      const failed = await infer("flaky", [
        [1, 2, 3, 4],
        [5, 6, 7, 8],
      ]);
      expect(failed.status).toBe(200);
      expect(failed.body.parameters.fallback_trigger).toBe("error");
    }
    expect(await stderrMatch(KERNEL_ERROR)).toMatch(/reshape_0/);
    expect(await state()).toBe(1);
    const executions = await exec();
    const whileOpen = await infer("flaky", [[1, 2, 3, 4]]);
    expect(whileOpen.body.parameters.fallback_trigger).toBe("circuit_open");
    expect(whileOpen.body.outputs[0].data).toEqual([-1, -2, -3, -4]);
    expect(await exec()).toBe(executions);
    // The breaker turns half-open once open_duration_ms has passed; until then every request is
    // answered by the fallback. Ask until the first one is not: that one is the probe.
    let answeredWhileOpen = 1;
    let probe = await infer("flaky", [[1, 2, 3, 4]]);
    while (probe.body.parameters?.fallback_trigger === "circuit_open") {
      answeredWhileOpen++;
      await nextPoll();
      probe = await infer("flaky", [[1, 2, 3, 4]]);
    }
    expect(probe.body.parameters).toBeUndefined();
    expect(probe.body.outputs[0]).toMatchObject({ shape: [4], data: [1, 2, 3, 4] });
    expect(await state()).toBe(2);
    await infer("flaky", [[1, 2, 3, 4]]);
    expect(await state()).toBe(0);
    expect(
      await metric("hybridai_fallback_requests_total", {
        model: "flaky",
        fallback_model: "backup",
        trigger: "circuit_open",
      }),
    ).toBe(answeredWhileOpen);
  });

  it("answers 503 while open when the model has no fallback", async () => {
    for (let i = 0; i < 2; i++) {
      const failed = await infer("flaky_alone", [
        [1, 2, 3, 4],
        [5, 6, 7, 8],
      ]);
      expect(failed.status).toBe(500);
      expect(failed.body.error).toMatch(/model execution failed/);
    }
    const refused = await infer("flaky_alone", [[1, 2, 3, 4]]);
    expect(refused.status).toBe(503);
    expect(refused.body.error).toMatch(/circuit breaker is open/);
  });
});

describe("the server's stderr", () => {
  it("holds onnxruntime's error lines for the cases above and nothing else", async () => {
    // Four failed runs of a flaky model, one line each, plus the CUDA load error.
    const kernelErrors = new RegExp(KERNEL_ERROR.source, "g");
    const waitForAll = async () => {
      while ((server.stderr().match(kernelErrors) ?? []).length < 4) {
        await new Promise((resolve) => server.child.stderr?.once("data", resolve));
      }
    };
    await waitForAll();
    const lines = server.stderr().replace(ANSI_COLOUR, "").split("\n");
    const written = lines.filter((line) => line.trim() !== "");
    // Nothing but those lines (listed when one slips in); at least the four failed runs (a run a
    // loaded machine makes the breaker's probe repeat writes one more line of the same kind).
    expect(
      written.filter((line) => !CUDA_LOAD_ERROR.test(line) && !KERNEL_ERROR.test(line)),
    ).toEqual([]);
    expect(written.filter((line) => CUDA_LOAD_ERROR.test(line))).toHaveLength(1);
    expect(written.filter((line) => KERNEL_ERROR.test(line)).length).toBeGreaterThanOrEqual(4);
  });
});
