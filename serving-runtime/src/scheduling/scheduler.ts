import type { FailureReason, ModelMetrics } from "../metrics";
import { InferenceError } from "../protocol/errors";
import type { DecodedInput, InferRequest } from "../protocol/infer-request";
import { BatchSpans, type Placement } from "../tracing/batch-spans";
import type { RequestTrace } from "../tracing/request-trace";
import { type Clock, systemClock, type Timer } from "./clock";
import type { QueuePolicy } from "./queue-policy";
import {
  batchKey,
  concatInputs,
  type InputAllocator,
  type OutputData,
  splitOutput,
} from "./tensor-batch";

/** What one model execution produced, and how long the model itself ran. */
export interface Execution {
  /** Outputs by name, batched along dimension 0. */
  outputs: Map<string, OutputData>;
  /** Time `session.run` took where it ran, in microseconds. */
  inferMicroseconds: number;
}

/** Runs (possibly batched) executions of a model: on the event loop, or in a worker thread. */
export interface BatchExecutor {
  /**
   * Executions it accepts at once: 1 on the event loop; 2 for a worker thread, whose next batch
   * then waits in the thread and starts the moment the current one ends.
   */
  readonly capacity: number;
  /** Where it runs executions, for traces: on the event loop or in a worker thread. */
  readonly placement?: Placement;
  /**
   * Where the scheduler assembles a batched numeric input, when the executor has a better place
   * than a new array (a worker thread's reusable transfer buffers); absent: a new typed array.
   */
  readonly allocateInput?: InputAllocator;
  /**
   * Executes the model.
   *
   * @param inputs every model input, batched along dimension 0; their buffers may be handed
   *   over to another thread, so the caller must not read them afterwards
   * @param outputNames outputs to compute
   * @param options how to run it (default: as a request's execution)
   */
  execute(
    inputs: DecodedInput[],
    outputNames: string[],
    options?: ExecuteOptions,
  ): Promise<Execution>;
}

/** How an execution runs. */
export interface ExecuteOptions {
  /**
   * onnxruntime logs nothing for this run (its run log level at fatal): for the server's own
   * executions with generated inputs (load-time probes, warmup), whose failure is expected to
   * happen on some models and which the server reports itself, in one line.
   */
  quiet?: boolean;
}

/** The client behind a request, watched only while its request waits in the queue. */
export interface ClientLink {
  /** Whether the client has disconnected. */
  gone(): boolean;
  /**
   * Calls `listener` once when the client disconnects.
   *
   * @returns a function that stops watching
   */
  watch(listener: () => void): () => void;
}

/** A request's outputs by name. */
export type InferResult = Map<string, OutputData>;

/** How long the execution that carried one request took, by phase, in microseconds. */
export interface RequestTiming {
  /** Preparing the inputs (batching, handing them to the executor). */
  inputUs: number;
  /** Running the model. */
  inferUs: number;
  /** Taking the outputs apart. */
  outputUs: number;
}

/** Per-request options of {@link RequestScheduler.submit}. */
export interface SubmitOptions {
  /** Called with the phases of the request's execution once it has succeeded. */
  onExecuted?: (timing: RequestTiming) => void;
  /** The request's trace: its queue wait, batch and execution become spans of it. */
  trace?: RequestTrace;
}

/** What runs a model version's requests: its queue and batcher, or an ensemble's steps. */
export interface RequestScheduler {
  /**
   * Runs one request and resolves with its outputs.
   *
   * @param request the decoded request
   * @param client the client, watched while the request waits
   * @param options per-request options
   */
  submit(request: InferRequest, client?: ClientLink, options?: SubmitOptions): Promise<InferResult>;
  /** Stops taking requests and resolves once queued and running work has finished. */
  close(): Promise<void>;
  /** Requests waiting in its queue (an ensemble queues nothing itself: 0). */
  readonly queued: number;
}

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
   * @param requested the timeout that expired was the request's own `parameters.timeout` (the
   *   client asked for it: it says nothing about the model's health)
   */
  constructor(
    kind: InferenceError["kind"],
    message: string,
    readonly failure: SchedulingFailure,
    readonly requested = false,
  ) {
    super(kind, message);
    this.reason = FAILURE_REASON[failure];
  }
}

