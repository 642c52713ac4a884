/** Where a model's executions run: on the event loop, or in worker threads. */
export type Placement = "inline" | "worker";

/** A model's `parameters.execution_placement`: a placement, or `auto` (decided from timing). */
export type PlacementSetting = Placement | "auto";

/** Executions the drift monitor takes the median of; also the fewest before a first move. */
export const DRIFT_WINDOW = 64;
/** Executions between two looks at the median (sorting on every execution would cost more). */
const DRIFT_CHECK_EVERY = 16;
/** Most executions a model waits between moves, after repeated moves doubled the wait. */
const DRIFT_MAX_WAIT = 64 * DRIFT_WINDOW;

/**
 * Where a model should run, from the median time of a batch-1 execution measured after warmup:
 * inline when it is at most `thresholdMicroseconds` (a worker round trip costs more than such
 * a model), in worker threads otherwise. An explicit setting wins.
 *
 * @param setting the model's `execution_placement` parameter
 * @param batchOneMicroseconds measured median of a batch-1 execution
 * @param thresholdMicroseconds `--inline-threshold-microseconds`
 */
export function choosePlacement(
  setting: PlacementSetting,
  batchOneMicroseconds: number,
  thresholdMicroseconds: number,
): Placement {
  if (setting !== "auto") return setting;
  return batchOneMicroseconds <= thresholdMicroseconds ? "inline" : "worker";
}

/**
 * Watches a model's execution times and says when its placement should change: an inline model
 * whose median execution time over the last {@link DRIFT_WINDOW} executions drifts above twice
 * the threshold moves to worker threads (it would stall the event loop), a worker model whose
 * median drops below half the threshold moves inline. The median ignores the odd execution the
 * operating system preempted; the margins, and a wait that doubles after every move, keep a
 * model near the threshold from flapping.
 */
export class DriftMonitor {
  private readonly recent: number[] = [];
  private next = 0;
  private seen = 0;
  private wait = DRIFT_WINDOW;

  /**
   * @param placement where the model runs now
   * @param thresholdMicroseconds `--inline-threshold-microseconds`
   */
  constructor(
    private placement: Placement,
    private readonly thresholdMicroseconds: number,
  ) {}

  /**
   * Records one execution; returns the placement to move to, or undefined to stay.
   *
   * @param inferMicroseconds how long the execution ran
   */
  observe(inferMicroseconds: number): Placement | undefined {
    if (this.recent.length < DRIFT_WINDOW) this.recent.push(inferMicroseconds);
    else this.recent[this.next] = inferMicroseconds;
    this.next = (this.next + 1) % DRIFT_WINDOW;
    this.seen++;
    if (this.seen < this.wait || this.recent.length < DRIFT_WINDOW) return undefined;
    if ((this.seen - this.wait) % DRIFT_CHECK_EVERY !== 0) return undefined;
    const median = [...this.recent].sort((a, b) => a - b)[DRIFT_WINDOW / 2];
    const moveTo =
      this.placement === "inline" && median > 2 * this.thresholdMicroseconds
        ? "worker"
        : this.placement === "worker" && median < this.thresholdMicroseconds / 2
          ? "inline"
          : undefined;
    if (moveTo) {
      this.placement = moveTo;
      this.seen = 0;
      this.recent.length = 0;
      this.next = 0;
      this.wait = Math.min(2 * this.wait, DRIFT_MAX_WAIT);
    }
    return moveTo;
  }
}
