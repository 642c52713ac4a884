/**
 * `npm run bench`: measures the serving runtime, on models dropped into a repository without
 * any config file, side by side with raw onnxruntime-node, a naive hand-written server and the
 * inference-free ceiling (our own protocol handling answering from the response cache); then the
 * time to ready for a 10 MB model and an overload run. Prints a table with the targets of issue
 * 12 and writes `bench/results/latest.json`. Exits 1 when a phase could not be measured.
 *
 * Then the overhead of issue 18's observability and guardrails: the MLP and the CNN with all of
 * them off and all on, side by side.
 *
 * Last, issue 31's pipeline: PaddleOCR's text-direction classifier behind a generated
 * preprocessing model, served as a Triton ensemble, against a client calling the two steps one by
 * one (requests/s and CPU per request at c=1 and c=32).
 *
 * First, issue 27's primary figure: CPU per item of each model and wire form against raw
 * onnxruntime (one thread, no spinning), the ceiling and the naive server.
 *
 * Environment: `BENCH_SECONDS` (seconds per load point, default 3), `BENCH_WARMUP_SECONDS`
 * (default 0.5), `BENCH_PHASES` (comma-separated subset of
 * cpu,raw,naive,server,ready,overload,observability,pipeline,hostile; default all), `BENCH_SERVER_ARGS` (extra flags for our server, e.g. `--intra-op-threads 1`).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { writeOcrPipelineRepository } from "../serving-runtime/src/modelgen/ocr-pipeline";
import { checkValues, verifyAnswer } from "./answers";
import { ensureRuntimeBuilt } from "./build-runtime";
import { ChildServer, freePort } from "./child-server";
import {
  auditLogPath,
  type CpuPerItem,
  measureCpuPerItem,
  paddleClassifierModel,
} from "./cpu-per-item";
import {
  grpcFirstOutput,
  grpcPayload,
  measureGrpcLoad,
  measureGrpcSequential,
  measureGrpcStreamLoad,
} from "./grpc-load";
import { measureHeadToHead } from "./head-to-head";
import { measureHostile } from "./hostile";
import { type LoadPoint, measureLoad, measureSequentialLatency } from "./load";
import { type BenchModel, bigModel, cnnModel, mlpModel, writeRepository } from "./models";
import { measureObservabilityOverhead } from "./observability";
import { measureOverload } from "./overload";
import { inferPayload, type WireForm } from "./payloads";
import { measurePipeline, paddleClassifierBytes } from "./pipeline";
import { measureRaw, measureRawAt, referenceOutput } from "./raw";
import { measureReady } from "./ready";
import {
  type BenchResults,
  type CnnHeadToHead,
  isPhaseError,
  isPhaseFailure,
  type PhaseError,
  type ServedForm,
  SKIPPED,
} from "./results";
import { type BenchSettings, readSettings } from "./settings";
import { type LatencySummary, median } from "./stats";
import { formatReport } from "./table";
import { checkTargets, MLP_CONCURRENCY } from "./targets";
import { measureTracingOverhead } from "./tracing";

const REPO_ROOT = path.resolve(__dirname, "..", "..", "..");
const SETTINGS = settingsOrExit();
const SECONDS = SETTINGS.seconds;
const WARMUP_SECONDS = SETTINGS.warmupSeconds;
const PHASES = SETTINGS.phases;
const CONCURRENCIES = [1, 8, 32, 64];
/** Issue 31's concurrencies for the pipeline comparison. */
const PIPELINE_CONCURRENCIES = [1, 32];
const SEQUENTIAL_SECONDS = Math.min(1.5, SECONDS);
const WATCHDOG_MS = 15 * 60_000;

function settingsOrExit(): BenchSettings {
  try {
    return readSettings();
  } catch (error) {
    console.error(`bench: ${(error as Error).message}`);
    return process.exit(1);
  }
}

/** The ceiling model: the MLP answered from the response cache, so no inference runs. */
const CEILING_MODEL = "mlp_cached";
/** Queue bound of the overload server (a flag, so the model itself stays config-less). */
const OVERLOAD_QUEUE = "16";

