import { readdirSync } from "node:fs";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildRuntime, CLI, type ServerProcess, spawnServer, waitForUrl } from "./helpers/cli";
import { batchedModel, repositoryWith } from "./helpers/models";
import { postJson } from "./helpers/server";

const started: ServerProcess[] = [];
let root: string;

beforeAll(async () => {
  await buildRuntime();
  root = await repositoryWith([
    batchedModel("slow_queue", {
      max_batch_size: 8,
      dynamic_batching: { max_queue_delay_microseconds: 1_500_000, preferred_batch_size: [8] },
    }),
  ]);
}, 300_000);

afterAll(() => {
  for (const server of started) if (server.child.exitCode === null) server.child.kill("SIGKILL");
});

function run(args: string[], env: NodeJS.ProcessEnv = {}): ServerProcess {
  const server = spawnServer("node", [CLI, ...args], env);
  started.push(server);
  return server;
}

describe("options", () => {
  it("exits 2 with the offending flag, value and allowed range", async () => {
    const bad = run(["--model-repository", root, "--port", "70000"]);
    expect(await bad.exited).toBe(2);
    expect(bad.stderr()).toMatch(/--port '70000': expected at most 65535/);
    expect(bad.stderr()).toContain("Usage: hybridai-serve");
    const missing = run([], { HYBRIDAI_MODEL_REPOSITORY: "" });
    expect(await missing.exited).toBe(2);
    expect(missing.stderr()).toMatch(
      /--model-repository \(or HYBRIDAI_MODEL_REPOSITORY\) is required/,
    );
    const unknown = run(["--model-repo", root]);
    expect(await unknown.exited).toBe(2);
    expect(unknown.stderr()).toMatch(/Unknown option '--model-repo'/);
    const env = run(["--model-repository", root], { HYBRIDAI_DRAIN_TIMEOUT_SECONDS: "soon" });
    expect(await env.exited).toBe(2);
    expect(env.stderr()).toMatch(/HYBRIDAI_DRAIN_TIMEOUT_SECONDS 'soon': expected a number/);
  });

  it("exits 1 when the model repository is not a directory, and prints help with --help", async () => {
    const absent = run(["--model-repository", "/nonexistent/models"]);
    expect(await absent.exited).toBe(1);
    expect(absent.stderr()).toMatch(
      /--model-repository: '\/nonexistent\/models' is not a directory/,
    );
    const help = run(["--help"]);
    expect(await help.exited).toBe(0);
    expect(help.stdout()).toMatch(/--auth-token-file[\s\S]*HYBRIDAI_AUTH_TOKEN_FILE/);
  });
});

describe("pull subcommand", () => {
  it("dispatches `hybridai-serve pull` and lays the repository into the target", async () => {
    const target = path.join(await mkdtemp(path.join(tmpdir(), "hybridai-cli-pull-")), "models");
    const pull = run(["pull", "--from", `file://${root}`, "--to", target]);
    expect(await pull.exited).toBe(0);
    expect(pull.stdout()).toMatch(/hybridai-serve pull: \d+ files/);
    expect(readdirSync(target)).toEqual(["slow_queue"]);
    const usage = run(["pull"]);
    expect(await usage.exited).toBe(2);
    expect(usage.stderr()).toContain("--from");
  });
});

describe("sync subcommand", () => {
  it("dispatches `hybridai-serve sync`", async () => {
    const help = run(["sync", "--help"]);
    expect(await help.exited).toBe(0);
    expect(help.stdout()).toContain("Usage: hybridai-serve sync --from <uri> --to <s3://…|gs://…>");
    const usage = run(["sync", "--from", "s3://bucket/models"]);
    expect(await usage.exited).toBe(2);
    expect(usage.stderr()).toContain("--to is required");
  });
});

describe("graceful shutdown", () => {
  it("on SIGTERM: readiness 503 at once, new requests refused, in-flight requests finish, exit 0", async () => {
    const server = run(["--model-repository", root, "--port", "0", "--log-level", "warn"], {
      HYBRIDAI_HOST: "127.0.0.1",
    });
    const url = await waitForUrl(server);
    expect((await fetch(`${url}/v2/health/ready`)).status).toBe(200);
    const infer = `${url}/v2/models/slow_queue/infer`;
    const inFlight = [1, 2, 3].map((value) =>
      postJson(infer, {
        inputs: [{ name: "x", shape: [1, 2], datatype: "FP32", data: [value, value] }],
      }),
    );
    await new Promise((resolve) => setTimeout(resolve, 200));
    const signalledAt = Date.now();
    server.child.kill("SIGTERM");
    let ready = 200;
    while (ready === 200 && Date.now() - signalledAt < 1000) {
      ready = (await fetch(`${url}/v2/health/ready`)).status;
    }
    expect(ready).toBe(503);
    const refused = await postJson(infer, {
      inputs: [{ name: "x", shape: [1, 2], datatype: "FP32", data: [9, 9] }],
    });
    expect(refused.status).toBe(503);
    expect(refused.body.error).toMatch(/shutting down/);
    expect(refused.headers.get("connection")).toBe("close");
    expect((await fetch(`${url}/v2/health/live`)).status).toBe(200);
    const results = await Promise.all(inFlight);
    expect(results.map((r) => r.status)).toEqual([200, 200, 200]);
    expect(results.map((r) => r.body.outputs[0].data)).toEqual([
      [2, 2],
      [4, 4],
      [6, 6],
    ]);
    expect(await server.exited).toBe(0);
  });
});

describe("npm run serve", () => {
  it("builds, serves and prints a curl example that works as printed", async () => {
    const server = spawnServer("npm", [
      "run",
      "serve",
      "--silent",
      "--",
      "--model-repository",
      "serving-runtime/models",
      "--host",
      "127.0.0.1",
      "--port",
      "0",
    ]);
    started.push(server);
    const url = await waitForUrl(server, 120_000);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const match = /curl -s -X POST (\S+) -H 'Content-Type: application\/json' -d '(.+)'/.exec(
      server.stdout(),
    );
    expect(match, server.stdout()).not.toBeNull();
    const [, endpoint, body] = match as RegExpExecArray;
    expect(endpoint.startsWith(url)).toBe(true);
    const response = await postJson(endpoint, body);
    expect(response.status).toBe(200);
    expect(response.body.outputs[0].shape).toEqual([1, 3]);
    process.kill(-(server.child.pid as number), "SIGTERM");
    await server.exited;
  }, 180_000);
});
