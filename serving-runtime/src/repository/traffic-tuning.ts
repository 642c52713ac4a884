import type { Logger } from "pino";
import type { DecodedInput } from "../protocol/infer-request";
import type { TensorSpec } from "../protocol/tensor-spec";
import { describeSweep, type SweepLimits, sweepBatchSizes } from "../runtime/batch-sweep";
import type { ModelExecutors } from "../runtime/model-executors";
import { probeInputs } from "../runtime/probe-inputs";
import { type ObservedShape, ShapeTally } from "../runtime/shape-tally";
import { observedInputs } from "../runtime/tuning-shapes";
import type { Clock } from "../scheduling/clock";
import type { Scheduler } from "../scheduling/scheduler";
import { type DecidedPlacement, decidePlacement } from "./load-measurements";

/**
 * When a model whose inputs have dynamic dimensions beyond the batch (and no `--tuning-shapes`,
 * config dims or config batching) decides its batch size and placement from its traffic.
 */
export interface TrafficTuningLimits {
  /** Requests one window of the shape tally counts before it is judged. */
  windowRequests: number;
  /** Share of a window's requests one item shape must carry to dominate it. */
  dominantShare: number;
  /** Consecutive windows a new shape must dominate before the model re-decides on it. */
  changeWindows: number;
  /** Decisions (the first included) the model may take within `intervalMs`. */
  maxDecisions: number;
  /** The interval `maxDecisions` counts over, in milliseconds. */
  intervalMs: number;
}

/**
 * Defaults: a window of 100 requests, a shape dominates with 60 % of them; a new dominant shape
 * must hold for 3 consecutive windows; at most 4 decisions an hour.
 */
export const TRAFFIC_TUNING_LIMITS: TrafficTuningLimits = {
  windowRequests: 100,
  dominantShare: 0.6,
  changeWindows: 3,
  maxDecisions: 4,
  intervalMs: 60 * 60 * 1000,
};

/** `1 h`, `10 min`, `30 s`: an interval for messages. */
function formatInterval(ms: number): string {
  if (ms >= 3_600_000 && ms % 3_600_000 === 0) return `${ms / 3_600_000} h`;
  if (ms >= 60_000 && ms % 60_000 === 0) return `${ms / 60_000} min`;
  return `${Math.round(ms / 1000)} s`;
}

/** `max_batch_size` while a model waits for its traffic: Triton's auto-complete default. */
export const PROVISIONAL_MAX_BATCH_SIZE = 4;

/** A decision taken on observed shapes, as the served config shows it. */
export interface TrafficDecision {
  /** The batcher's new `max_batch_size`, when the sweep gave one. */
  maxBatchSize?: number;
  /** `origin.*` entries to replace. */
  origins: Record<string, string>;
}

/** What a {@link TrafficTuner} measures with and tells. */
export interface TrafficTunerParts {
  /** `model 'm' version v`, for log lines. */
  label: string;
  /** The model's inputs, batch dimension first. */
  inputs: readonly TensorSpec[];
  /** Output names to compute when timing. */
  outputNames: string[];
  /** The model's scheduler: timing runs on its executors between batches. */
  scheduler: Pick<Scheduler, "runWhenIdle" | "setMaxBatchSize">;
  /** Where the model runs; moved when the measured placement differs. */
  executors: Pick<ModelExecutors, "place" | "current">;
  /** `--inline-threshold-microseconds`, or undefined when the config fixes the placement. */
  thresholdMicroseconds?: number;
  /** The sweep's limits. */
  sweepLimits: SweepLimits;
  /** When a tally window closes, what dominates, and how often the model may re-decide. */
  limits: TrafficTuningLimits;
  /** Time source of the decision rate limit. */
  clock: Pick<Clock, "now">;
  /** Logger. */
  logger: Logger;
  /** Applies a decision to the served config and metrics. */
  apply(decision: TrafficDecision): void;
}

/**
 * The provisional origins of a model that waits for its traffic, for the served config.
 *
 * @param inputs the model's inputs, batch dimension first
 * @param limits the tally's settings
 * @param accepted the largest batch a request may carry meanwhile
 * @param placementMeasured whether the placement is to be measured too (config `auto`)
 */
export function provisionalOrigins(
  inputs: readonly TensorSpec[],
  limits: TrafficTuningLimits,
  accepted: number,
  placementMeasured: boolean,
): Record<string, string> {
  const dynamic = inputs
    .filter((spec) => spec.shape.slice(1).some((dim) => dim < 0))
    .map((spec) => `${spec.name} [${spec.shape.slice(1).join(",")}]`)
    .join(", ");
  const origins: Record<string, string> = {
    tuning_shapes:
      `provisional: waiting for traffic (dynamic item dimensions: ${dynamic}); decided on the item ` +
      `shape that carries ${Math.round(limits.dominantShare * 100)} % of a window of ` +
      `${limits.windowRequests} requests`,
    max_batch_size:
      `provisional: Triton's default ${PROVISIONAL_MAX_BATCH_SIZE} until traffic shows the item ` +
      `shapes (generated ones would decide from shapes no client sends); requests of up to ` +
      `${accepted} items are accepted now and after every decision`,
  };
  if (placementMeasured) {
    origins.execution_placement =
      "provisional: worker threads until traffic shows the item shapes (an execution of unknown " +
      "size never stalls the event loop)";
  }
  return origins;
}