/**
 * Observes each finished execution, e.g. to re-decide where the model runs or to tally the item
 * shapes requests carry.
 *
 * @param inferMicroseconds how long the model ran
 * @param items items the execution carried
 * @param inputs the first request's inputs (every request of a batch has the same item shapes);
 *   their shapes stay readable, their buffers may have moved to another thread
 * @param requests requests the execution carried
 */
export type ExecutionObserver = (
  inferMicroseconds: number,
  items: number,
  inputs: readonly DecodedInput[],
  requests: number,
) => void;

/** Work of the server's own (a background measurement) run on one of the model's executors. */
export type BackgroundTask<T> = (executor: BatchExecutor) => Promise<T>;

/**
 * A background task waits at most this long for an idle executor while requests keep every
 * executor busy; then it takes the next executor with room before queued requests.
 */
export const BACKGROUND_MAX_WAIT_MS = 200;

interface Background {
  task: BackgroundTask<unknown>;
  since: number;
  resolve(value: unknown): void;
  reject(error: Error): void;
}

/** Options of a {@link Scheduler}. */
export interface SchedulerOptions {
  /** Time source for queue delays, timeouts and measurements; {@link systemClock} by default. */
  clock?: Clock;
  /** Called after every successful execution. */
  onExecuted?: ExecutionObserver;
}

interface Job {
  request: InferRequest;
  key: string;
  enqueuedAt: number;
  resolve(result: InferResult): void;
  reject(error: Error): void;
  timer?: Timer;
  client?: ClientLink;
  unwatch?: () => void;
  onExecuted?: SubmitOptions["onExecuted"];
  trace?: RequestTrace;
  /** When a sampled request entered the queue (`performance.now()`), for its queue-wait span. */
  queuedAt?: number;
}

interface Slot {
  executor: BatchExecutor;
  /** Items of each execution in flight. */
  running: number[];
  /** A background task runs on it: it takes no batch until that ends. */
  probing?: boolean;
}

/** Mean outstanding requests at arrival above which waiting for a fuller batch pays off. */
export const OVERLAP_THRESHOLD = 1.5;
/** Weight of the newest arrival in the moving average of outstanding requests. */
const OVERLAP_SMOOTHING = 0.2;

/**
 * The queue and dynamic batcher of one model version. Requests wait in a bounded queue; at the
 * end of each event-loop turn (so that requests arriving together are seen together, without a
 * timer) every executor with room takes the oldest request together with the following
 * compatible ones (same non-batch dims and datatypes) up to `maxBatchSize`. An executor that is
 * already running takes a further batch (which then starts without a gap) only when that batch
 * is full or at least as large as the one running. It waits up to the queue delay for a fuller
 * batch only while requests typically overlap (the moving average of requests outstanding when
 * one arrives is above {@link OVERLAP_THRESHOLD}): a sequential client never pays the delay.
 * Results are split back per request. Queued requests leave the queue when their timeout
 * expires or their client disconnects.
 */
export class Scheduler implements RequestScheduler {
  private readonly queue: Job[] = [];
  private readonly background: Background[] = [];
  private slots: Slot[];
  private readonly retiring = new Set<Slot>();
  private retiredWaiters: (() => void)[] = [];
  private readonly clock: Clock;
  private delayTimer?: Timer;
  private dispatchPending = false;
  private closed = false;
  private drainWaiters: (() => void)[] = [];
  private executing = 0;
  /** Moving average of requests outstanding (this one included) when a request arrives. */
  private meanOverlap = OVERLAP_THRESHOLD + 0.5;

  /**
   * @param label model name and version, for error messages
   * @param executors where executions run (one per model instance)
   * @param policy batching and queue policy
   * @param metrics the model version's metrics
   * @param options clock and execution observer
   */
  constructor(
    private readonly label: string,
    executors: readonly BatchExecutor[],
    private policy: QueuePolicy,
    private readonly metrics: ModelMetrics,
    private readonly options: SchedulerOptions = {},
  ) {
    this.clock = options.clock ?? systemClock;
    this.slots = executors.map((executor) => ({ executor, running: [] }));
  }

  /** Requests waiting in the queue. */
  get queued(): number {
    return this.queue.length;
  }

