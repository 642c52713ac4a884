import type { FailureReason, ModelMetrics } from "../metrics";
import { InferenceError } from "../protocol/errors";
import type { DecodedInput, InferRequest } from "../protocol/infer-request";
import type { QueuePolicy } from "./queue-policy";
import { batchKey, concatInputs, type OutputData, splitOutput } from "./tensor-batch";

/** Runs one (possibly batched) execution of a model; one executor per model instance. */
export interface BatchExecutor {
  /**
   * Executes the model.
   *
   * @param inputs every model input, batched along dimension 0
   * @param outputNames outputs to compute
   */
  execute(inputs: DecodedInput[], outputNames: string[]): Promise<Map<string, OutputData>>;
}

/** A request's outputs by name. */
export type InferResult = Map<string, OutputData>;

/**
 * Why a queued request did not get a result: `overload` (queue full or model unloading),
 * `timeout` (its queue timeout expired), `cancelled` (client disconnected), `error` (the
 * execution failed).
 */
export type SchedulingFailure = "overload" | "timeout" | "cancelled" | "error";

const FAILURE_REASON: Record<SchedulingFailure, FailureReason> = {
  overload: "REJECTED",
  timeout: "REJECTED",
  cancelled: "CANCELED",
  error: "BACKEND",
};

/** An error of the scheduler, saying why and how Triton's failure metric classifies it. */
export class SchedulingError extends InferenceError {
  /** Failure metric label. */
  readonly reason: FailureReason;

  /**
   * @param kind error kind
   * @param message what happened
   * @param failure why the request got no result
   */
  constructor(
    kind: InferenceError["kind"],
    message: string,
    readonly failure: SchedulingFailure,
  ) {
    super(kind, message);
    this.reason = FAILURE_REASON[failure];
  }
}

interface Job {
  request: InferRequest;
  key: string;
  enqueuedAt: number;
  resolve(result: InferResult): void;
  reject(error: Error): void;
  timer?: NodeJS.Timeout;
  signal?: AbortSignal;
  onAbort?: () => void;
}

const now = () => performance.now();

/** Mean outstanding requests at arrival above which waiting for a fuller batch pays off. */
export const OVERLAP_THRESHOLD = 1.5;
/** Weight of the newest arrival in the moving average of outstanding requests. */
const OVERLAP_SMOOTHING = 0.2;

/**
 * The queue and dynamic batcher of one model version. Requests wait in a bounded queue; an
 * idle instance takes the oldest request together with the following compatible ones (same
 * non-batch dims and datatypes) up to `maxBatchSize`. It waits up to the queue delay for a fuller
 * batch only while requests typically overlap (the moving average of requests outstanding when
 * one arrives is above {@link OVERLAP_THRESHOLD}): a sequential client never pays the delay, and
 * concurrent clients batch as Triton's dynamic batcher would. Results are split back per request. Queued requests leave the queue when
 * their timeout expires or their client disconnects.
 */
export class Scheduler {
  private readonly queue: Job[] = [];
  private readonly idle: BatchExecutor[];
  private delayTimer?: NodeJS.Timeout;
  private closed = false;
  private drainWaiters: (() => void)[] = [];
  private executing = 0;
  /** Moving average of requests outstanding (this one included) when a request arrives. */
  private meanOverlap = OVERLAP_THRESHOLD + 0.5;

  /**
   * @param label model name and version, for error messages
   * @param executors one executor per model instance
   * @param policy batching and queue policy
   * @param metrics the model version's metrics
   */
  constructor(
    private readonly label: string,
    private readonly executors: readonly BatchExecutor[],
    private readonly policy: QueuePolicy,
    private readonly metrics: ModelMetrics,
  ) {
    this.idle = [...executors];
  }

  /** Requests waiting in the queue. */
  get queued(): number {
    return this.queue.length;
  }

  /**
   * Queues a request and resolves with its outputs. Rejects with 503 when the queue is full,
   * the request's timeout expires in the queue or the model is unloading, and with 499 when
   * `signal` aborts (client disconnected) before execution starts.
   *
   * @param request the decoded request
   * @param signal aborts when the client goes away
   */
  submit(request: InferRequest, signal?: AbortSignal): Promise<InferResult> {
    if (this.closed) {
      return Promise.reject(
        new SchedulingError("UNAVAILABLE", `${this.label} is unloading`, "overload"),
      );
    }
    if (this.queue.length >= this.policy.maxQueueSize) {
      return Promise.reject(
        new SchedulingError(
          "UNAVAILABLE",
          `${this.label}: the queue is full (max_queue_size ${this.policy.maxQueueSize}); retry later`,
          "overload",
        ),
      );
    }
    if (signal?.aborted) return Promise.reject(this.cancelled());
    return new Promise<InferResult>((resolve, reject) => {
      const job: Job = {
        request,
        key: this.policy.maxBatchSize > 1 ? batchKey(request.inputs) : "",
        enqueuedAt: now(),
        resolve,
        reject,
        signal,
      };
      const timeout =
        this.policy.allowTimeoutOverride && request.timeoutMicroseconds !== undefined
          ? request.timeoutMicroseconds
          : this.policy.defaultTimeoutMicroseconds;
      if (timeout > 0) {
        job.timer = setTimeout(
          () => {
            this.remove(job);
            reject(
              new SchedulingError(
                "UNAVAILABLE",
                `${this.label}: request timed out after ${timeout} µs in the queue`,
                "timeout",
              ),
            );
          },
          Math.max(1, Math.ceil(timeout / 1000)),
        );
      }
      if (signal) {
        job.onAbort = () => {
          this.remove(job);
          reject(this.cancelled());
        };
        signal.addEventListener("abort", job.onAbort, { once: true });
      }
      this.metrics.pending(1);
      this.queue.push(job);
      const outstanding = this.queue.length + this.executing;
      this.meanOverlap += OVERLAP_SMOOTHING * (outstanding - this.meanOverlap);
      this.dispatch();
    });
  }

