import type { CpuPerItem } from "./cpu-per-item";
import type { HeadToHead } from "./head-to-head";
import type { HostileResult } from "./hostile";
import type { LoadPoint } from "./load";
import type { ObservabilityOverhead } from "./observability";
import type { OverloadResult } from "./overload";
import type { WireForm } from "./payloads";
import type { PipelineComparison } from "./pipeline";
import type { RawResult } from "./raw";
import type { ReadyResult } from "./ready";
import type { LatencySummary } from "./stats";
import type { TracingOverhead } from "./tracing";

/** A phase that could not be measured, and why. */
export interface PhaseError {
  /** What went wrong, with the server's output when relevant. */
  error: string;
}

/** A server's figures for one model in one wire form. */
export interface ServedForm {
  /** Wire form. */
  form: WireForm;
  /** One autocannon run per concurrency. */
  load: LoadPoint[];
  /** Sequential single-connection latency, sub-millisecond resolution. */
  sequential: LatencySummary;
}

/** Alternating rounds of raw onnxruntime and our server on the CNN. */
export interface CnnHeadToHead {
  /** Raw batch size measured. */
  rawBatch: number;
  /** Concurrency of the binary, JSON, gRPC and gRPC-streaming points. */
  connections: { binary: number; json: number; grpc: number; grpcStream: number };
  /** Items/s per round. */
  rounds: { raw: number; binary: number; json: number; grpc: number; grpcStream: number }[];
  /** Medians over the rounds. */
  median: { raw: number; binary: number; json: number; grpc: number; grpcStream: number };
}

/** Our server's figures for one model: each wire form, and the config it settled on. */
export interface ServedModel {
  /** Each wire form measured. */
  forms: ServedForm[];
  /** `GET /v2/models/{m}/config` (auto-completed values and their origins). */
  config?: unknown;
}

/** Every figure of one benchmark run, as written to `bench/results/latest.json`. */
export interface BenchResults {
  /** ISO time the run started. */
  startedAt: string;
  /** Wall-clock seconds of the whole run. */
  totalSeconds: number;
  /**
   * Machine, versions, and the 1-minute load average before and after the run: a load above the
   * CPU count means other processes competed with the benchmark and its figures are depressed.
   */
  machine: {
    cpus: number;
    cpuModel: string;
    node: string;
    onnxruntime: string;
    loadAverageAtStart: number;
    loadAverageAtEnd: number;
  };
  /** Seconds per load point, warmup seconds, concurrencies, extra server flags. */
  settings: {
    seconds: number;
    warmupSeconds: number;
    concurrencies: number[];
    serverArgs: string[];
  };
  /** In-process onnxruntime-node, per model. */
  raw: Record<string, RawResult | PhaseError>;
  /** Our server, per model, per wire form. */
  server: Record<string, ServedModel | PhaseError>;
  /**
   * The inference-free ceiling: our server answering the MLP's JSON request from its response
   * cache (full protocol handling, no inference), per concurrency.
   */
  ceiling: LoadPoint[] | PhaseError;
  /** The naive baseline server (JSON), per model. */
  naive: Record<string, ServedForm[] | PhaseError>;
  /**
   * The tiny MLP's JSON requests at the targets' concurrency, naive server, ceiling and our
   * server measured in alternating rounds (`ours`, `ceiling`, `naive`).
   */
  mlpHeadToHead: HeadToHead | PhaseError;
  /**
   * The CNN in alternating rounds: raw onnxruntime at its best sweep batch size, then our server
   * in HTTP binary, HTTP JSON and gRPC at the concurrency where each did best in the sweep.
   */
  cnnHeadToHead: CnnHeadToHead | PhaseError;
  /** Time to ready of our server on a repository holding only the 10 MB model. */
  ready: ReadyResult | PhaseError;
  /** The overload run against the small-queue model. */
  overload: OverloadResult | PhaseError;
  /**
   * The MLP and the CNN with issue 18's features all off and all on (drift baseline, output
   * distributions, audit log to a file, tokens file), in alternating rounds.
   */
  observability: ObservabilityOverhead | PhaseError;
  /** Server CPU per request with tracing off, sampled at 0.01 and at 1 (issue 30). */
  tracing: TracingOverhead | PhaseError;
  /**
   * Issue 31's text-direction pipeline: the Triton ensemble against the client calling its two
   * steps one by one, at c=1 and c=32, in alternating rounds.
   */
  pipeline: PipelineComparison | PhaseError;
  /**
   * Issue 27's CPU per item: the server process's CPU over its answers for each model and wire
   * form, raw onnxruntime (one thread, no spinning, cheapest batch), the inference-free ceiling,
   * the naive server and the audited server, in alternating rounds.
   */
  cpuPerItem: CpuPerItem | PhaseError;
  /** Issue 24's hostile requests (a 40 MB JSON body, 200,000 gRPC inputs) against a live server. */
  hostile: HostileResult | PhaseError;
  /** Each target of issue 12 with its measurement. */
  targets: TargetCheck[];
}

/** One target of issue 12 checked against this run's figures. */
export interface TargetCheck {
  /** The target, in words. */
  target: string;
  /** The figures it was judged on. */
  measured: string;
  /** Met, missed, or `null` when a phase it needs failed. */
  met: boolean | null;
}

/** The error recorded for a phase left out by `BENCH_PHASES`. */
export const SKIPPED = "skipped (not in BENCH_PHASES)";

/** Whether a phase result is an error. */
export function isPhaseError(value: unknown): value is PhaseError {
  return typeof value === "object" && value !== null && "error" in value;
}

/** Whether a phase result is an error other than being skipped on purpose. */
export function isPhaseFailure(value: unknown): value is PhaseError {
  return isPhaseError(value) && value.error !== SKIPPED;
}