  /**
   * Moves new work to other executors (e.g. from the event loop to worker threads); executions
   * already running finish where they are. Resolves once the old executors are idle, after which
   * the caller may release them.
   *
   * @param executors the executors that take every batch from now on
   */
  useExecutors(executors: readonly BatchExecutor[]): Promise<void> {
    for (const slot of this.slots) {
      if (slot.running.length > 0 || slot.probing) this.retiring.add(slot);
    }
    this.slots = executors.map((executor) => ({ executor, running: [] }));
    this.scheduleDispatch();
    if (this.retiring.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.retiredWaiters.push(resolve));
  }

  /**
   * Adds executors next to the ones in use (e.g. further instances created after the model
   * became ready); they take batches from the next dispatch on.
   *
   * @param executors the executors to add
   */
  addExecutors(executors: readonly BatchExecutor[]): void {
    for (const executor of executors) this.slots.push({ executor, running: [] });
    this.scheduleDispatch();
  }

  /**
   * Changes the largest batch the batcher forms (a new decision of the server's); batches
   * already running keep their size, queued requests are batched by the new limit.
   *
   * @param maxBatchSize the new limit (1 or less: every request executes alone)
   */
  setMaxBatchSize(maxBatchSize: number): void {
    const wasBatching = this.policy.maxBatchSize > 1;
    this.policy = { ...this.policy, maxBatchSize };
    if (!wasBatching && maxBatchSize > 1) {
      for (const job of this.queue) job.key = batchKey(job.request.inputs);
    }
    this.scheduleDispatch();
  }

  /**
   * Runs a background task of the server's own (a measurement) on one of the executors between
   * batches: on an executor with nothing running while no request waits, or, once the task has
   * waited {@link BACKGROUND_MAX_WAIT_MS} behind a busy queue, on the next executor with room.
   * That executor takes no batch until the task ends. Rejects when the model unloads first.
   *
   * @param task the work, given the executor to run on
   */
  runWhenIdle<T>(task: BackgroundTask<T>): Promise<T> {
    if (this.closed) {
      return Promise.reject(new Error(`${this.label} is unloading`));
    }
    return new Promise<T>((resolve, reject) => {
      this.background.push({
        task,
        since: this.clock.now(),
        resolve: resolve as (value: unknown) => void,
        reject,
      });
      this.scheduleDispatch();
    });
  }

  /**
   * Queues a request and resolves with its outputs. Rejects with 503 when the queue is full,
   * the request's timeout expires in the queue or the model is unloading, and with 499 when the
   * client disconnects before execution starts.
   *
   * @param request the decoded request
   * @param client the client, watched while the request waits
   * @param options per-request options (an execution observer)
   */
  submit(
    request: InferRequest,
    client?: ClientLink,
    options?: SubmitOptions,
  ): Promise<InferResult> {
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
    return new Promise<InferResult>((resolve, reject) => {
      const job: Job = {
        request,
        key: this.policy.maxBatchSize > 1 ? batchKey(request.inputs) : "",
        enqueuedAt: this.clock.now(),
        resolve,
        reject,
        client,
        onExecuted: options?.onExecuted,
        trace: options?.trace,
      };
      if (job.trace?.recording) job.queuedAt = performance.now();
      const requested =
        this.policy.allowTimeoutOverride && request.timeoutMicroseconds !== undefined;
      const timeout = requested
        ? (request.timeoutMicroseconds as number)
        : this.policy.defaultTimeoutMicroseconds;
      if (timeout > 0) {
        job.timer = this.clock.setTimer(
          () => {
            if (!this.remove(job)) return;
            reject(
              new SchedulingError(
                "UNAVAILABLE",
                `${this.label}: request timed out after ${timeout} µs in the queue`,
                "timeout",
                requested,
              ),
            );
          },
          Math.max(1, Math.ceil(timeout / 1000)),
        );
      }
      this.metrics.pending(1);
      this.queue.push(job);
      const outstanding = this.queue.length + this.executing;
      this.meanOverlap += OVERLAP_SMOOTHING * (outstanding - this.meanOverlap);
      this.scheduleDispatch();
    });
  }

