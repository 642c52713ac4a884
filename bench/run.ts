/**
 * `npm run bench`: measures the serving runtime against raw onnxruntime-node, a naive server and
 * an empty HTTP handler, prints a table with the targets of issue 4 and writes
 * `bench/results/latest.json`. Exits 1 when a phase could not be measured.
 *
 * Environment: `BENCH_SECONDS` (seconds per load point, default 3), `BENCH_WARMUP_SECONDS`
 * (default 0.5), `BENCH_PHASES` (comma-separated subset of raw,naive,empty,server,overload;
 * default all), `BENCH_SERVER_ARGS` (extra flags for our server, e.g. `--intra-op-threads 1`).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { ensureRuntimeBuilt } from "./build-runtime";
import { ChildServer } from "./child-server";
import { type LoadPoint, measureLoad, measureSequentialLatency } from "./load";
import { type BenchModel, cnnModel, mlpModel, writeRepository } from "./models";
import { measureOverload } from "./overload";
import { decodeFirstOutput, type InferPayload, inferPayload, type WireForm } from "./payloads";
import { measureRaw, referenceOutput } from "./raw";
import {
  type BenchResults,
  isPhaseError,
  isPhaseFailure,
  type PhaseError,
  type ServedForm,
  SKIPPED,
} from "./results";
import { type BenchSettings, readSettings } from "./settings";
import { formatReport } from "./table";
import { checkTargets } from "./targets";

const REPO_ROOT = path.resolve(__dirname, "..", "..", "..");
const SETTINGS = settingsOrExit();
const SECONDS = SETTINGS.seconds;
const WARMUP_SECONDS = SETTINGS.warmupSeconds;
const PHASES = SETTINGS.phases;
const CONCURRENCIES = [1, 8, 32, 64];
const SEQUENTIAL_SECONDS = Math.min(1.5, SECONDS);
const WATCHDOG_MS = 10 * 60_000;

function settingsOrExit(): BenchSettings {
  try {
    return readSettings();
  } catch (error) {
    console.error(`bench: ${(error as Error).message}`);
    return process.exit(1);
  }
}

const BATCHING = {
  max_batch_size: 64,
  dynamic_batching: { max_queue_delay_microseconds: 500 },
  instance_group: [{ count: 1 }],
};
const SMALL_QUEUE = {
  max_batch_size: 8,
  dynamic_batching: {
    max_queue_delay_microseconds: 500,
    default_queue_policy: { max_queue_size: 16 },
  },
  instance_group: [{ count: 1 }],
};

function phaseError(error: unknown): PhaseError {
  return { error: error instanceof Error ? error.message : String(error) };
}

async function verifyAnswer(
  server: ChildServer,
  payload: InferPayload,
  reference: number[],
): Promise<void> {
  const response = await fetch(server.url + payload.path, {
    method: "POST",
    headers: payload.headers,
    body: payload.body,
    signal: AbortSignal.timeout(10_000),
  });
  const body = Buffer.from(await response.arrayBuffer());
  if (response.status !== 200) {
    throw new Error(
      `${server.label} answered ${response.status} to ${payload.path}: ${body.toString("utf8").slice(0, 300)}`,
    );
  }
  const output = decodeFirstOutput(response.headers, body);
  const wrong = reference.findIndex(
    (expected, i) => !(Math.abs(output.values[i] - expected) <= 1e-3 + 1e-3 * Math.abs(expected)),
  );
  if (output.values.length !== reference.length || wrong >= 0) {
    throw new Error(
      `${server.label} gave a wrong answer on ${payload.path}: got ${output.values.length} values ` +
        `[${output.values.slice(0, 4).join(", ")}…], expected ${reference.length} [${reference.slice(0, 4).join(", ")}…]`,
    );
  }
}

async function measureServed(
  server: ChildServer,
  model: BenchModel,
  forms: WireForm[],
  reference: number[],
): Promise<ServedForm[]> {
  const measured: ServedForm[] = [];
  for (const wire of forms) {
    const payload = inferPayload(model, wire);
    await verifyAnswer(server, payload, reference);
    const sequential = await measureSequentialLatency(server, payload, SEQUENTIAL_SECONDS);
    const load: LoadPoint[] = [];
    for (const connections of CONCURRENCIES) {
      const point = await measureLoad(
        server,
        payload,
        connections,
        SECONDS,
        WARMUP_SECONDS,
        model.name,
      );
      if (point.non2xx > 0 || point.errors > 0) {
        throw new Error(
          `${server.label} ${model.name} ${wire} c=${connections}: ${point.non2xx} non-2xx responses, ${point.errors} errors`,
        );
      }
      load.push(point);
      console.log(
        `  ${server.label} ${model.name} ${wire} c=${connections}: ${point.itemsPerSecond.toFixed(0)} items/s`,
      );
    }
    measured.push({ form: wire, load, sequential });
  }
  return measured;
}

async function withServer<T>(
  start: () => Promise<ChildServer>,
  use: (server: ChildServer) => Promise<T>,
): Promise<T> {
  const server = await start();
  try {
    return await use(server);
  } finally {
    await server.stop();
  }
}

/** Builds the runtime up front when a server phase will run; an Error fails those phases. */
function buildRuntime(): string | Error | undefined {
  if (!PHASES.has("server") && !PHASES.has("overload")) return undefined;
  try {
    return ensureRuntimeBuilt(REPO_ROOT);
  } catch (error) {
    return error as Error;
  }
}

