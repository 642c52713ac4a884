import { execFile } from "node:child_process";
import { promisify } from "node:util";
import type { DemoModel } from "@hybridai/serving-runtime/src/modelgen/demo-models";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLI, REPO_ROOT, type ServerProcess, spawnServer, waitForUrl } from "./helpers/cli";
import { flakyModel, repositoryWith } from "./helpers/models";
import { getJson, postJson } from "./helpers/server";

// What a user sees when the runtime first serves real-world models, from a real server process
// (onnxruntime's native logger writes past any JavaScript capture, so only a process's own
// stderr shows what it printed).

/**
 * `vad`: audio FP32 [batch, samples] → padded [batch, samples + 4], a reflect Pad of 2 samples on
 * each side, as voice-activity models frame their input. Reflect padding needs more samples than
 * it pads, so the load-time probes' generated input (1 sample) fails in onnxruntime, while real
 * audio works. Its config asks for `dynamic_batching` and leaves `max_batch_size` to the server,
 * which then sweeps it at load on generated shapes; without a config (`name` other than `vad`)
 * it waits for its traffic's shapes instead.
 *
 * @param name model name
 */
function reflectPadModel(name = "vad"): DemoModel {
  return {
    name,
    graph: {
      name,
      inputs: [{ name: "audio", datatype: "FP32", shape: ["batch", "samples"] }],
      outputs: [{ name: "padded", datatype: "FP32", shape: ["batch", "padded_samples"] }],
      initializers: [{ name: "pads", dims: [4], values: [0, 2, 0, 2], datatype: "INT64" }],
      nodes: [
        {
          op: "Pad",
          inputs: ["audio", "pads"],
          outputs: ["padded"],
          attributes: { mode: "reflect" },
        },
      ],
    },
    config: name === "vad" ? { dynamic_batching: {} } : {},
  };
}

/**
 * `kws`: features FP32 [1, 2400] → score FP32 [1, 1], as a wake-word model takes a 2,400-value
 * window. Its config pins it to the event loop and leaves `instance_group` to the server.
 */
function wideInputModel(): DemoModel {
  return {
    name: "kws",
    graph: {
      name: "kws",
      inputs: [{ name: "features", datatype: "FP32", shape: [1, 2400] }],
      outputs: [{ name: "score", datatype: "FP32", shape: [1, 1] }],
      nodes: [
        {
          op: "ReduceMean",
          inputs: ["features"],
          outputs: ["score"],
          attributes: { axes: [1], keepdims: 1 },
        },
      ],
      opset: 13,
    },
    config: { parameters: { execution_placement: { string_value: "inline" } } },
  };
}

let server: ServerProcess;
let url: string;

beforeAll(async () => {
  const root = await repositoryWith([
    reflectPadModel(),
    reflectPadModel("vad_open"),
    wideInputModel(),
  ]);
  server = spawnServer("node", [
    CLI,
    ...["--model-repository", root, "--host", "127.0.0.1", "--port", "0"],
    ...["--log-level", "warn", "--intra-op-threads", "1", "--inter-op-threads", "1"],
  ]);
  url = await waitForUrl(server);
  // The banner comes after the last model's load: every load-time line is written by then.
  await new Promise<void>((resolve) => {
    const check = () => {
      if (!server.stdout().includes("Try an inference:")) return;
      server.child.stdout?.off("data", check);
      resolve();
    };
    server.child.stdout?.on("data", check);
    check();
  });
}, 120_000);

afterAll(async () => {
  if (server?.child.exitCode !== null) return;
  server.child.kill("SIGTERM");
  await server.exited;
});

/** The server's JSON log lines at warn level or above. */
function warnings(): { level: number; msg: string; model?: string; reason?: string }[] {
  return server
    .stdout()
    .split("\n")
    .filter((line) => line.startsWith("{"))
    .map((line) => JSON.parse(line))
    .filter((record) => record.level >= 40);
}