  /** Stops taking requests and resolves once queued and running work has finished. */
  close(): Promise<void> {
    this.closed = true;
    for (const waiting of this.background.splice(0)) {
      waiting.reject(new Error(`${this.label} is unloading`));
    }
    this.scheduleDispatch();
    if (this.idle()) return Promise.resolve();
    return new Promise((resolve) => this.drainWaiters.push(resolve));
  }

  private idle(): boolean {
    return (
      this.queue.length === 0 &&
      this.retiring.size === 0 &&
      this.slots.every((slot) => slot.running.length === 0 && !slot.probing)
    );
  }

  private cancelled(): SchedulingError {
    return new SchedulingError(
      "CANCELLED",
      `${this.label}: the client disconnected before execution`,
      "cancelled",
    );
  }

  private scheduleDispatch(): void {
    if (this.dispatchPending) return;
    this.dispatchPending = true;
    this.clock.defer(() => {
      this.dispatchPending = false;
      this.dispatch();
    });
  }

  private detach(job: Job): void {
    job.timer?.cancel();
    job.unwatch?.();
  }

  /** Takes a job out of the queue; false when it had already left. */
  private remove(job: Job): boolean {
    const index = this.queue.indexOf(job);
    if (index < 0) return false;
    this.queue.splice(index, 1);
    this.detach(job);
    this.metrics.pending(-1);
    this.notifyIfDrained();
    return true;
  }

  private dropCancelled(): void {
    for (let i = this.queue.length - 1; i >= 0; i--) {
      const job = this.queue[i];
      if (!job.client?.gone()) continue;
      this.remove(job);
      job.reject(this.cancelled());
    }
  }

  private freeSlot(): Slot | undefined {
    let best: Slot | undefined;
    for (const slot of this.slots) {
      if (slot.probing || slot.running.length >= slot.executor.capacity) continue;
      if (!best || slot.running.length < best.running.length) best = slot;
    }
    return best;
  }

  /**
   * The next batch for a slot, or undefined when it should wait: for an idle slot, while a
   * fuller batch is worth the queue delay; for a busy slot, until the batch is full or at least
   * as large as the one it runs. The oldest request is always part of the batch, even when its
   * own batch size is above the batcher's limit (a model with `max_batch_size` but no
   * `dynamic_batching` runs each request alone, whatever its batch size): a batch is never empty,
   * so the queue always moves.
   */
  private takeBatch(slot: Slot): Job[] | undefined {
    const first = this.queue[0];
    const limit = Math.max(1, this.policy.maxBatchSize);
    const picked: number[] = [0];
    let total = first.request.batchSize;
    for (let i = 1; i < this.queue.length && total < limit; i++) {
      const job = this.queue[i];
      if (job.key !== first.key || total + job.request.batchSize > limit) continue;
      picked.push(i);
      total += job.request.batchSize;
    }
    if (slot.running.length > 0) {
      if (total < Math.min(limit, Math.min(...slot.running))) return undefined;
    } else if (limit > 1 && !this.closed && total < limit) {
      const preferred = this.policy.preferredBatchSizes.includes(total);
      const delayMs = this.policy.maxQueueDelayMicroseconds / 1000;
      const waited = this.clock.now() - first.enqueuedAt;
      if (!preferred && this.meanOverlap > OVERLAP_THRESHOLD && waited < delayMs) {
        this.delayTimer ??= this.clock.setTimer(
          () => {
            this.delayTimer = undefined;
            this.dispatch();
          },
          Math.max(1, Math.ceil(delayMs - waited)),
        );
        return undefined;
      }
    }
    const batch = picked.map((index) => this.queue[index]);
    for (let i = picked.length - 1; i >= 0; i--) this.queue.splice(picked[i], 1);
    return batch;
  }

  private dispatch(): void {
    this.dropCancelled();
    this.startBackground(true);
    while (this.queue.length > 0) {
      const slot = this.freeSlot();
      if (!slot) break;
      const batch = this.takeBatch(slot);
      if (!batch) break;
      if (this.delayTimer) {
        this.delayTimer.cancel();
        this.delayTimer = undefined;
      }
      for (const job of batch) this.detach(job);
      this.run(slot, batch);
    }
    for (const job of this.queue) this.watch(job);
    this.startBackground(false);
  }

