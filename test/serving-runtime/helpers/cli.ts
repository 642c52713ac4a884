import { type ChildProcess, spawn } from "node:child_process";
import path from "node:path";
import { ensureRuntimeBuilt } from "./runtime-build";

/** The repository root. */
export const REPO_ROOT = path.resolve(__dirname, "../../..");

/** The compiled CLI. */
export const CLI = path.join(REPO_ROOT, "serving-runtime/dist/cli.js");

/**
 * Makes sure the compiled CLI is current: builds the serving runtime when dist/ is older than
 * its sources. The test run's global setup already did, so within `npm test` this only checks.
 */
export async function buildRuntime(): Promise<void> {
  await ensureRuntimeBuilt();
}

/** A spawned server process with its collected output. */
export interface ServerProcess {
  /** The child process. */
  child: ChildProcess;
  /** Everything written to stdout so far. */
  stdout(): string;
  /** Everything written to stderr so far. */
  stderr(): string;
  /** Resolves with the exit code (or signal name) once the process exits. */
  exited: Promise<number | string>;
}

/**
 * Spawns a command and collects its output. gRPC is off (`HYBRIDAI_GRPC_PORT=0`) unless `env` or
 * a `--grpc-port` flag asks for it: its default port 8001 would be shared by tests in parallel.
 */
export function spawnServer(
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv = {},
): ServerProcess {
  const child = spawn(command, args, {
    cwd: REPO_ROOT,
    env: { ...process.env, HYBRIDAI_GRPC_PORT: "0", ...env },
    detached: true,
  });
  let out = "";
  let err = "";
  child.stdout?.on("data", (chunk) => {
    out += chunk;
  });
  child.stderr?.on("data", (chunk) => {
    err += chunk;
  });
  const exited = new Promise<number | string>((resolve) => {
    child.on("exit", (code, signal) => resolve(code ?? signal ?? -1));
  });
  return { child, stdout: () => out, stderr: () => err, exited };
}

/** Waits until the server prints its base URL (an output event, no polling) and returns it. */
export async function waitForUrl(server: ServerProcess): Promise<string> {
  const pattern = /listening on (http:\/\/[\d.]+:\d+)/;
  await waitForOutput(server, pattern);
  return (pattern.exec(server.stdout()) as RegExpExecArray)[1];
}

/** Resolves once the server's stdout (so far or later) matches `pattern`; event-driven. */
export function waitForOutput(server: ServerProcess, pattern: RegExp): Promise<void> {
  return new Promise((resolve, reject) => {
    if (pattern.test(server.stdout())) return resolve();
    const onData = () => {
      if (!pattern.test(server.stdout())) return;
      server.child.stdout?.off("data", onData);
      resolve();
    };
    server.child.stdout?.on("data", onData);
    void server.exited.then((code) =>
      reject(new Error(`server exited (${code}) before printing ${pattern}:\n${server.stdout()}`)),
    );
  });
}