  /** Stops taking requests and resolves once queued and running work has finished. */
  close(): Promise<void> {
    this.closed = true;
    return this.drained();
  }

  private drained(): Promise<void> {
    if (this.queue.length === 0 && this.idle.length === this.executors.length) {
      return Promise.resolve();
    }
    return new Promise((resolve) => this.drainWaiters.push(resolve));
  }

  private cancelled(): SchedulingError {
    return new SchedulingError(
      "CANCELLED",
      `${this.label}: the client disconnected before execution`,
      "cancelled",
    );
  }

  private detach(job: Job): void {
    if (job.timer) clearTimeout(job.timer);
    if (job.onAbort) job.signal?.removeEventListener("abort", job.onAbort);
  }

  private remove(job: Job): void {
    const index = this.queue.indexOf(job);
    if (index < 0) return;
    this.queue.splice(index, 1);
    this.detach(job);
    this.metrics.pending(-1);
    this.notifyIfDrained();
  }

  private takeBatch(): Job[] | undefined {
    const first = this.queue[0];
    const limit = this.policy.maxBatchSize;
    if (limit <= 1) return this.queue.splice(0, 1);
    const picked: number[] = [];
    let total = 0;
    for (let i = 0; i < this.queue.length && total < limit; i++) {
      const job = this.queue[i];
      if (job.key !== first.key || total + job.request.batchSize > limit) continue;
      picked.push(i);
      total += job.request.batchSize;
    }
    const preferred = this.policy.preferredBatchSizes;
    const enough = total >= limit || (preferred.length > 0 ? preferred.includes(total) : false);
    const delayMs = this.policy.maxQueueDelayMicroseconds / 1000;
    const waited = now() - first.enqueuedAt;
    const overlapping = this.meanOverlap > OVERLAP_THRESHOLD;
    if (!enough && overlapping && !this.closed && waited < delayMs) {
      if (!this.delayTimer) {
        this.delayTimer = setTimeout(
          () => {
            this.delayTimer = undefined;
            this.dispatch();
          },
          Math.max(1, Math.ceil(delayMs - waited)),
        );
      }
      return undefined;
    }
    const batch = picked.map((index) => this.queue[index]);
    for (let i = picked.length - 1; i >= 0; i--) this.queue.splice(picked[i], 1);
    return batch;
  }

  private dispatch(): void {
    while (this.idle.length > 0 && this.queue.length > 0) {
      const batch = this.takeBatch();
      if (!batch) return;
      if (this.delayTimer) {
        clearTimeout(this.delayTimer);
        this.delayTimer = undefined;
      }
      for (const job of batch) this.detach(job);
      void this.run(this.idle.pop() as BatchExecutor, batch);
    }
  }

  private async run(executor: BatchExecutor, batch: Job[]): Promise<void> {
    const started = now();
    this.executing += batch.length;
    for (const job of batch) this.metrics.queued((started - job.enqueuedAt) * 1000);
    try {
      const inputs =
        batch.length === 1
          ? batch[0].request.inputs
          : concatInputs(batch.map((job) => job.request.inputs));
      const names = new Set<string>();
      for (const job of batch) for (const output of job.request.outputs) names.add(output.name);
      const prepared = now();
      const outputs = await executor.execute(inputs, [...names]);
      const executed = now();
      const results = this.split(batch, outputs);
      const finished = now();
      const total = batch.reduce((sum, job) => sum + job.request.batchSize, 0);
      this.metrics.executed(
        total,
        (prepared - started) * 1000,
        (executed - prepared) * 1000,
        (finished - executed) * 1000,
      );
      for (let i = 0; i < batch.length; i++) batch[i].resolve(results[i]);
    } catch (error) {
      const failure =
        error instanceof InferenceError
          ? error
          : new SchedulingError(
              "INTERNAL",
              `${this.label}: model execution failed: ${(error as Error).message}`,
              "error",
            );
      for (const job of batch) job.reject(failure);
    } finally {
      this.metrics.pending(-batch.length);
      this.executing -= batch.length;
      this.idle.push(executor);
      this.dispatch();
      this.notifyIfDrained();
    }
  }

  private split(batch: Job[], outputs: Map<string, OutputData>): InferResult[] {
    if (batch.length === 1) return [outputs];
    const sizes = batch.map((job) => job.request.batchSize);
    const total = sizes.reduce((sum, size) => sum + size, 0);
    const results = batch.map(() => new Map<string, OutputData>());
    for (const [name, output] of outputs) {
      if (output.shape[0] !== total) {
        throw new SchedulingError(
          "INTERNAL",
          `${this.label}: output '${name}' has dimension 0 of ${output.shape[0]} for a batch ` +
            `of ${total}; a model with max_batch_size > 0 must keep the batch dimension`,
          "error",
        );
      }
      const parts = splitOutput(output, sizes);
      for (let i = 0; i < parts.length; i++) results[i].set(name, parts[i]);
    }
    return results;
  }

  private notifyIfDrained(): void {
    if (this.queue.length > 0 || this.idle.length < this.executors.length) return;
    const waiters = this.drainWaiters;
    this.drainWaiters = [];
    for (const resolve of waiters) resolve();
  }
}
