import type { Logger } from "pino";
import type { Scheduler } from "../scheduling/scheduler";
import { DriftMonitor, type Placement } from "./placement";
import type { OwnedExecutor } from "./sessions";

/** Creates a model's executors for a placement. */
export type ExecutorFactory = (placement: Placement) => Promise<OwnedExecutor[]>;

/**
 * The executors of one model version and where they run. When the drift monitor sees the
 * model's execution time move far from what placed it (see {@link DriftMonitor}), it creates
 * executors for the other placement, moves new work to them and releases the old ones once
 * their running executions finish. Unless the placement was set explicitly in the config.
 */
export class ModelExecutors {
  private scheduler?: Scheduler;
  private switching = false;
  private closed = false;
  private monitor?: DriftMonitor;

  /**
   * @param placement where the executors run
   * @param executors the executors
   * @param create makes executors for the other placement when the model drifts
   * @param options inline threshold (undefined: placement is fixed), logger and model label
   */
  constructor(
    private placement: Placement,
    private executors: OwnedExecutor[],
    private readonly create: ExecutorFactory,
    private readonly options: { thresholdMicroseconds?: number; logger: Logger; label: string },
  ) {
    if (options.thresholdMicroseconds !== undefined) {
      this.monitor = new DriftMonitor(placement, options.thresholdMicroseconds);
    }
  }

  /** Where the executors run now. */
  get current(): Placement {
    return this.placement;
  }

  /** The executors in use now. */
  get active(): readonly OwnedExecutor[] {
    return this.executors;
  }

  /** The scheduler whose executors are moved on drift. */
  attach(scheduler: Scheduler): void {
    this.scheduler = scheduler;
  }

  /**
   * Adds instances created after the model became ready, once `create` resolves, unless the
   * model moved or closed meanwhile (then they are released).
   *
   * @param placement the placement they were made for
   * @param create makes the instances (and warms them up)
   */
  async grow(placement: Placement, create: () => Promise<OwnedExecutor[]>): Promise<void> {
    try {
      const created = await create();
      if (this.closed || this.placement !== placement || !this.scheduler) {
        await Promise.allSettled(created.map((executor) => executor.release()));
        return;
      }
      this.executors.push(...created);
      this.scheduler.addExecutors(created);
    } catch (error) {
      this.options.logger.warn(
        { model: this.options.label, err: error },
        "could not start further instances; serving with fewer",
      );
    }
  }

  /** Feeds one execution time to the drift monitor (the scheduler's `onExecuted`). */
  readonly observe = (inferMicroseconds: number): void => {
    if (this.switching || this.closed || !this.monitor) return;
    const next = this.monitor.observe(inferMicroseconds);
    if (next) {
      void this.moveTo(
        next,
        { inferMicroseconds: Math.round(inferMicroseconds) },
        "execution time drifted; model moved",
      );
    }
  };

  /**
   * Runs the model where a new measurement placed it (e.g. one on the item shapes clients send),
   * moving it when that differs from where it runs; the drift monitor then starts afresh from
   * there. Does nothing while a drift move is under way or after close.
   *
   * @param next where the measurement placed it
   * @param fields what the measurement found, for the log line of a move
   */
  async place(next: Placement, fields: Record<string, unknown>): Promise<void> {
    if (this.switching || this.closed) return;
    if (next !== this.placement) {
      await this.moveTo(next, fields, "placement measured on observed shapes; model moved");
    }
    const { thresholdMicroseconds } = this.options;
    if (thresholdMicroseconds !== undefined && this.placement === next) {
      this.monitor = new DriftMonitor(next, thresholdMicroseconds);
    }
  }

  private async moveTo(
    next: Placement,
    fields: Record<string, unknown>,
    message: string,
  ): Promise<void> {
    const { logger, label } = this.options;
    this.switching = true;
    try {
      const created = await this.create(next);
      if (this.closed || !this.scheduler) {
        await Promise.allSettled(created.map((executor) => executor.release()));
        return;
      }
      const previous = this.executors;
      this.executors = created;
      this.placement = next;
      logger.info({ model: label, placement: next, ...fields }, message);
      await this.scheduler.useExecutors(created);
      await Promise.allSettled(previous.map((executor) => executor.release()));
    } catch (error) {
      logger.warn({ model: label, err: error }, "could not move the model; it stays where it is");
    } finally {
      this.switching = false;
    }
  }

  /** Releases the executors (after the scheduler has drained). */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.allSettled(this.executors.map((executor) => executor.release()));
  }
}