/**
 * Decides a model's `max_batch_size` (and, unless its config fixes it, its placement) from the
 * item shapes its requests carry: every execution's shape is tallied ({@link ShapeTally}); the
 * first window with a dominant shape starts a batch-1 timing and a batch-size sweep on that
 * shape, run on the model's own executors between batches (`Scheduler.runWhenIdle`), so requests
 * are never queued behind more than one measurement execution; the result is applied at once to
 * the batcher, the placement and the served config. A different shape that dominates
 * `changeWindows` consecutive windows starts a new decision, at most `maxDecisions` an
 * `intervalMs`. A shape whose measurement failed is not measured again.
 */
export class TrafficTuner {
  private readonly tally: ShapeTally;
  private decided?: ObservedShape;
  private decidedAfter = 0;
  private candidate?: string;
  private streak = 0;
  private measuring = false;
  private stopped = false;
  private readonly failed = new Set<string>();
  private decisions: number[] = [];

  /** @param parts what it measures with and tells */
  constructor(private readonly parts: TrafficTunerParts) {
    this.tally = new ShapeTally(
      parts.inputs.map((spec) => spec.name),
      { requests: parts.limits.windowRequests, dominantShare: parts.limits.dominantShare },
    );
  }

  /** Counts one successful execution's requests under its item shape (the scheduler's observer). */
  observe(inputs: readonly DecodedInput[], requests: number): void {
    if (this.stopped) return;
    const verdict = this.tally.count(inputs, requests);
    if (verdict === undefined || this.measuring) return;
    this.judge(verdict);
  }

  /** Stops deciding (the model is unloading); a measurement under way is not applied. */
  stop(): void {
    this.stopped = true;
  }

  private judge(dominant: ObservedShape | null): void {
    if (!dominant || this.failed.has(dominant.key) || dominant.key === this.decided?.key) {
      this.candidate = undefined;
      this.streak = 0;
      return;
    }
    if (this.decided) {
      this.streak = dominant.key === this.candidate ? this.streak + 1 : 1;
      this.candidate = dominant.key;
      if (this.streak < this.parts.limits.changeWindows) return;
    }
    const now = this.parts.clock.now();
    this.decisions = this.decisions.filter((at) => now - at < this.parts.limits.intervalMs);
    if (this.decisions.length >= this.parts.limits.maxDecisions) {
      this.deferred(dominant);
      return;
    }
    this.decisions.push(now);
    this.candidate = undefined;
    this.streak = 0;
    this.measuring = true;
    void this.decide(dominant, this.tally.requests).finally(() => {
      this.measuring = false;
    });
  }

  private deferred(dominant: ObservedShape): void {
    const { maxDecisions, intervalMs } = this.parts.limits;
    this.parts.apply({
      origins: {
        tuning_shapes:
          `${this.current()}; ${dominant.key} dominates now, re-decided once the limit of ` +
          `${maxDecisions} decisions per ${formatInterval(intervalMs)} allows`,
      },
    });
  }

  /** What the current decision was taken on, for origins that report a further event. */
  private current(): string {
    return this.decided
      ? `observed: ${this.decided.key} (after ${this.decidedAfter} requests)`
      : "provisional";
  }

  /** Runs one execution at `batch` items of `shape` between batches; resolves with its time in µs. */
  private timer(shape: ObservedShape): (batch: number) => Promise<number> {
    const specs = observedInputs(this.parts.inputs, shape.dims);
    const { scheduler, outputNames } = this.parts;
    return async (batch) => {
      const execution = await scheduler.runWhenIdle((executor) =>
        executor.execute(probeInputs(specs, batch, true), outputNames, { quiet: true }),
      );
      return execution.inferMicroseconds;
    };
  }

  private async decide(shape: ObservedShape, requests: number): Promise<void> {
    const { logger, label, executors, thresholdMicroseconds, sweepLimits } = this.parts;
    const time = this.timer(shape);
    let spentMs = 0;
    const timed = async (batch: number) => {
      const us = await time(batch);
      spentMs += us / 1000;
      return us;
    };
    try {
      let placement: DecidedPlacement | undefined;
      if (thresholdMicroseconds !== undefined) {
        placement = await decidePlacement("auto", () => timed(1), thresholdMicroseconds);
        if (placement.untimable !== undefined) throw new Error(placement.untimable);
        if (this.stopped) return;
        await executors.place(placement.value, { shape: shape.key });
      }
      // The budget counts the executions' own time, not the waits for an idle executor.
      const sweep = await sweepBatchSizes(timed, { now: () => spentMs }, sweepLimits);
      if (this.stopped) return;
      this.parts.scheduler.setMaxBatchSize(sweep.maxBatchSize);
      const origins: Record<string, string> = {
        tuning_shapes: `observed: ${shape.key} (after ${requests} requests)`,
        max_batch_size: describeSweep(sweep, `measured on observed shapes ${shape.key}`),
      };
      if (placement) {
        origins.execution_placement = placement.origin.replace(
          "measured at load",
          `measured on observed shapes ${shape.key}`,
        );
      }
      this.parts.apply({ maxBatchSize: sweep.maxBatchSize, origins });
      this.decided = shape;
      this.decidedAfter = requests;
      logger.info(
        {
          model: label,
          shape: shape.key,
          requests,
          max_batch_size: sweep.maxBatchSize,
          placement: executors.current,
        },
        "batch size decided on the item shapes clients send",
      );
    } catch (error) {
      if (this.stopped) return;
      const reason = (error as Error).message.split("\n")[0];
      this.failed.add(shape.key);
      this.parts.apply({
        origins: {
          tuning_shapes: `${this.current()}; measuring on ${shape.key} (after ${requests} requests) failed: ${reason}`,
        },
      });
      logger.warn(
        { model: label, shape: shape.key, reason },
        "could not measure the model on the item shapes clients send; the decision stays",
      );
    }
  }
}
