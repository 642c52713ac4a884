/** Where a model's executions run: on the event loop, or in worker threads. */
export type Placement = "inline" | "worker";

/** A model's `parameters.execution_placement`: a placement, or `auto` (decided from timing). */
export type PlacementSetting = Placement | "auto";

/** Executions observed before the drift monitor may move a model. */
export const DRIFT_MIN_EXECUTIONS = 50;
/** Weight of the newest execution in the moving average of execution time. */
const DRIFT_SMOOTHING = 0.05;

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
 * whose moving-average execution time drifts above twice the threshold moves to worker threads
 * (it would stall the event loop), a worker model whose executions drop below half the threshold
 * moves inline. The margins keep a model near the threshold from flapping.
 */
export class DriftMonitor {
  private mean = 0;
  private executions = 0;

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
    this.executions++;
    this.mean =
      this.executions === 1
        ? inferMicroseconds
        : this.mean + DRIFT_SMOOTHING * (inferMicroseconds - this.mean);
    if (this.executions < DRIFT_MIN_EXECUTIONS) return undefined;
    const next =
      this.placement === "inline" && this.mean > 2 * this.thresholdMicroseconds
        ? "worker"
        : this.placement === "worker" && this.mean < this.thresholdMicroseconds / 2
          ? "inline"
          : undefined;
    if (next) {
      this.placement = next;
      this.executions = 0;
    }
    return next;
  }
}
