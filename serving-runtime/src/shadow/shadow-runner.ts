import type { Logger } from "pino";
import type { ModelMetrics } from "../metrics";
import { decodeInferRequest, type OutputRequest } from "../protocol/infer-request";
import type { ModelSignature } from "../protocol/tensor-spec";
import { ResilienceConfigError } from "../resilience/config";
import { RemoteCallError, RemoteInferenceClient } from "../resilience/remote-client";
import { type InferResult, type RequestScheduler, SchedulingError } from "../scheduling/scheduler";
import type { OutputData } from "../scheduling/tensor-batch";
import { ATTR, SPAN } from "../tracing/attributes";
import { endSpan, type OutgoingCall, type RequestTrace } from "../tracing/request-trace";
import { type Comparison, compareOutputs, isClassOutput } from "./compare";
import type { ShadowConfig } from "./config";
import { decodeInferResponse } from "./decode-response";
import type { ShadowDropReason, ShadowMetrics } from "./shadow-metrics";
import { summarize } from "./summary";

/** The request a copy is made of, as it arrived. */
export interface ShadowCopy {
  /** The request body (JSON or binary extension). */
  body: Buffer;
  /** `Inference-Header-Content-Length` of a binary-extension body. */
  headerLength?: string;
  /** The request id (`X-Request-Id`, else the body's `id`), for the log. */
  requestId?: string;
  /** The request's trace: the shadow call becomes a span of it. */
  trace?: RequestTrace;
}

/** The parts of a loaded model version a `model:` shadow runs on. */
export interface ShadowModel {
  /** What requests must match. */
  signature: ModelSignature;
  /** The version's queue and batcher. */
  scheduler: RequestScheduler;
  /** The version's metrics (its successes and failures). */
  metrics: Pick<ModelMetrics, "success" | "failure">;
}

/** What a {@link ShadowRunner} works with. */
export interface ShadowRunnerOptions {
  /** The primary model (its name also addresses a `url` shadow). */
  model: string;
  /** The model's resolved `shadow` block. */
  config: ShadowConfig;
  /** The shadow metrics of the server's registry. */
  metrics: ShadowMetrics;
  /** Logger. */
  logger: Logger;
  /** Finds the loaded shadow model (for a `model` shadow); throws when it is not loaded. */
  resolve: (name: string) => ShadowModel;
  /** Source of uniform numbers in [0, 1) for sampling; `Math.random` by default. */
  random?: () => number;
}

interface Job {
  version: string;
  copy: ShadowCopy;
  outputs: readonly OutputRequest[];
  result: InferResult;
}

/** Time-based limit on log lines: at most one per interval, counting the ones left out. */
class LogLimit {
  private lastMs = Number.NEGATIVE_INFINITY;
  private skipped = 0;

  constructor(private readonly intervalMs: number) {}

  /** The number of lines left out since the last one, or `undefined` to leave this one out. */
  take(): number | undefined {
    const now = performance.now();
    if (now - this.lastMs < this.intervalMs) {
      this.skipped++;
      return undefined;
    }
    this.lastMs = now;
    const skipped = this.skipped;
    this.skipped = 0;
    return skipped;
  }
}

/**
 * Runs sampled copies of a model's answered requests on its shadow (another model of the
 * repository, or a remote endpoint) and compares the answers, off the request path: {@link offer}
 * only samples and queues; copies start after the current event-loop turn (so after the primary's
 * answer was written), at most `max_concurrency` at a time, from a queue of `max_queue_size`
 * (a copy arriving when it is full is dropped and counted). A shadow that fails, hangs (remote:
 * `timeout_ms`) or is not loaded costs the primary nothing: the copy is dropped and counted.
 * Each compared request adds to `hybridai_shadow_requests_total`, a disagreeing one to
 * `hybridai_shadow_disagreement_total` once; disagreements are logged at most once per
 * `log_interval_ms` with both sides' output summaries.
 */
export class ShadowRunner {
  private readonly queue: Job[] = [];
  private readonly running = new Set<Promise<void>>();
  private readonly abandon = new AbortController();
  private readonly remote?: RemoteInferenceClient;
  private readonly random: () => number;
  private readonly disagreementLog: LogLimit;
  private readonly failureLog: LogLimit;
  private scheduled = false;
  private closed = false;

  /** @param options model, config, metrics, logger and the repository's resolver */
  constructor(private readonly options: ShadowRunnerOptions) {
    const { config } = options;
    this.random = options.random ?? Math.random;
    this.disagreementLog = new LogLimit(config.log_interval_ms);
    this.failureLog = new LogLimit(config.log_interval_ms);
    if (config.url !== undefined) {
      this.remote = new RemoteInferenceClient({
        url: config.url,
        tokenFile: config.token_file,
        timeoutMs: config.timeout_ms,
      });
    }
  }

  /** Where copies go: `model <name>` or the endpoint URL. */
  get target(): string {
    return this.options.config.url ?? `model ${this.options.config.model}`;
  }

  /**
   * Checks the shadow block against a loaded version of the primary (`class_outputs` must name
   * its outputs) and starts its counters at 0, so the disagreement ratio has both series.
   * @throws ResilienceConfigError for a `class_outputs` entry the model does not have
   */
  register(signature: ModelSignature): void {
    const { model, config, metrics } = this.options;
    const names = signature.outputs.map((output) => output.name);
    const unknown = config.class_outputs?.find((name) => !names.includes(name));
    if (unknown !== undefined) {
      throw new ResilienceConfigError(
        model,
        "shadow.class_outputs",
        config.class_outputs,
        `'${unknown}' is not an output of the model; its outputs are ${names.join(", ")}`,
      );
    }
    const labels = { model, version: signature.version };
    metrics.requests.inc(labels, 0);
    metrics.disagreements.inc(labels, 0);
  }

