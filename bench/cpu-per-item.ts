import path from "node:path";
import { checkValues, verifyAnswer } from "./answers";
import type { ChildServer } from "./child-server";
import { type RawCpuPoint, RawCpuSession } from "./cpu-raw";
import { grpcFirstOutput, grpcPayload, measureGrpcLoad, measureGrpcStreamLoad } from "./grpc-load";
import { type LoadPoint, measureLoad } from "./load";
import type { BenchModel } from "./models";
import { inferPayload, type WireForm } from "./payloads";
import { median } from "./stats";

/** How the server's CPU time is read. */
export const CPU_SOURCE =
  "server process CPU (utime + stime of every thread) from /proc/<pid>/stat over the answers; raw: process.cpuUsage() of the benchmark process around back-to-back session.run";

/** Concurrency of every load in the phase (issue 27). */
export const CPU_CONCURRENCY = 32;

/** Batch sizes raw onnxruntime is swept over; its cheapest is the baseline. */
export const RAW_CPU_BATCHES = [1, 2, 4, 8, 16, 32];

/** One measured load: what the server spent per answer. */
export interface CpuPoint {
  /** Server CPU microseconds per answered item (one item per request). */
  cpuMicrosPerItem: number;
  /** Answered items per second (secondary: it depends on what else the machine ran). */
  itemsPerSecond: number;
  /** Answers counted. */
  ok: number;
}

/** A system measured in the phase: our server in one wire form, a baseline server, or raw. */
export interface CpuSystem {
  /** `cnn binary`, `mlp json ceiling`, … */
  label: string;
  /** Model (`cnn` = PaddleOCR's direction classifier, `mlp`). */
  model: "cnn" | "mlp";
  /** One point per round. */
  rounds: CpuPoint[];
  /** Median CPU µs per item over the rounds. */
  medianCpuMicrosPerItem: number;
  /** Median items/s over the rounds. */
  medianItemsPerSecond: number;
}

/** Raw onnxruntime's sweep in each round, and its cheapest point's median. */
export interface RawCpu {
  /** Model. */
  model: "cnn" | "mlp";
  /** Each round's sweep. */
  rounds: RawCpuPoint[][];
  /** Each round's cheapest point. */
  best: RawCpuPoint[];
  /** Median over the rounds of the cheapest point's CPU µs per item. */
  medianCpuMicrosPerItem: number;
}

/** The `cpu` phase's result. */
export interface CpuPerItem {
  /** Where the figures come from. */
  cpuSource: string;
  /** Concurrency of the loads. */
  connections: number;
  /** Shape of one CNN item (the classifier's real input). */
  cnnItemShape: number[];
  /** Raw onnxruntime, per model. */
  raw: RawCpu[];
  /** Every server system measured. */
  systems: CpuSystem[];
  /** How our server configured each model: `max_batch_size` and the origins it gives. */
  configs: { model: string; maxBatchSize: number; origins: Record<string, string> }[];
}

interface ServedConfig {
  max_batch_size: number;
  parameters?: Record<string, { string_value?: string }>;
}

async function configOf(server: ChildServer, model: string): Promise<CpuPerItem["configs"][0]> {
  const config = (await (
    await fetch(`${server.url}/v2/models/${model}/config`)
  ).json()) as ServedConfig;
  const origins: Record<string, string> = {};
  for (const [key, value] of Object.entries(config.parameters ?? {})) {
    if (key.startsWith("origin.")) origins[key.slice("origin.".length)] = value.string_value ?? "";
  }
  return { model, maxBatchSize: config.max_batch_size, origins };
}

/** What the phase needs from the benchmark. */
export interface CpuPhaseSetup {
  /** PaddleOCR's direction classifier, served as `cnn` (config-less). */
  cnn: BenchModel;
  /** The tiny MLP, served as `mlp` (config-less). */
  mlp: BenchModel;
  /** Our server (config-less `cnn`, `mlp`, and the cached `mlp_cached`), with its gRPC address. */
  ours: { server: ChildServer; grpc: string };
  /** Our server with the audit log on at sample rate 1 (same repository). */
  audited: ChildServer;
  /** The naive hand-written server serving `mlp`. */
  naive: ChildServer;
  /** Name of the cached MLP, the inference-free ceiling. */
  ceilingModel: string;
  rounds: number;
  seconds: number;
  warmupSeconds: number;
}

type Measure = (seconds: number) => Promise<LoadPoint>;

interface Unit {
  label: string;
  model: "cnn" | "mlp";
  verify: () => Promise<void>;
  measure: Measure;
}

function httpUnit(
  label: string,
  server: ChildServer,
  model: BenchModel,
  name: string,
  form: "json" | "binary",
  reference: number[],
): Unit {
  const payload = inferPayload({ ...model, name }, form);
  return {
    label,
    model: model.name === "mlp" ? "mlp" : "cnn",
    verify: () => verifyAnswer(server, payload, reference),
    measure: (seconds) => measureLoad(server, payload, CPU_CONCURRENCY, seconds, 0),
  };
}

function grpcUnit(
  label: string,
  server: ChildServer,
  address: string,
  model: BenchModel,
  form: Extract<WireForm, "grpc" | "grpc-stream">,
  reference: number[],
): Unit {
  const payload = grpcPayload(model);
  return {
    label,
    model: model.name === "mlp" ? "mlp" : "cnn",
    verify: async () => checkValues(label, await grpcFirstOutput(address, payload), reference),
    measure: (seconds) =>
      form === "grpc"
        ? measureGrpcLoad(server, address, payload, CPU_CONCURRENCY, seconds, 0)
        : measureGrpcStreamLoad(server, address, model, CPU_CONCURRENCY, seconds, 0),
  };
}