function phaseError(error: unknown): PhaseError {
  return { error: error instanceof Error ? error.message : String(error) };
}

/** The gRPC address (`host:port`) of each of our servers. */
const grpcAddresses = new WeakMap<ChildServer, string>();

/** How one wire form is checked and measured against a server. */
interface FormDriver {
  verify(): Promise<void>;
  sequential(): Promise<LatencySummary>;
  load(connections: number): Promise<LoadPoint>;
}

function driverFor(
  server: ChildServer,
  model: BenchModel,
  wire: WireForm,
  reference: number[],
): FormDriver {
  if (wire === "grpc-stream") {
    const address = grpcAddresses.get(server);
    if (!address) throw new Error(`${server.label} has no gRPC port`);
    const stream = (connections: number, seconds: number, warmup: number) =>
      measureGrpcStreamLoad(server, address, model, connections, seconds, warmup, model.name);
    return {
      // The unary check covers the answer; the stream's answers carry the same outputs.
      verify: async () =>
        checkValues(
          `${server.label} gRPC ${model.name}`,
          await grpcFirstOutput(address, grpcPayload(model)),
          reference,
        ),
      sequential: async () => (await stream(1, SEQUENTIAL_SECONDS, WARMUP_SECONDS)).sequential,
      load: (connections) => stream(connections, SECONDS, WARMUP_SECONDS),
    };
  }
  if (wire === "grpc") {
    const address = grpcAddresses.get(server);
    if (!address) throw new Error(`${server.label} has no gRPC port`);
    const payload = grpcPayload(model);
    return {
      verify: async () =>
        checkValues(
          `${server.label} gRPC ${model.name}`,
          await grpcFirstOutput(address, payload),
          reference,
        ),
      sequential: () => measureGrpcSequential(address, payload, SEQUENTIAL_SECONDS),
      load: (connections) =>
        measureGrpcLoad(server, address, payload, connections, SECONDS, WARMUP_SECONDS, model.name),
    };
  }
  const payload = inferPayload(model, wire);
  return {
    verify: () => verifyAnswer(server, payload, reference),
    sequential: () => measureSequentialLatency(server, payload, SEQUENTIAL_SECONDS),
    load: (connections) =>
      measureLoad(server, payload, connections, SECONDS, WARMUP_SECONDS, model.name),
  };
}

