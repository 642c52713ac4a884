import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const run = promisify(execFile);
const REPO_ROOT = path.resolve(__dirname, "../..");

/**
 * npm in the repository root as a user types it: its update check off so that only the project
 * speaks, and without the `npm_config_*` copy of the `.npmrc` key that an enclosing npm run
 * exports (a nested npm warns about it once more, as an "env config").
 */
function npm(args: string[], env: NodeJS.ProcessEnv = {}) {
  const { npm_config_onnxruntime_node_install: _exported, ...inherited } = process.env;
  return run("npm", args, {
    cwd: REPO_ROOT,
    env: { ...inherited, npm_config_update_notifier: "false", ...env },
  });
}

/** npm 11's one warning about the `.npmrc` key that onnxruntime-node's install script reads. */
const NPMRC_KEY_WARNING =
  'npm warn Unknown project config "onnxruntime-node-install". This will stop working in the next major version of npm. See `npm help npmrc` for supported config options.';

/** What npm wrote to stderr besides {@link NPMRC_KEY_WARNING}, line by line. */
function otherStderr(stderr: string): string[] {
  return stderr.split("\n").filter((line) => line.trim() !== "" && line !== NPMRC_KEY_WARNING);
}

describe("npm in this repository", () => {
  it("warns about nothing but the .npmrc key that keeps the CUDA download off on every npm", async () => {
    const { stdout, stderr } = await npm(["pkg", "get", "name"]);
    expect(stdout.trim()).toBe('"pulumi-hybridai"');
    const warnings = stderr.split("\n").filter((line) => line.trim() !== "");
    expect(warnings).toEqual([NPMRC_KEY_WARNING]);
  });

  it("has reviewed every dependency's install scripts", async () => {
    const { stdout, stderr } = await npm(["install-scripts", "ls"]);
    expect(stdout.trim()).toBe("No packages with unreviewed install scripts.");
    expect(otherStderr(stderr)).toEqual([]);
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
    expect(otherStderr(stderr)).toEqual([]);
  });
});