function point(label: string, load: LoadPoint): CpuPoint {
  if (load.non2xx > 0 || load.errors > 0 || load.ok === 0) {
    throw new Error(`${label}: ${load.ok} answers, ${load.non2xx} failed, ${load.errors} errors`);
  }
  return {
    cpuMicrosPerItem: (load.serverCpuSeconds * 1e6) / load.ok,
    itemsPerSecond: load.itemsPerSecond,
    ok: load.ok,
  };
}

/**
 * Issue 27's CPU per item: in alternating rounds, raw onnxruntime in this process (one intra-op
 * thread, no spinning, its cheapest batch of {@link RAW_CPU_BATCHES}) and each of our servers'
 * wire forms under batch-1 load at {@link CPU_CONCURRENCY} — the PaddleOCR classifier on 3×48×192
 * items and the tiny MLP, plus for the MLP the inference-free ceiling, the naive server and our
 * server with the audit log on. Each server figure is the server process's CPU over its answers.
 * @throws Error when a server answers wrongly or a load has failed requests.
 */
export async function measureCpuPerItem(setup: CpuPhaseSetup): Promise<CpuPerItem> {
  const raws = {
    cnn: await RawCpuSession.open(setup.cnn),
    mlp: await RawCpuSession.open(setup.mlp),
  };
  try {
    const reference = { cnn: await raws.cnn.reference(), mlp: await raws.mlp.reference() };
    const { server, grpc } = setup.ours;
    const units: Unit[] = [];
    for (const [key, model] of [
      ["cnn", setup.cnn],
      ["mlp", setup.mlp],
    ] as const) {
      units.push(
        httpUnit(`${key} json`, server, model, model.name, "json", reference[key]),
        httpUnit(`${key} binary`, server, model, model.name, "binary", reference[key]),
        grpcUnit(`${key} grpc`, server, grpc, model, "grpc", reference[key]),
        grpcUnit(`${key} grpc-stream`, server, grpc, model, "grpc-stream", reference[key]),
      );
    }
    const mlp = setup.mlp;
    units.push(
      httpUnit("mlp json ceiling", server, mlp, setup.ceilingModel, "json", reference.mlp),
      httpUnit("mlp json naive", setup.naive, mlp, mlp.name, "json", reference.mlp),
      httpUnit("mlp json audit", setup.audited, mlp, mlp.name, "json", reference.mlp),
    );
    for (const unit of units) {
      await unit.verify();
      if (setup.warmupSeconds > 0) await unit.measure(setup.warmupSeconds);
    }
    const rawSeconds = Math.max(0.3, setup.seconds / RAW_CPU_BATCHES.length);
    const rawRounds = { cnn: [] as RawCpuPoint[][], mlp: [] as RawCpuPoint[][] };
    const points = new Map<string, CpuPoint[]>(units.map((u) => [u.label, []]));
    for (let round = 0; round < setup.rounds; round++) {
      for (const key of ["cnn", "mlp"] as const) {
        rawRounds[key].push(await raws[key].sweep(RAW_CPU_BATCHES, rawSeconds));
        for (const unit of units.filter((u) => u.model === key)) {
          const measured = point(unit.label, await unit.measure(setup.seconds));
          points.get(unit.label)?.push(measured);
          console.log(
            `  cpu round ${round + 1} ${unit.label}: ${measured.cpuMicrosPerItem.toFixed(1)} µs/item, ${measured.itemsPerSecond.toFixed(0)} items/s`,
          );
        }
      }
    }
    const raw = (["cnn", "mlp"] as const).map((key): RawCpu => {
      const best = rawRounds[key].map((sweep) =>
        sweep.reduce((a, b) => (b.cpuMicrosPerItem < a.cpuMicrosPerItem ? b : a)),
      );
      return {
        model: key,
        rounds: rawRounds[key],
        best,
        medianCpuMicrosPerItem: median(best.map((p) => p.cpuMicrosPerItem)),
      };
    });
    const systems = units.map((unit): CpuSystem => {
      const rounds = points.get(unit.label) ?? [];
      return {
        label: unit.label,
        model: unit.model,
        rounds,
        medianCpuMicrosPerItem: median(rounds.map((p) => p.cpuMicrosPerItem)),
        medianItemsPerSecond: median(rounds.map((p) => p.itemsPerSecond)),
      };
    });
    return {
      cpuSource: CPU_SOURCE,
      connections: CPU_CONCURRENCY,
      cnnItemShape: setup.cnn.itemShape,
      raw,
      systems,
      configs: [await configOf(server, setup.cnn.name), await configOf(server, setup.mlp.name)],
    };
  } finally {
    await raws.cnn.release();
    await raws.mlp.release();
  }
}

/** PaddleOCR's direction classifier as a benchmark model, served as `cnn`: items of 3×48×192. */
export function paddleClassifierModel(onnx: Uint8Array): BenchModel {
  return { name: "cnn", input: "x", output: "softmax_0.tmp_0", itemShape: [3, 48, 192], onnx };
}

/** Where the audit log of the audited server goes, inside the phase's directory. */
export function auditLogPath(dir: string): string {
  return path.join(dir, "audit.jsonl");
}