async function measureServed(
  server: ChildServer,
  model: BenchModel,
  forms: WireForm[],
  reference: number[],
): Promise<ServedForm[]> {
  const measured: ServedForm[] = [];
  for (const wire of forms) {
    const driver = driverFor(server, model, wire, reference);
    await driver.verify();
    const sequential = await driver.sequential();
    const load: LoadPoint[] = [];
    for (const connections of CONCURRENCIES) {
      const point = await driver.load(connections);
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

/**
 * Issue 27's CPU per item: our server (config-less PaddleOCR classifier and MLP, the cached MLP),
 * the same with the audit log at sample rate 1, and the naive server, all started up front and
 * measured in alternating rounds with raw onnxruntime.
 */
async function cpuPhase(cli: string, dir: string, benchDist: string): Promise<CpuPerItem> {
  const cnn = paddleClassifierModel(paddleClassifierBytes());
  const mlp = mlpModel("mlp");
  const repository = path.join(dir, "repository");
  const naiveRepository = path.join(dir, "naive");
  writeRepository(repository, [
    { model: cnn },
    { model: mlp },
    { model: mlp, name: CEILING_MODEL, config: { response_cache: { enable: true } } },
  ]);
  writeRepository(naiveRepository, [{ model: mlp }]);
  const auditFlags = ["--audit-log", auditLogPath(dir), "--audit-sample-rate", "1"];
  return withServer(
    () => ourServer(cli, repository),
    (server) =>
      withServer(
        () => ourServer(cli, repository, auditFlags),
        (audited) =>
          withServer(
            () =>
              ChildServer.start(
                "naive",
                path.join(benchDist, "naive-server.js"),
                [naiveRepository, "{port}"],
                "/v2/health/ready",
              ),
            (naive) =>
              measureCpuPerItem({
                cnn,
                mlp,
                ours: { server, grpc: grpcAddresses.get(server) ?? "" },
                audited,
                naive,
                ceilingModel: CEILING_MODEL,
                rounds: 3,
                seconds: SECONDS,
                warmupSeconds: WARMUP_SECONDS,
              }),
          ),
      ),
  );
}

/** Builds the runtime up front when a server phase will run; an Error fails those phases. */
function buildRuntime(): string | Error | undefined {
  const needsServer = [
    "cpu",
    "server",
    "overload",
    "ready",
    "observability",
    "tracing",
    "pipeline",
    "hostile",
  ] as const;
  if (!needsServer.some((phase) => PHASES.has(phase))) return undefined;
  try {
    return ensureRuntimeBuilt(REPO_ROOT);
  } catch (error) {
    return error as Error;
  }
}

/**
 * Raw onnxruntime at its best sweep batch size and our server (binary, then JSON, each at the
 * concurrency where it did best in the sweep) in three alternating rounds, so that whatever else
 * the machine does weighs on both alike.
 */
async function cnnHeadToHead(
  server: ChildServer,
  model: BenchModel,
  results: BenchResults,
): Promise<CnnHeadToHead> {
  const raw = results.raw.cnn;
  const served = results.server.cnn;
  if (isPhaseError(raw) || isPhaseError(served)) throw new Error("needs the raw and server phases");
  const bestAt = (form: WireForm) => {
    const points = served.forms.find((f) => f.form === form)?.load ?? [];
    return points.reduce((a, b) => (b.itemsPerSecond > a.itemsPerSecond ? b : a)).connections;
  };
  const connections = {
    binary: bestAt("binary"),
    json: bestAt("json"),
    grpc: bestAt("grpc"),
    grpcStream: bestAt("grpc-stream"),
  };
  const rounds: CnnHeadToHead["rounds"] = [];
  for (let round = 0; round < 3; round++) {
    const rawRate = await measureRawAt(model, raw.best.batch, SECONDS);
    const points = [];
    for (const [form, key] of [
      ["binary", "binary"],
      ["json", "json"],
      ["grpc", "grpc"],
      ["grpc-stream", "grpcStream"],
    ] as const) {
      points.push(await driverFor(server, model, form, []).load(connections[key]));
    }
    const [binary, json, grpc, grpcStream] = points.map((point) => point.itemsPerSecond);
    rounds.push({ raw: rawRate, binary, json, grpc, grpcStream });
    console.log(
      `  round ${round + 1}: raw ${rawRate.toFixed(0)}, binary ${binary.toFixed(0)}, json ${json.toFixed(0)}, grpc ${grpc.toFixed(0)}, grpc stream ${grpcStream.toFixed(0)} items/s`,
    );
  }
  return {
    rawBatch: raw.best.batch,
    connections,
    rounds,
    median: {
      raw: median(rounds.map((r) => r.raw)),
      binary: median(rounds.map((r) => r.binary)),
      json: median(rounds.map((r) => r.json)),
      grpc: median(rounds.map((r) => r.grpc)),
      grpcStream: median(rounds.map((r) => r.grpcStream)),
    },
  };
}

async function ourServer(
  cli: string,
  repository: string,
  extra: string[] = [],
): Promise<ChildServer> {
  const grpcPort = await freePort();
  const server = await ChildServer.start(
    "server",
    cli,
    [
      "--model-repository",
      repository,
      "--host",
      "127.0.0.1",
      "--port",
      "{port}",
      "--grpc-port",
      `${grpcPort}`,
      ...SETTINGS.serverArgs,
      ...extra,
    ],
    "/v2/health/ready",
  );
  grpcAddresses.set(server, `127.0.0.1:${grpcPort}`);
  return server;
}

async function servedConfig(server: ChildServer, model: string): Promise<unknown> {
  const response = await fetch(`${server.url}/v2/models/${model}/config`);
  return response.json();
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
  const big = bigModel("big");
  const serverRepo = path.join(workDir, "server");
  const naiveRepo = path.join(workDir, "naive");
  const bigRepo = path.join(workDir, "big");
  const overloadRepo = path.join(workDir, "overload");
  writeRepository(serverRepo, [
    { model: models.cnn },
    { model: models.mlp },
    { model: models.mlp, name: CEILING_MODEL, config: { response_cache: { enable: true } } },
  ]);
  writeRepository(naiveRepo, [{ model: models.cnn }, { model: models.mlp }]);
  writeRepository(bigRepo, [{ model: big }]);
  writeRepository(overloadRepo, [{ model: models.cnn }]);
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
    ceiling: { error: SKIPPED },
    naive: { cnn: { error: SKIPPED }, mlp: { error: SKIPPED } },
    mlpHeadToHead: { error: SKIPPED },
    cnnHeadToHead: { error: SKIPPED },
    ready: { error: SKIPPED },
    overload: { error: SKIPPED },
    observability: { error: SKIPPED },
    tracing: { error: SKIPPED },
    pipeline: { error: SKIPPED },
    hostile: { error: SKIPPED },
    cpuPerItem: { error: SKIPPED },
    targets: [],
  };
  const cli = buildRuntime();
  const runtime = () => {
    if (cli === undefined || cli instanceof Error) throw cli ?? new Error("runtime not built");
    return cli;
  };
  try {
    console.log("CPU per item: raw onnxruntime, our server, the ceiling, the naive server");
    if (PHASES.has("cpu"))
      try {
        results.cpuPerItem = await cpuPhase(runtime(), path.join(workDir, "cpu"), benchDist);
      } catch (error) {
        results.cpuPerItem = phaseError(error);
      }
    const references: Record<string, number[]> = {};
    for (const [name, model] of Object.entries(models)) {
      references[name] = await referenceOutput(model);
    }
    for (const [name, model] of Object.entries(models)) {
      console.log(`raw onnxruntime-node: ${name}`);
      if (!PHASES.has("raw")) continue;
      try {
        results.raw[name] = await measureRaw(
          model,
          [1, 2, 4, 8, 16, 32, 64],
          Math.min(0.6, SECONDS),
          SEQUENTIAL_SECONDS,
        );
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

    console.log("our server (config-less models) and the inference-free ceiling");
    if (PHASES.has("server"))
      try {
        await withServer(
          () => ourServer(runtime(), serverRepo),
          async (server) => {
            try {
              const [ceiling] = await measureServed(
                server,
                { ...models.mlp, name: CEILING_MODEL },
                ["json"],
                references.mlp,
              );
              results.ceiling = ceiling.load;
            } catch (error) {
              results.ceiling = phaseError(error);
            }
            for (const [name, model] of Object.entries(models)) {
              try {
                const forms = await measureServed(
                  server,
                  model,
                  ["json", "binary", "grpc", "grpc-stream"],
                  references[name],
                );
                results.server[name] = { forms, config: await servedConfig(server, name) };
              } catch (error) {
                results.server[name] = phaseError(error);
              }
            }
            console.log("head to head: CNN, raw onnxruntime against our server");
            try {
              results.cnnHeadToHead = await cnnHeadToHead(server, models.cnn, results);
            } catch (error) {
              results.cnnHeadToHead = phaseError(error);
            }
          },
        );
      } catch (error) {
        const failure = phaseError(error);
        for (const name of Object.keys(models)) {
          if (isPhaseError(results.server[name])) results.server[name] = failure;
        }
        if (isPhaseError(results.ceiling)) results.ceiling = failure;
      }

    console.log(`head to head: tiny MLP, JSON, c=${MLP_CONCURRENCY}`);
    if (PHASES.has("server") && PHASES.has("naive"))
      try {
        results.mlpHeadToHead = await withServer(
          () => ourServer(runtime(), serverRepo),
          (ours) =>
            withServer(
              () =>
                ChildServer.start(
                  "naive",
                  path.join(benchDist, "naive-server.js"),
                  [naiveRepo, "{port}"],
                  "/v2/health/ready",
                ),
              (naive) =>
                measureHeadToHead(
                  [
                    {
                      name: "ours",
                      server: ours,
                      payload: inferPayload(models.mlp, "json"),
                      metricsModel: "mlp",
                    },
                    {
                      name: "ceiling",
                      server: ours,
                      payload: inferPayload({ ...models.mlp, name: CEILING_MODEL }, "json"),
                    },
                    { name: "naive", server: naive, payload: inferPayload(models.mlp, "json") },
                  ],
                  MLP_CONCURRENCY,
                  3,
                  SECONDS,
                  WARMUP_SECONDS,
                ),
            ),
        );
      } catch (error) {
        results.mlpHeadToHead = phaseError(error);
      }

    console.log("time to ready: 10 MB model");
    if (PHASES.has("ready"))
      try {
        results.ready = await measureReady(runtime(), bigRepo, big.name, big.onnx.byteLength, 3);
      } catch (error) {
        results.ready = phaseError(error);
      }

    console.log("overload");
    if (PHASES.has("overload"))
      try {
        results.overload = await withServer(
          () => ourServer(runtime(), overloadRepo, ["--max-queue-size", OVERLOAD_QUEUE]),
          (server) => measureOverload(server, inferPayload(models.cnn, "json"), 2_000, 200, 30, 90),
        );
      } catch (error) {
        results.overload = phaseError(error);
      }

    console.log("observability and guardrails: all off vs all on");
    if (PHASES.has("observability"))
      try {
        results.observability = await measureObservabilityOverhead({
          cli: runtime(),
          dir: path.join(workDir, "observability"),
          models: [
            { model: models.mlp, connections: MLP_CONCURRENCY, breakdown: true },
            { model: models.cnn, connections: MLP_CONCURRENCY },
          ],
          start: (repository, extra) => ourServer(runtime(), repository, extra),
          seconds: SECONDS,
          warmupSeconds: WARMUP_SECONDS,
          rounds: 3,
        });
      } catch (error) {
        results.observability = phaseError(error);
      }

    console.log("tracing: off vs sampled 0.01 vs sampled 1 (server CPU per request)");
    if (PHASES.has("tracing"))
      try {
        results.tracing = await measureTracingOverhead({
          dir: path.join(workDir, "tracing"),
          models: [models.mlp, models.cnn],
          start: (repository, extra) => ourServer(runtime(), repository, extra),
          requests: { [models.mlp.name]: 12_000, [models.cnn.name]: 1_500 },
          warmup: 1_000,
          connections: MLP_CONCURRENCY,
          rounds: 5,
        });
      } catch (error) {
        results.tracing = phaseError(error);
      }

    console.log("pipeline: ensemble vs the client calling the steps one by one");
    if (PHASES.has("pipeline"))
      try {
        const pipelineRepo = path.join(workDir, "pipeline");
        await writeOcrPipelineRepository(pipelineRepo, paddleClassifierBytes());
        results.pipeline = await withServer(
          () => ourServer(runtime(), pipelineRepo),
          (server) => measurePipeline(server, PIPELINE_CONCURRENCIES, 3, SECONDS, WARMUP_SECONDS),
        );
      } catch (error) {
        results.pipeline = phaseError(error);
      }
    console.log("hostile input: a 40 MB JSON body, 200,000 gRPC inputs");
    if (PHASES.has("hostile"))
      try {
        results.hostile = await withServer(
          () => ourServer(runtime(), serverRepo),
          (server) => measureHostile(server, grpcAddresses.get(server) ?? "", "mlp"),
        );
      } catch (error) {
        results.hostile = phaseError(error);
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
    results.ceiling,
    results.mlpHeadToHead,
    results.cnnHeadToHead,
    results.ready,
    results.overload,
    results.observability,
    results.tracing,
    results.pipeline,
    results.hostile,
    results.cpuPerItem,
  ].some(isPhaseFailure);
  process.exitCode = failed ? 1 : 0;
}

main().catch((error: Error) => {
  console.error(`bench failed: ${error.stack ?? error.message}`);
  process.exit(1);
});
