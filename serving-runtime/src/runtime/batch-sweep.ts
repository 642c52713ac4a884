import type { Clock } from "../scheduling/clock";

/** Items per second measured at one batch size. */
export interface SweepPoint {
  /** Batch size. */
  batch: number;
  /** Items per second of back-to-back executions at that size (fastest run). */
  itemsPerSecond: number;
}

/** Limits of the load-time sweep. */
export interface SweepLimits {
  /** Largest batch size tried (and chosen). */
  cap: number;
  /** Wall time the whole sweep may take, in milliseconds. */
  budgetMs: number;
  /** Runs per batch size; the fastest counts. */
  runsPerPoint: number;
  /** A batch size whose execution takes longer than this ends the sweep, in microseconds. */
  maxExecutionMicroseconds: number;
  /** A batch size is the knee when it reaches this fraction of the best items/s. */
  kneeFraction: number;
}

/** Defaults: up to 64, within 250 ms, 3 runs a point, executions up to 50 ms, knee at 90 %. */
export const SWEEP_LIMITS: SweepLimits = {
  cap: 64,
  budgetMs: 250,
  runsPerPoint: 3,
  maxExecutionMicroseconds: 50_000,
  kneeFraction: 0.9,
};

/** The outcome of a sweep: every point measured and the chosen max batch size. */
export interface SweepResult {
  /** Points measured, by increasing batch size. */
  points: SweepPoint[];
  /** The knee: the smallest batch size reaching `kneeFraction` of the best items/s. */
  maxBatchSize: number;
  /** Why the sweep stopped before `cap`, if it did. */
  stoppedBecause?: string;
}

/**
 * The knee of a throughput curve: the smallest batch size whose items/s reaches `fraction` of the
 * best measured. Beyond it, larger batches add latency for little throughput.
 *
 * @param points measured points (not empty)
 * @param fraction e.g. 0.9
 */
export function kneeOf(points: readonly SweepPoint[], fraction: number): number {
  const best = Math.max(...points.map((point) => point.itemsPerSecond));
  const knee = points
    .filter((point) => point.itemsPerSecond >= fraction * best)
    .reduce((a, b) => (b.batch < a.batch ? b : a));
  return knee.batch;
}

/**
 * Measures items/s at batch sizes 1, 2, 4 … `cap` and picks the knee. Stops early when the time
 * budget is spent or an execution gets slower than `maxExecutionMicroseconds`.
 *
 * @param run executes the model once at a batch size and returns how long the model ran, in µs
 * @param clock time source for the budget
 * @param limits cap, budget and knee settings
 */
export async function sweepBatchSizes(
  run: (batch: number) => Promise<number>,
  clock: Pick<Clock, "now">,
  limits: SweepLimits = SWEEP_LIMITS,
): Promise<SweepResult> {
  const started = clock.now();
  const points: SweepPoint[] = [];
  let stoppedBecause: string | undefined;
  for (let batch = 1; batch <= limits.cap; batch *= 2) {
    let fastest = Number.POSITIVE_INFINITY;
    for (let i = 0; i < limits.runsPerPoint; i++) {
      fastest = Math.min(fastest, Math.max(1, await run(batch)));
      if (fastest > limits.maxExecutionMicroseconds) break;
    }
    points.push({ batch, itemsPerSecond: (batch * 1e6) / fastest });
    if (batch * 2 > limits.cap) break;
    if (fastest > limits.maxExecutionMicroseconds) {
      stoppedBecause = `batch ${batch} took ${Math.round(fastest / 1000)} ms`;
      break;
    }
    if (clock.now() - started > limits.budgetMs) {
      stoppedBecause = `the ${limits.budgetMs} ms budget was spent`;
      break;
    }
  }
  return { points, maxBatchSize: kneeOf(points, limits.kneeFraction), stoppedBecause };
}

/**
 * Describes a sweep for the config origin, e.g. `measured at load: knee of items/s …`.
 *
 * @param result the sweep
 * @param when when and on what it was measured; `measured at load` by default
 */
export function describeSweep(result: SweepResult, when = "measured at load"): string {
  const curve = result.points
    .map((point) => `${point.batch}: ${Math.round(point.itemsPerSecond)}`)
    .join(", ");
  const stop = result.stoppedBecause ? `; sweep stopped: ${result.stoppedBecause}` : "";
  return `${when}: knee of items/s by batch size (${curve})${stop}`;
}