describe("a model that fails on the load-time probes' generated inputs", () => {
  it("is READY, with one warning line of ours and nothing from onnxruntime on stderr", async () => {
    const index = await postJson(`${url}/v2/repository/index`, {});
    expect(index.body).toContainEqual(expect.objectContaining({ name: "vad", state: "READY" }));
    expect(server.stderr()).toBe("");
    const vad = warnings().filter((record) => record.model === "vad");
    expect(vad).toHaveLength(1);
    expect(vad[0].msg).toBe(
      "model 'vad' version 1 could not be timed with generated inputs; it runs in worker threads, with Triton's default max_batch_size 4",
    );
    expect(vad[0].reason).toMatch(/Pad/);
  });

  it("says why in its config, and serves real input", async () => {
    const config = await getJson(`${url}/v2/models/vad/config`);
    expect(config.max_batch_size).toBe(4);
    expect(config.parameters["origin.execution_placement"].string_value).toMatch(
      /^worker threads: the model could not be timed with generated inputs \(.*Pad/,
    );
    expect(config.parameters["origin.max_batch_size"].string_value).toMatch(
      /^auto-complete: Triton's default 4; the model could not be timed with generated inputs/,
    );
    const response = await postJson(`${url}/v2/models/vad/infer`, {
      inputs: [{ name: "audio", shape: [1, 4], datatype: "FP32", data: [1, 2, 3, 4] }],
    });
    expect(response.status).toBe(200);
    expect(response.body.outputs[0]).toMatchObject({
      shape: [1, 8],
      data: [3, 2, 1, 2, 3, 4, 3, 2],
    });
  });
});

describe("the same model without a config: its traffic decides", () => {
  it("is READY without a warning, and measured on the audio it serves without a line from onnxruntime", async () => {
    expect(warnings().filter((record) => record.model === "vad_open")).toEqual([]);
    const provisional = await getJson(`${url}/v2/models/vad_open/config`);
    expect(provisional.parameters["origin.tuning_shapes"].string_value).toMatch(
      /^provisional: waiting for traffic \(dynamic item dimensions: audio \[-1\]\)/,
    );
    for (let i = 0; i < 100; i++) {
      const response = await postJson(`${url}/v2/models/vad_open/infer`, {
        inputs: [{ name: "audio", shape: [1, 4], datatype: "FP32", data: [1, 2, 3, i] }],
      });
      expect(response.status).toBe(200);
      expect(response.body.outputs[0].data).toEqual([3, 2, 1, 2, 3, i, 3, 2]);
    }
    let origin = "";
    for (let i = 0; i < 1500 && !origin.startsWith("observed"); i++) {
      if (i > 0) await new Promise((resolve) => setTimeout(resolve, 20));
      const config = await getJson(`${url}/v2/models/vad_open/config`);
      origin = config.parameters["origin.tuning_shapes"].string_value;
    }
    expect(origin).toBe("observed: audio=4 (after 100 requests)");
    const config = await getJson(`${url}/v2/models/vad_open/config`);
    expect(config.parameters["origin.max_batch_size"].string_value).toMatch(
      /^measured on observed shapes audio=4: knee of items\/s/,
    );
    expect(server.stderr()).toBe("");
  });
});

describe("the startup banner's example for a model with 2,400 input values", () => {
  it("is one short command: `example` piped to curl", () => {
    const lines = server.stdout().split("\n");
    const example = lines[lines.indexOf("Try an inference:") + 1];
    expect(example.length).toBeLessThanOrEqual(300);
    expect(example).toBe(
      `  node serving-runtime/dist/cli.js example kws --url ${url} | curl -s -X POST ${url}/v2/models/kws/infer -H 'Content-Type: application/json' --data-binary @-`,
    );
  });

  it("`example` prints a shape-correct request the server answers", async () => {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [CLI, "example", "kws", "--url", url],
      { cwd: REPO_ROOT },
    );
    const request = JSON.parse(stdout);
    expect(request.inputs).toEqual([
      expect.objectContaining({ name: "features", shape: [1, 2400], datatype: "FP32" }),
    ]);
    expect(request.inputs[0].data).toHaveLength(2400);
    const response = await postJson(`${url}/v2/models/kws/infer`, request);
    expect(response.status).toBe(200);
    expect(response.body.outputs[0].shape).toEqual([1, 1]);
  });

  it("`example` of an unknown model exits 1 with the server's reason", async () => {
    const failed = await promisify(execFile)(
      process.execPath,
      [CLI, "example", "nope", "--url", url],
      {
        cwd: REPO_ROOT,
      },
    ).catch((error: { code: number; stderr: string }) => error);
    expect(failed).toMatchObject({ code: 1 });
    expect((failed as { stderr: string }).stderr).toMatch(
      /^hybridai-serve example: GET .*\/v2\/models\/nope answered 404: /,
    );
  });
});

describe("a model on the event loop", () => {
  it("has the instance count in its served config that its metadata reports", async () => {
    const metadata = await getJson(`${url}/v2/models/kws`);
    const config = await getJson(`${url}/v2/models/kws/config`);
    expect(metadata.parameters.execution_placement).toBe("inline");
    expect(config.instance_group).toEqual([
      { count: metadata.parameters.instance_count, kind: "KIND_CPU" },
    ]);
    expect(metadata.parameters.instance_count).toBe(1);
  });
});

describe("onnxruntime's native log follows --log-level", () => {
  it("a silent server prints nothing on stderr when a model's execution fails in onnxruntime", async () => {
    const root = await repositoryWith([flakyModel("flaky", {})]);
    const silent = spawnServer("node", [
      CLI,
      ...["--model-repository", root, "--host", "127.0.0.1", "--port", "0"],
      ...["--log-level", "silent", "--intra-op-threads", "1", "--inter-op-threads", "1"],
    ]);
    try {
      const base = await waitForUrl(silent);
      // Two rows: the model's Reshape to [4] fails in onnxruntime.
      const failed = await postJson(`${base}/v2/models/flaky/infer`, {
        inputs: [{ name: "x", shape: [2, 4], datatype: "FP32", data: [1, 2, 3, 4, 5, 6, 7, 8] }],
      });
      expect(failed.status).toBe(500);
      expect(failed.body.error).toMatch(/Reshape/);
      silent.child.kill("SIGTERM");
      await silent.exited;
      expect(silent.stderr()).toBe("");
    } finally {
      if (silent.child.exitCode === null) silent.child.kill("SIGKILL");
    }
  });
});
