import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { createServer } from "node:net";

const CLOCK_TICKS_PER_SECOND = (() => {
  try {
    return Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** A port on 127.0.0.1 that was free a moment ago. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });
}

/** CPU seconds (user + system) a process has used so far, from `/proc/<pid>/stat`. */
export function processCpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND;
}

/** Resident set size of a process in MiB, from `/proc/<pid>/status`. */
export function processRssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const match = /VmRSS:\s+(\d+) kB/.exec(status);
  return match ? Number(match[1]) / 1024 : 0;
}

/** A server running as a child process of the benchmark. */
export class ChildServer {
  private output = "";
  private exited: { code: number | null; signal: string | null } | undefined;

  private constructor(
    /** Label used in messages. */
    readonly label: string,
    /** Base URL, e.g. `http://127.0.0.1:8123`. */
    readonly url: string,
    private readonly child: ChildProcess,
  ) {
    const keep = (chunk: Buffer) => {
      this.output = (this.output + chunk.toString("utf8")).slice(-8_000);
    };
    child.stdout?.on("data", keep);
    child.stderr?.on("data", keep);
    child.on("exit", (code, signal) => {
      this.exited = { code, signal };
    });
  }

  /**
   * Starts `node <script> ...args` and waits until `GET <url><readyPath>` answers 200.
   * @param label Name used in messages.
   * @param script Compiled JavaScript entry point.
   * @param args Arguments; `{port}` is replaced by the chosen port.
   * @param readyPath Path that answers 200 once the server is ready.
   * @param timeoutMs How long to wait for readiness.
   * @throws Error with the server's last output when it exits or is not ready in time.
   */
  static async start(
    label: string,
    script: string,
    args: string[],
    readyPath: string,
    timeoutMs = 60_000,
  ): Promise<ChildServer> {
    const port = await freePort();
    const child = spawn(
      process.execPath,
      [script, ...args.map((a) => a.replace("{port}", `${port}`))],
      {
        stdio: ["ignore", "pipe", "pipe"],
        env: { ...process.env, NODE_ENV: "production" },
      },
    );
    const server = new ChildServer(label, `http://127.0.0.1:${port}`, child);
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (server.exited) break;
      try {
        const response = await fetch(server.url + readyPath, {
          signal: AbortSignal.timeout(1_000),
        });
        if (response.status === 200) return server;
      } catch {
        // not listening yet
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await server.stop();
    throw new Error(
      `${label} did not become ready at ${server.url}${readyPath} within ${timeoutMs} ms` +
        ` (${server.exited ? `exited ${server.exited.code ?? server.exited.signal}` : "still running"}); last output:\n${server.output}`,
    );
  }

  /** Process id. */
  get pid(): number {
    return this.child.pid ?? -1;
  }

  /** Whether the process is still running. */
  get running(): boolean {
    return this.exited === undefined;
  }

  /** The last 8 kB of the server's stdout and stderr. */
  get lastOutput(): string {
    return this.output;
  }

  /** CPU seconds the server has used so far. */
  cpuSeconds(): number {
    return processCpuSeconds(this.pid);
  }

  /** The server's resident set size in MiB. */
  rssMiB(): number {
    return processRssMiB(this.pid);
  }

  /**
   * Sends SIGTERM and waits for exit, then SIGKILL after `graceMs`.
   * @returns The exit code or signal.
   */
  async stop(graceMs = 10_000): Promise<number | string | null> {
    if (!this.exited) {
      const exited = new Promise<void>((resolve) => this.child.once("exit", () => resolve()));
      this.child.kill("SIGTERM");
      const timer = setTimeout(() => this.child.kill("SIGKILL"), graceMs);
      await exited;
      clearTimeout(timer);
    }
    return this.exited?.code ?? this.exited?.signal ?? null;
  }
}
