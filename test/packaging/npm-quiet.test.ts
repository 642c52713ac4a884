import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const run = promisify(execFile);
const REPO_ROOT = path.resolve(__dirname, "../..");

/** npm in the repository root, its update check off so that only the project speaks. */
function npm(args: string[], env: NodeJS.ProcessEnv = {}) {
  return run("npm", args, {
    cwd: REPO_ROOT,
    env: { ...process.env, npm_config_update_notifier: "false", ...env },
  });
}

describe("npm in this repository", () => {
  it("runs without warnings: .npmrc holds only settings npm knows", async () => {
    const { stdout, stderr } = await npm(["pkg", "get", "name"]);
    expect(stdout.trim()).toBe('"pulumi-hybridai"');
    expect(stderr).toBe("");
  });

  it("has reviewed every dependency's install scripts", async () => {
    const { stdout, stderr } = await npm(["install-scripts", "ls"]);
    expect(stdout.trim()).toBe("No packages with unreviewed install scripts.");
    expect(stderr).toBe("");
  });

  it("never runs onnxruntime-node's install script, which would fetch CUDA binaries", async () => {
    // Were the script to run, its download would go to a closed port and fail the rebuild.
    const closed = "http://127.0.0.1:9";
    const { stdout, stderr } = await npm(["rebuild", "onnxruntime-node", "--foreground-scripts"], {
      HTTPS_PROXY: closed,
      https_proxy: closed,
      GLOBAL_AGENT_HTTPS_PROXY: closed,
    });
    expect(stdout.trim()).toBe("rebuilt dependencies successfully");
    expect(stderr).toBe("");
  });
});