async function main(): Promise<void> {
  const started = Date.now();
  const watchdog = setTimeout(() => {
    console.error(`bench: still running after ${WATCHDOG_MS / 1000} s; giving up`);
    process.exit(2);
  }, WATCHDOG_MS);
  watchdog.unref();
  const benchDist = path.join(REPO_ROOT, "bench", "dist", "bench");
  const workDir = mkdtempSync(path.join(os.tmpdir(), "hybridai-bench-"));
  const models = { cnn: cnnModel("cnn"), mlp: mlpModel("mlp") };
  const serverRepo = path.join(workDir, "server");
  const naiveRepo = path.join(workDir, "naive");
  writeRepository(serverRepo, [
    // The raw sweep peaks at batch 4–16 for the CNN: larger batches only add queueing.
    { model: models.cnn, config: { ...BATCHING, max_batch_size: 8 } },
    { model: models.mlp, config: BATCHING },
    { model: models.cnn, name: "cnn_small_queue", config: SMALL_QUEUE },
  ]);
  writeRepository(naiveRepo, [
    { model: models.cnn, config: {} },
    { model: models.mlp, config: {} },
  ]);
  const results: BenchResults = {
    startedAt: new Date(started).toISOString(),
    totalSeconds: 0,
    machine: {
      cpus: os.availableParallelism(),
      cpuModel: os.cpus()[0]?.model ?? "unknown",
      node: process.version,
      onnxruntime: require("onnxruntime-node/package.json").version,
      loadAverageAtStart: os.loadavg()[0],
      loadAverageAtEnd: 0,
    },
    settings: {
      seconds: SECONDS,
      warmupSeconds: WARMUP_SECONDS,
      concurrencies: CONCURRENCIES,
      serverArgs: SETTINGS.serverArgs,
    },
    raw: { cnn: { error: SKIPPED }, mlp: { error: SKIPPED } },
    server: { cnn: { error: SKIPPED }, mlp: { error: SKIPPED } },
    naive: { cnn: { error: SKIPPED }, mlp: { error: SKIPPED } },
    empty: { error: SKIPPED },
    overload: { error: SKIPPED },
    targets: [],
  };
  const cli = buildRuntime();
  try {
    const references: Record<string, number[]> = {};
    for (const [name, model] of Object.entries(models)) {
      references[name] = await referenceOutput(model);
    }
    for (const [name, model] of Object.entries(models)) {
      console.log(`raw onnxruntime-node: ${name}`);
      if (!PHASES.has("raw")) continue;
      try {
        const raw = await measureRaw(
          model,
          [1, 2, 4, 8, 16, 32, 64],
          Math.min(0.6, SECONDS),
          SEQUENTIAL_SECONDS,
        );
        results.raw[name] = raw;
      } catch (error) {
        results.raw[name] = phaseError(error);
      }
    }

    console.log("naive server");
    if (PHASES.has("naive"))
      try {
        await withServer(
          () =>
            ChildServer.start(
              "naive",
              path.join(benchDist, "naive-server.js"),
              [naiveRepo, "{port}"],
              "/v2/health/ready",
            ),
          async (server) => {
            for (const [name, model] of Object.entries(models)) {
              try {
                results.naive[name] = await measureServed(
                  server,
                  model,
                  ["json"],
                  references[name],
                );
              } catch (error) {
                results.naive[name] = phaseError(error);
              }
            }
          },
        );
      } catch (error) {
        for (const name of Object.keys(models)) results.naive[name] = phaseError(error);
      }

    console.log("empty handler");
    if (PHASES.has("empty"))
      try {
        results.empty = await withServer(
          () =>
            ChildServer.start(
              "empty",
              path.join(benchDist, "empty-server.js"),
              ["{port}"],
              "/v2/health/ready",
            ),
          async (server) => {
            const payload = inferPayload(models.mlp, "json");
            const points: LoadPoint[] = [];
            for (const connections of [8, 64]) {
              points.push(await measureLoad(server, payload, connections, SECONDS, WARMUP_SECONDS));
            }
            return points;
          },
        );
      } catch (error) {
        results.empty = phaseError(error);
      }

    console.log("our server");
    if (PHASES.has("server") || PHASES.has("overload"))
      try {
        if (cli === undefined || cli instanceof Error) throw cli ?? new Error("runtime not built");
        await withServer(
          () =>
            ChildServer.start(
              "server",
              cli,
              [
                "--model-repository",
                serverRepo,
                "--host",
                "127.0.0.1",
                "--port",
                "{port}",
                ...SETTINGS.serverArgs,
              ],
              "/v2/health/ready",
            ),
          async (server) => {
            for (const [name, model] of Object.entries(models)) {
              if (!PHASES.has("server")) continue;
              try {
                results.server[name] = await measureServed(
                  server,
                  model,
                  ["json", "binary"],
                  references[name],
                );
              } catch (error) {
                results.server[name] = phaseError(error);
              }
            }
            console.log("overload");
            if (PHASES.has("overload"))
              try {
                const payload = inferPayload({ ...models.cnn, name: "cnn_small_queue" }, "json");
                results.overload = await measureOverload(server, payload, 2_000, 200, 30, 90);
              } catch (error) {
                results.overload = phaseError(error);
              }
          },
        );
      } catch (error) {
        const failure = phaseError(error);
        for (const name of Object.keys(models)) {
          if (!results.server[name]) results.server[name] = failure;
        }
        if (isPhaseError(results.overload)) results.overload = failure;
      }
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }

  results.totalSeconds = (Date.now() - started) / 1000;
  results.machine.loadAverageAtEnd = os.loadavg()[0];
  results.targets = checkTargets(results);
  console.log(`\n${formatReport(results)}\n`);
  const resultsDir = path.join(REPO_ROOT, "bench", "results");
  mkdirSync(resultsDir, { recursive: true });
  writeFileSync(path.join(resultsDir, "latest.json"), `${JSON.stringify(results, null, 2)}\n`);
  console.log(
    `figures written to bench/results/latest.json (${results.totalSeconds.toFixed(0)} s)`,
  );
  const failed = [
    ...Object.values(results.raw),
    ...Object.values(results.server),
    ...Object.values(results.naive),
    results.empty,
    results.overload,
  ].some(isPhaseFailure);
  process.exitCode = failed ? 1 : 0;
}

main().catch((error: Error) => {
  console.error(`bench failed: ${error.stack ?? error.message}`);
  process.exit(1);
});
