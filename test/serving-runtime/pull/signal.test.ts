import { spawn } from "node:child_process";
import { once } from "node:events";
import { readdir, stat } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compilePullModule } from "./helpers/compiled-pull";
import { startFakeGcs } from "./helpers/fake-gcs";
import type { ObjectServer } from "./helpers/object-server";
import { removeDirectory, sampleRepository, temporaryDirectory } from "./helpers/repository";

let gcs: ObjectServer;
let work: string;
let pullModule: string;

beforeAll(async () => {
  work = await temporaryDirectory();
  pullModule = await compilePullModule(path.join(work, "compiled"));
  gcs = await startFakeGcs(["models"]);
  for (const [name, content] of Object.entries(sampleRepository())) {
    gcs.objects.set(`models/repo/${name}`, content);
  }
});

afterAll(async () => {
  await gcs.close();
  await removeDirectory(work);
});

/** Runs `hybridai-serve pull` in a child process with the GCS endpoint from the SDK's own variable. */
function runPull(args: string[]) {
  const script = `require(${JSON.stringify(pullModule)}).runPullCommand(${JSON.stringify(args)}).then((code) => process.exit(code))`;
  const child = spawn(process.execPath, ["-e", script], {
    env: {
      ...process.env,
      NODE_PATH: path.resolve(__dirname, "../../../node_modules"),
      STORAGE_EMULATOR_HOST: `${gcs.url}/storage/v1`,
      NODE_NO_WARNINGS: "1",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk) => {
    stdout += chunk;
  });
  child.stderr.on("data", (chunk) => {
    stderr += chunk;
  });
  const exited = once(child, "exit").then(([code]) => ({ code, stdout, stderr }));
  return { child, exited };
}

async function waitFor(condition: () => Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 400; i++) {
    if (await condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe("hybridai-serve pull in its own process", () => {
  it("pulls through STORAGE_EMULATOR_HOST and exits 0", async () => {
    const target = path.join(work, "ok", "models");
    const { exited } = runPull(["--from", "gs://models/repo", "--to", target]);
    const { code, stdout, stderr } = await exited;
    expect(stderr).toBe("");
    expect(code).toBe(0);
    expect(stdout).toContain(`4 files`);
    expect((await readdir(target)).sort()).toEqual(["embedder", "ranker"]);
  });

  it("on SIGTERM mid-transfer removes the staging directory and exits 143", async () => {
    gcs.requests.length = 0;
    gcs.faults.set("models/repo/ranker/1/model.onnx", [{ stall: "mid-body" }]);
    const parent = path.join(work, "interrupted");
    const target = path.join(parent, "models");
    const { child, exited } = runPull(["--from", "gs://models/repo", "--to", target]);
    await waitFor(
      async () => gcs.requests.some((r) => r.includes("ranker%2F1%2Fmodel.onnx")),
      "the stalled download to start",
    );
    expect((await readdir(parent)).filter((n) => n.startsWith(".hybridai-pull-"))).toHaveLength(1);
    child.kill("SIGTERM");
    const { code, stderr } = await exited;
    expect(code).toBe(143);
    expect(stderr).toContain("interrupted by SIGTERM");
    expect(stderr).toContain(`${target} is unchanged`);
    expect(await readdir(parent)).toEqual([]);
    await expect(stat(target)).rejects.toThrow(/ENOENT/);
  });
});
