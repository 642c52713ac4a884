import { Counter, collectDefaultMetrics, Gauge, Registry } from "prom-client";

/** Why a request failed, as Triton's `nv_inference_request_failure{reason}` labels it. */
export type FailureReason = "REJECTED" | "CANCELED" | "BACKEND" | "OTHER";

const MODEL_LABELS = ["model", "version"] as const;

/**
 * The server's Prometheus metrics, under Triton's names where the meaning is the same
 * (durations are cumulative microsecond counters, as Triton's are), plus Node.js process
 * metrics. One instance per server, with its own registry.
 */
export class ServerMetrics {
  /** The registry `/metrics` renders. */
  readonly registry = new Registry();
  /** Successful inference requests. */
  readonly requestSuccess: Counter<"model" | "version">;
  /** Failed inference requests, by reason. */
  readonly requestFailure: Counter<"model" | "version" | "reason">;
  /** Inferences performed (a batch of n counts n). */
  readonly inferenceCount: Counter<"model" | "version">;
  /** Model executions (a batch of n counts 1). */
  readonly execCount: Counter<"model" | "version">;
  /** Requests queued or executing. */
  readonly pendingRequests: Gauge<"model" | "version">;
  /** Cumulative end-to-end request time. */
  readonly requestDuration: Counter<"model" | "version">;
  /** Cumulative time requests waited in the queue. */
  readonly queueDuration: Counter<"model" | "version">;
  /** Cumulative time preparing input tensors. */
  readonly computeInputDuration: Counter<"model" | "version">;
  /** Cumulative time executing the model. */
  readonly computeInferDuration: Counter<"model" | "version">;
  /** Cumulative time extracting output tensors. */
  readonly computeOutputDuration: Counter<"model" | "version">;
  /** Response cache hits. */
  readonly cacheHits: Counter<"model" | "version">;
  /** Response cache misses. */
  readonly cacheMisses: Counter<"model" | "version">;
  /** Circuit breaker state per model (0 closed, 1 open, 2 half-open). */
  readonly breakerState: Gauge<"model">;
  /** Requests answered by a fallback model, by primary model, fallback and trigger. */
  readonly fallbackCount: Counter<"model" | "fallback_model" | "trigger">;

  constructor() {
    const registers = [this.registry];
    const counter = (name: string, help: string) =>
      new Counter({ name, help, labelNames: MODEL_LABELS, registers });
    this.requestSuccess = counter(
      "nv_inference_request_success",
      "Number of successful inference requests, all batch sizes",
    );
    this.requestFailure = new Counter({
      name: "nv_inference_request_failure",
      help: "Number of failed inference requests, all batch sizes",
      labelNames: [...MODEL_LABELS, "reason"],
      registers,
    });
    this.inferenceCount = counter(
      "nv_inference_count",
      "Number of inferences performed (does not include cached requests)",
    );
    this.execCount = counter(
      "nv_inference_exec_count",
      "Number of model executions performed (does not include cached requests)",
    );
    this.pendingRequests = new Gauge({
      name: "nv_inference_pending_request_count",
      help: "Instantaneous number of pending requests awaiting execution per-model.",
      labelNames: MODEL_LABELS,
      registers,
    });
    this.requestDuration = counter(
      "nv_inference_request_duration_us",
      "Cumulative inference request duration in microseconds (includes cached requests)",
    );
    this.queueDuration = counter(
      "nv_inference_queue_duration_us",
      "Cumulative inference queuing duration in microseconds (includes cached requests)",
    );
    this.computeInputDuration = counter(
      "nv_inference_compute_input_duration_us",
      "Cumulative compute input duration in microseconds (does not include cached requests)",
    );
    this.computeInferDuration = counter(
      "nv_inference_compute_infer_duration_us",
      "Cumulative compute inference duration in microseconds (does not include cached requests)",
    );
    this.computeOutputDuration = counter(
      "nv_inference_compute_output_duration_us",
      "Cumulative inference compute output duration in microseconds (does not include cached requests)",
    );
    this.cacheHits = counter("nv_cache_num_hits_per_model", "Number of cache hits per model");
    this.cacheMisses = counter("nv_cache_num_misses_per_model", "Number of cache misses per model");
    this.breakerState = new Gauge({
      name: "hybridai_circuit_breaker_state",
      help: "Circuit breaker state per model: 0 closed, 1 open, 2 half-open",
      labelNames: ["model"],
      registers,
    });
    this.fallbackCount = new Counter({
      name: "hybridai_fallback_requests_total",
      help: "Requests answered by the fallback model, by primary model, fallback model and trigger",
      labelNames: ["model", "fallback_model", "trigger"],
      registers,
    });
    collectDefaultMetrics({ register: this.registry });
  }

  /** The metrics of one model version, with its labels bound. */
  forModel(model: string, version: string): ModelMetrics {
    return new ModelMetrics(this, { model, version });
  }
}

/** The metrics of one model version; durations are given in microseconds. */
export class ModelMetrics {
  /**
   * @param server the server's metrics
   * @param labels model name and version
   */
  constructor(
    private readonly server: ServerMetrics,
    private readonly labels: { model: string; version: string },
  ) {}

  /** Counts a successful request and its end-to-end duration. */
  success(durationUs: number): void {
    this.server.requestSuccess.inc(this.labels);
    this.server.requestDuration.inc(this.labels, durationUs);
  }

  /** Counts a failed request and its end-to-end duration. */
  failure(reason: FailureReason, durationUs: number): void {
    this.server.requestFailure.inc({ ...this.labels, reason });
    this.server.requestDuration.inc(this.labels, durationUs);
  }

  /** Adds one request's time in the queue. */
  queued(durationUs: number): void {
    this.server.queueDuration.inc(this.labels, durationUs);
  }

  /** Counts one model execution of `batchSize` inferences and its phase durations. */
  executed(batchSize: number, inputUs: number, inferUs: number, outputUs: number): void {
    this.server.execCount.inc(this.labels);
    this.server.inferenceCount.inc(this.labels, batchSize);
    this.server.computeInputDuration.inc(this.labels, inputUs);
    this.server.computeInferDuration.inc(this.labels, inferUs);
    this.server.computeOutputDuration.inc(this.labels, outputUs);
  }

  /** Changes the pending request count by `delta`. */
  pending(delta: number): void {
    this.server.pendingRequests.inc(this.labels, delta);
  }

  /** Counts a response cache hit or miss. */
  cache(hit: boolean): void {
    (hit ? this.server.cacheHits : this.server.cacheMisses).inc(this.labels);
  }
}
