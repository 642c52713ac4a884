import { spawn } from "node:child_process";
import { freePort } from "./child-server";

/** How long our server took from process start to readiness, over several starts. */
export interface ReadyResult {
  /** Milliseconds from spawning the process to the first 200 of `/v2/health/ready`, per start. */
  startsMs: number[];
  /** Median of `startsMs`. */
  medianMs: number;
  /** Size of the model file in bytes. */
  modelBytes: number;
  /** The model's served config (`GET /v2/models/{m}/config`) after the last start. */
  config: unknown;
}

async function once(cli: string, repository: string, model: string): Promise<[number, unknown]> {
  const port = await freePort();
  const started = performance.now();
  const child = spawn(
    process.execPath,
    [
      cli,
      "--model-repository",
      repository,
      "--host",
      "127.0.0.1",
      "--port",
      `${port}`,
      "--grpc-port",
      "0",
      "--log-level",
      "warn",
    ],
    { stdio: ["ignore", "ignore", "pipe"], env: { ...process.env, NODE_ENV: "production" } },
  );
  let stderr = "";
  child.stderr?.on("data", (chunk) => {
    stderr += chunk;
  });
  let exited = false;
  child.once("exit", () => {
    exited = true;
  });
  const url = `http://127.0.0.1:${port}`;
  try {
    while (!exited && performance.now() - started < 60_000) {
      try {
        const response = await fetch(`${url}/v2/health/ready`);
        if (response.status === 200) {
          const elapsed = performance.now() - started;
          const config = await (await fetch(`${url}/v2/models/${model}/config`)).json();
          return [elapsed, config];
        }
      } catch {
        // not listening yet
      }
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    throw new Error(
      `the server did not become ready (${exited ? "exited" : "timeout"}): ${stderr}`,
    );
  } finally {
    const gone = new Promise((resolve) => child.once("exit", resolve));
    if (!exited) child.kill("SIGINT");
    if (!exited) await gone;
  }
}

/**
 * Starts the compiled server `starts` times on a repository holding one model and measures the
 * time from spawning the process to readiness (listening, model loaded, timed, placed, batch
 * size measured), polling every 5 ms.
 * @param cli Path of the compiled CLI.
 * @param repository Model repository holding only `model`.
 * @param model The model's name.
 * @param modelBytes Size of its ONNX file.
 * @param starts How many starts to measure.
 */
export async function measureReady(
  cli: string,
  repository: string,
  model: string,
  modelBytes: number,
  starts: number,
): Promise<ReadyResult> {
  const startsMs: number[] = [];
  let config: unknown;
  for (let i = 0; i < starts; i++) {
    const [ms, served] = await once(cli, repository, model);
    startsMs.push(ms);
    config = served;
  }
  const sorted = [...startsMs].sort((a, b) => a - b);
  return { startsMs, medianMs: sorted[Math.floor(sorted.length / 2)], modelBytes, config };
}
