import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { REPO_ROOT } from "./cli";

const CLI_SOURCE = path.join(REPO_ROOT, "serving-runtime/src/cli.ts");

/** One memory figure of a process's `/proc/<pid>/status`, in MiB. */
function statusMiB(child: ChildProcess, field: "VmRSS" | "VmSize"): number {
  const status = readFileSync(`/proc/${child.pid}/status`, "utf8");
  return Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1] ?? 0) / 1024;
}

/** A server running the runtime's sources in a child process of its own. */
export interface SourceServer {
  /** Base URL, e.g. `http://127.0.0.1:41234`. */
  url: string;
  /** `host:port` of the gRPC side, when `--grpc-port` named one. */
  grpcAddress?: string;
  /** The child process. */
  child: ChildProcess;
  /** Everything written to stdout and stderr so far. */
  output(): string;
  /** Resident set size of the server process in MiB, from `/proc/<pid>/status`. */
  rssMiB(): number;
  /** Virtual memory the server process has reserved, in MiB (`VmSize` of `/proc/<pid>/status`). */
  vmSizeMiB(): number;
  /** Sends SIGTERM, then SIGKILL after 10 s; resolves once the process has exited. */
  stop(): Promise<void>;
}

/**
 * Starts `hybridai-serve` from its TypeScript sources (through tsx) in a child process, so a test
 * can watch the server from outside: a request that blocks or spins the server's event loop
 * then shows up as missing answers instead of freezing the test's own process. Resolves once the
 * startup banner names the listening address.
 *
 * @param args flags after `hybridai-serve` (`--port 0` and `--log-level warn` are added)
 * @param timeoutMs how long startup may take
 */
export function startSourceServer(args: string[], timeoutMs = 60_000): Promise<SourceServer> {
  const child = spawn(
    process.execPath,
    ["--import", "tsx", CLI_SOURCE, "--port", "0", "--log-level", "warn", ...args],
    { cwd: REPO_ROOT, env: { ...process.env, HYBRIDAI_GRPC_PORT: "0" }, stdio: "pipe" },
  );
  let output = "";
  child.stdout?.on("data", (chunk) => {
    output += chunk;
  });
  child.stderr?.on("data", (chunk) => {
    output += chunk;
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
    await exited;
    clearTimeout(timer);
  };
  return new Promise((resolve, reject) => {
    const deadline = setTimeout(() => {
      void stop();
      reject(new Error(`the server did not start within ${timeoutMs} ms:\n${output}`));
    }, timeoutMs);
    const onData = () => {
      const url = /listening on (http:\/\/[\d.]+:\d+)/.exec(output)?.[1];
      if (!url || !output.includes("\n\n", output.indexOf(url))) return;
      clearTimeout(deadline);
      child.stdout?.off("data", onData);
      resolve({
        url,
        grpcAddress: /gRPC \(inference\.GRPCInferenceService\) on (\S+)/.exec(output)?.[1],
        child,
        output: () => output,
        rssMiB: () => statusMiB(child, "VmRSS"),
        vmSizeMiB: () => statusMiB(child, "VmSize"),
        stop,
      });
    };
    child.stdout?.on("data", onData);
    void exited.then(() => {
      clearTimeout(deadline);
      reject(new Error(`the server exited before listening:\n${output}`));
    });
  });
}
