import {
  describeSweep,
  SWEEP_LIMITS,
  type SweepLimits,
  sweepBatchSizes,
} from "../runtime/batch-sweep";
import { choosePlacement, type Placement, type PlacementSetting } from "../runtime/placement";
import type { Clock } from "../scheduling/clock";
import type { MaxBatchDecision } from "./auto-complete";

/** A value decided at load and where it came from, for the served config's `origin.*`. */
export interface Decided<T> {
  /** The value. */
  value: T;
  /** Where it came from. */
  origin: string;
}

/** A placement decided at load, and why the model could not be timed when it could not. */
export interface DecidedPlacement extends Decided<Placement> {
  /** The first line of the error that kept a generated input from running, if one did. */
  untimable?: string;
}

/** Median time of `runs` executions of `run`, in microseconds. */
async function medianMicroseconds(runs: number, run: () => Promise<number>): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) times.push(await run());
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

/** The first line of an error's message. */
function firstLine(error: unknown): string {
  return (error as Error).message.split("\n")[0];
}

/**
 * Where a model version runs: the config's `execution_placement`, or for `auto` the event loop
 * when the median of nine batch-1 executions (after one untimed) is within
 * `--inline-threshold-microseconds`, else worker threads (also when it cannot be timed).
 *
 * @param setting the config's placement setting
 * @param timeBatchOne runs one batch-1 execution and gives its time in µs
 * @param thresholdMicroseconds `--inline-threshold-microseconds`
 */
export async function decidePlacement(
  setting: PlacementSetting,
  timeBatchOne: () => Promise<number>,
  thresholdMicroseconds: number,
): Promise<DecidedPlacement> {
  if (setting !== "auto") {
    return { value: setting, origin: "config parameters.execution_placement" };
  }
  try {
    await timeBatchOne();
    const median = await medianMicroseconds(9, timeBatchOne);
    const value = choosePlacement("auto", median, thresholdMicroseconds);
    return {
      value,
      origin:
        `measured at load: batch-1 execution ${Math.round(median)} µs ` +
        `${value === "inline" ? "≤" : ">"} --inline-threshold-microseconds ${thresholdMicroseconds}`,
    };
  } catch (error) {
    const untimable = firstLine(error);
    return {
      value: "worker",
      origin: `worker threads: the model could not be timed with generated inputs (${untimable})`,
      untimable,
    };
  }
}

/**
 * A version's `max_batch_size`: the decided one, or for `measure` the knee of a batch-size sweep
 * (Triton's default 4 when the sweep fails, or without a sweep when the model could not be
 * timed already). Calls `onUntimable` with the reason when the sweep itself found the model
 * could not be timed.
 *
 * @param decision what the config and the model file decided
 * @param timeBatch runs one execution of a batch and gives its time in µs
 * @param clock the time source of the sweep
 * @param limits the sweep's limits; {@link SWEEP_LIMITS} by default
 * @param untimable why the model could not be timed before, when it could not
 * @param onUntimable told the reason the sweep failed, when nothing failed before it
 */
export async function settleMaxBatchSize(
  decision: MaxBatchDecision,
  timeBatch: (batch: number) => Promise<number>,
  clock: Clock,
  limits: SweepLimits | undefined,
  untimable: string | undefined,
  onUntimable: (reason: string) => void,
): Promise<Decided<number>> {
  if (decision.kind === "fixed") return { value: decision.value, origin: decision.origin };
  let reason = untimable;
  if (reason === undefined) {
    try {
      const sweep = await sweepBatchSizes(timeBatch, clock, limits ?? SWEEP_LIMITS);
      return { value: sweep.maxBatchSize, origin: describeSweep(sweep) };
    } catch (error) {
      reason = firstLine(error);
      onUntimable(reason);
    }
  }
  return {
    value: 4,
    origin: `auto-complete: Triton's default 4; the model could not be timed with generated inputs (${reason})`,
  };
}