  /**
   * Starts the oldest background task on a free executor: before requests (`overdue`) only once
   * it has waited {@link BACKGROUND_MAX_WAIT_MS}, on any executor with room; after requests on an
   * executor with nothing running, and only while no request waits.
   */
  private startBackground(overdue: boolean): void {
    const waiting = this.background[0];
    if (!waiting) return;
    if (overdue && this.clock.now() - waiting.since < BACKGROUND_MAX_WAIT_MS) return;
    if (!overdue && this.queue.length > 0) return;
    const slot = this.freeSlot();
    if (!slot || (!overdue && slot.running.length > 0)) return;
    this.background.shift();
    slot.probing = true;
    const settle = () => {
      slot.probing = false;
      if (slot.running.length === 0 && this.retiring.delete(slot)) this.notifyRetired();
      this.scheduleDispatch();
      this.notifyIfDrained();
    };
    let running: Promise<unknown>;
    try {
      running = waiting.task(slot.executor);
    } catch (error) {
      running = Promise.reject(error);
    }
    running.then(
      (value) => {
        settle();
        waiting.resolve(value);
      },
      (error: Error) => {
        settle();
        waiting.reject(error);
      },
    );
  }

  private watch(job: Job): void {
    if (job.unwatch || !job.client) return;
    job.unwatch = job.client.watch(() => {
      if (this.remove(job)) job.reject(this.cancelled());
    });
  }

  private run(slot: Slot, batch: Job[]): void {
    const clock = this.clock;
    const started = clock.now();
    const items = batch.reduce((sum, job) => sum + job.request.batchSize, 0);
    slot.running.push(items);
    this.executing += batch.length;
    for (const job of batch) this.metrics.queued((started - job.enqueuedAt) * 1000);
    const spans = BatchSpans.start(batch, items, this.slots.indexOf(slot), slot.executor.placement);
    const names = new Set<string>();
    for (const job of batch) for (const output of job.request.outputs) names.add(output.name);
    let execution: Promise<Execution>;
    try {
      const inputs =
        batch.length === 1
          ? batch[0].request.inputs
          : concatInputs(
              batch.map((job) => job.request.inputs),
              slot.executor.allocateInput,
            );
      execution = slot.executor.execute(inputs, [...names]);
    } catch (error) {
      execution = Promise.reject(error);
    }
    const settle = () => {
      this.metrics.pending(-batch.length);
      this.executing -= batch.length;
      slot.running.splice(slot.running.indexOf(items), 1);
      if (slot.running.length === 0 && this.retiring.delete(slot)) this.notifyRetired();
      this.dispatch();
      this.notifyIfDrained();
    };
    const fail = (error: Error) => {
      const failure =
        error instanceof InferenceError
          ? error
          : new SchedulingError(
              "INTERNAL",
              `${this.label}: model execution failed: ${error.message}`,
              "error",
            );
      spans?.end(failure.message);
      for (const job of batch) job.reject(failure);
      settle();
    };
    execution.then(({ outputs, inferMicroseconds }) => {
      let results: InferResult[];
      const returned = clock.now();
      try {
        results = this.split(batch, outputs);
      } catch (error) {
        fail(error as Error);
        return;
      }
      const total = (returned - started) * 1000;
      const timing = {
        inputUs: Math.max(0, total - inferMicroseconds),
        inferUs: inferMicroseconds,
        outputUs: (clock.now() - returned) * 1000,
      };
      this.metrics.executed(items, timing.inputUs, timing.inferUs, timing.outputUs, batch.length);
      this.options.onExecuted?.(inferMicroseconds, items, batch[0].request.inputs, batch.length);
      spans?.end();
      for (let i = 0; i < batch.length; i++) {
        batch[i].onExecuted?.(timing);
        batch[i].resolve(results[i]);
      }
      settle();
    }, fail);
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

  private notifyRetired(): void {
    if (this.retiring.size > 0) return;
    const waiters = this.retiredWaiters;
    this.retiredWaiters = [];
    for (const resolve of waiters) resolve();
  }

  private notifyIfDrained(): void {
    if (!this.idle()) return;
    const waiters = this.drainWaiters;
    this.drainWaiters = [];
    for (const resolve of waiters) resolve();
  }
}