  /**
   * Offers an answered request: sampled at `sample`, queued when there is room (else dropped and
   * counted). Never throws and never waits.
   *
   * @param version the primary version that answered
   * @param copy the request as it arrived
   * @param outputs the outputs the client asked for (the ones compared)
   * @param result the primary's outputs
   * @returns whether the copy was sampled and queued
   */
  offer(
    version: string,
    copy: ShadowCopy,
    outputs: readonly OutputRequest[],
    result: InferResult,
  ): boolean {
    if (this.closed || this.random() >= this.options.config.sample) return false;
    if (this.queue.length >= this.options.config.max_queue_size) {
      this.drop(version, "queue_full");
      return false;
    }
    this.queue.push({ version, copy, outputs, result });
    if (this.scheduled) return true;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.pump();
    });
    return true;
  }

  /** Stops taking copies, forgets the queued ones, aborts remote calls and waits for the rest. */
  async close(): Promise<void> {
    this.closed = true;
    this.queue.length = 0;
    this.abandon.abort();
    await Promise.allSettled([...this.running]);
  }

  private pump(): void {
    while (
      !this.closed &&
      this.running.size < this.options.config.max_concurrency &&
      this.queue.length > 0
    ) {
      const job = this.queue.shift() as Job;
      const run: Promise<void> = this.run(job).finally(() => {
        this.running.delete(run);
        this.pump();
      });
      this.running.add(run);
    }
  }

  private async run(job: Job): Promise<void> {
    const { model, metrics } = this.options;
    const labels = { model, version: job.version };
    const started = performance.now();
    const traced = job.copy.trace?.outgoing(SPAN.shadow, { [ATTR.shadowTarget]: this.target });
    let answer: ReadonlyMap<string, OutputData>;
    try {
      answer = await (this.remote ? this.runRemote(this.remote, job, traced) : this.runModel(job));
    } catch (error) {
      endSpan(traced?.span, error);
      if (this.closed) return;
      const timedOut = error instanceof RemoteCallError && error.failure === "timeout";
      this.drop(job.version, timedOut ? "timeout" : "error");
      const skipped = this.failureLog.take();
      if (skipped !== undefined) {
        this.options.logger.warn(
          {
            model,
            version: job.version,
            shadow: this.target,
            request_id: job.copy.requestId,
            error: (error as Error).message,
            failures_not_logged: skipped,
          },
          "shadow failed; the copy is dropped",
        );
      }
      return;
    }
    metrics.duration.observe(labels, (performance.now() - started) / 1000);
    const comparison = compareOutputs(
      job.result,
      answer,
      job.outputs.map((output) => output.name),
      { tolerance: this.options.config.tolerance, classOutputs: this.options.config.class_outputs },
    );
    metrics.requests.inc(labels);
    for (const output of comparison.outputs) {
      if (output.maxAbsDifference !== undefined && Number.isFinite(output.maxAbsDifference)) {
        metrics.difference.observe({ ...labels, output: output.name }, output.maxAbsDifference);
      }
    }
    traced?.span?.setAttribute(ATTR.shadowDisagrees, comparison.disagrees);
    traced?.span?.end();
    if (!comparison.disagrees) return;
    metrics.disagreements.inc(labels);
    const skipped = this.disagreementLog.take();
    if (skipped !== undefined) this.logDisagreement(job, answer, comparison, skipped);
  }

  private async runModel(job: Job): Promise<InferResult> {
    const shadow = this.options.resolve(this.options.config.model as string);
    const decoded = decodeInferRequest(job.copy.body, job.copy.headerLength, shadow.signature);
    const started = performance.now();
    try {
      const result = await shadow.scheduler.submit(decoded);
      shadow.metrics.success((performance.now() - started) * 1000);
      return result;
    } catch (error) {
      const reason = error instanceof SchedulingError ? error.reason : "BACKEND";
      shadow.metrics.failure(reason, (performance.now() - started) * 1000);
      throw error;
    }
  }

  private async runRemote(
    remote: RemoteInferenceClient,
    job: Job,
    traced?: OutgoingCall,
  ): Promise<InferResult> {
    const answer = await remote.infer({
      model: this.options.model,
      body: job.copy.body,
      headerLength: job.copy.headerLength,
      requestId: job.copy.requestId,
      purpose: "shadow",
      signal: this.abandon.signal,
      traceHeaders: traced?.headers,
    });
    if (answer.status !== 200) {
      const text = answer.body.toString("utf8", 0, Math.min(answer.body.length, 300));
      throw new Error(`the shadow endpoint answered ${answer.status}: ${text}`);
    }
    return decodeInferResponse(answer.body, answer.jsonLength);
  }

  private logDisagreement(
    job: Job,
    answer: ReadonlyMap<string, OutputData>,
    comparison: Comparison,
    skipped: number,
  ): void {
    const { model, config, logger } = this.options;
    const outputs = comparison.outputs.map((output) => {
      const primary = job.result.get(output.name) as OutputData;
      const shadow = answer.get(output.name);
      const classOutput = isClassOutput(output.name, primary, config.class_outputs);
      return {
        ...output,
        primary: summarize(primary, classOutput),
        shadow: shadow ? summarize(shadow, classOutput) : undefined,
      };
    });
    logger.warn(
      {
        model,
        version: job.version,
        shadow: this.target,
        request_id: job.copy.requestId,
        tolerance: config.tolerance,
        outputs,
        disagreements_not_logged: skipped,
      },
      "shadow disagreement",
    );
  }

  private drop(version: string, reason: ShadowDropReason): void {
    this.options.metrics.dropped.inc({ model: this.options.model, version, reason });
  }
}
