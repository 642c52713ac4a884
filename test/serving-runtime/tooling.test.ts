import { execFile } from "node:child_process";
import { copyFile, mkdir, mkdtemp, readdir, realpath } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { writeRepository } from "@hybridai/serving-runtime/src/modelgen/write-repository";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  buildRuntime,
  REPO_ROOT,
  type ServerProcess,
  spawnServer,
  waitForUrl,
} from "./helpers/cli";
import { batchedModel, repositoryWith, writeBrokenModel } from "./helpers/models";
import { explicitModelControl, postJson } from "./helpers/server";

const run = promisify(execFile);
const SHIM = path.join(REPO_ROOT, "serving-runtime/bin/hybridai-serve.js");
const started: ServerProcess[] = [];

beforeAll(async () => {
  await buildRuntime();
}, 300_000);

afterAll(async () => {
  for (const server of started) {
    // npx runs the server under npm: stop the whole process group.
    if (server.child.exitCode === null && server.child.pid)
      process.kill(-server.child.pid, "SIGTERM");
    await server.exited;
  }
});

describe("npx hybridai-serve from the repository root", () => {
  it("is linked by npm ci to the committed bin file, not to build output", async () => {
    const link = path.join(REPO_ROOT, "node_modules/.bin/hybridai-serve");
    const target = await realpath(link).catch(() => "missing: run npm ci (or npm rebuild)");
    expect(target).toBe(SHIM);
  });

  it("serves, and its banner lists the model that failed with its reason while readiness is 503", async () => {
    const root = await repositoryWith([batchedModel("ok", { max_batch_size: 4 })]);
    await writeBrokenModel(root, "broken");
    const control = await explicitModelControl();
    const server = spawnServer("npx", [
      "--no-install",
      "hybridai-serve",
      ...[
        "--model-repository",
        root,
        "--host",
        "127.0.0.1",
        "--port",
        "0",
        "--log-level",
        "silent",
        "--model-control-mode",
        "explicit",
        "--repository-auth-token-file",
        String(control.options.repositoryAuthTokenFile),
      ],
    ]);
    started.push(server);
    const url = await waitForUrl(server);
    const index = await postJson(`${url}/v2/repository/index`, {});
    const broken = index.body.find((row: { name: string }) => row.name === "broken");
    expect(broken.state).toBe("UNAVAILABLE");
    expect(broken.reason).not.toBe("");
    expect(server.stdout().split("\n").slice(1, 6)).toEqual([
      `hybridai-serve listening on ${url}`,
      "Models ready: ok (v1)",
      `Models not ready (${url}/v2/health/ready answers 503 until every model loads; fix them, then POST /v2/repository/models/<name>/load):`,
      `  broken: UNAVAILABLE: ${broken.reason.replace(/\s+/g, " ").trim()}`,
      "Try an inference:",
    ]);
    expect((await fetch(`${url}/v2/health/ready`)).status).toBe(503);

    // Doing what the banner says makes the server ready.
    await writeRepository(root, [batchedModel("broken", { max_batch_size: 4 })]);
    const load = await postJson(`${url}/v2/repository/models/broken/load`, {}, control.headers);
    expect(load.status).toBe(200);
    expect((await fetch(`${url}/v2/health/ready`)).status).toBe(200);
  });

  it("says how to build the runtime when it is not built, instead of a stack trace", async () => {
    const copy = await mkdtemp(path.join(tmpdir(), "hybridai-bin-"));
    await mkdir(path.join(copy, "bin"));
    await copyFile(SHIM, path.join(copy, "bin/hybridai-serve.js"));
    const failure = await run(process.execPath, [path.join(copy, "bin/hybridai-serve.js")]).catch(
      (error: { code: number; stderr: string }) => error,
    );
    expect(failure).toMatchObject({
      code: 1,
      stderr:
        "hybridai-serve: the runtime is not built (serving-runtime/dist/cli.js is missing); run `npm run build:runtime` in the repository root (npm ci does it too).\n",
    });
  });
});

describe("the demo model generator", () => {
  it("writes into the folder given, relative to where npm was run", async () => {
    const target = path.join(await mkdtemp(path.join(tmpdir(), "hybridai-gen-")), "models");
    const relative = path.relative(REPO_ROOT, target);
    const { stdout } = await run(
      "npm",
      ["run", "generate:models", "--silent", "-w", "serving-runtime", "--", relative],
      { cwd: REPO_ROOT },
    );
    expect(stdout).toBe(`demo models written to ${target}\n`);
    expect((await readdir(target)).sort()).toEqual(["mlp", "simple"]);
    expect((await readdir(path.join(target, "mlp"))).sort()).toEqual(["1", "config.json"]);
  });

  it("prints its usage with --help", async () => {
    const generator = path.join(REPO_ROOT, "serving-runtime/dist/modelgen/generate-demo-models.js");
    const { stdout } = await run(process.execPath, [generator, "--help"]);
    expect(stdout).toMatch(/^Usage: generate-demo-models \[DIR\]\n/);
  });
});
