import { Counter, collectDefaultMetrics, Gauge, Registry } from "prom-client";
import { BucketHistogram, type HistogramCell } from "./observability/bucket-histogram";
import { ObservabilityMetrics } from "./observability/observability-metrics";
import { InferenceTotals } from "./statistics/inference-totals";

/** Why a request failed, as Triton's `nv_inference_request_failure{reason}` labels it. */
export type FailureReason = "REJECTED" | "CANCELED" | "BACKEND" | "OTHER";

const MODEL_LABELS = ["model", "version"] as const;

/** The protocol an inference request arrived over. */
export type Protocol = "http" | "grpc";

/**
 * Upper bounds, in seconds, of `hybridai_request_duration_seconds`: 0.5 ms to 10 s, about three
 * buckets a decade, so `histogram_quantile` places a p99 within a factor of about 2.5.
 */
export const REQUEST_DURATION_BUCKETS: readonly number[] = [
  0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
];

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
  /** Inference requests answered per protocol (`http`, `grpc`) and outcome (`success`, `failure`). */
  readonly requestsByProtocol: Counter<"model" | "version" | "protocol" | "outcome">;
  /** End-to-end request durations in seconds (successes and failures), for percentiles. */
  readonly requestLatency: BucketHistogram;
  /** Largest number of requests each model version's queue holds. */
  readonly queueCapacity: Gauge<"model" | "version">;
  /** `hybridai_max_batch_size`: the largest batch each version's batcher forms now. */
  readonly maxBatchSize: Gauge<"model" | "version">;
  /** Input drift, output distributions and the audit log's counts. */
  readonly observability: ObservabilityMetrics;

  private readonly models = new Set<ModelMetrics>();

  constructor() {
    const registers = [this.registry];
    const flush = () => {
      for (const model of this.models) model.flush();
    };
    const counter = (name: string, help: string) =>
      new Counter({ name, help, labelNames: MODEL_LABELS, registers, collect: flush });
    this.requestSuccess = counter(
      "nv_inference_request_success",
      "Number of successful inference requests, all batch sizes",
    );
    this.requestFailure = new Counter({
      name: "nv_inference_request_failure",
      help: "Number of failed inference requests, all batch sizes",
      labelNames: [...MODEL_LABELS, "reason"],
      registers,
      collect: flush,
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
      collect: flush,
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
    this.requestsByProtocol = new Counter({
      name: "hybridai_inference_requests_total",
      help: "Inference requests answered, by model, version, protocol (http, grpc) and outcome (success, failure)",
      labelNames: [...MODEL_LABELS, "protocol", "outcome"],
      registers,
      collect: flush,
    });
    this.requestLatency = new BucketHistogram(
      "hybridai_request_duration_seconds",
      "End-to-end inference request duration in seconds (successes and failures, cached requests included)",
      REQUEST_DURATION_BUCKETS,
      this.registry,
    );
    this.queueCapacity = new Gauge({
      name: "hybridai_queue_capacity",
      help: "Requests the model version's queue holds before it answers 503 (max_queue_size)",
      labelNames: MODEL_LABELS,
      registers,
      collect: flush,
    });
    this.maxBatchSize = new Gauge({
      name: "hybridai_max_batch_size",
      help: "Largest batch the model version's batcher forms now (max_batch_size; 0 = no batching); changes when a decision taken on the item shapes clients send changes it",
      labelNames: MODEL_LABELS,
      registers,
      collect: flush,
    });
    this.observability = new ObservabilityMetrics(this.registry);
    collectDefaultMetrics({ register: this.registry });
  }

  /** The metrics of one model version, with its labels bound. */
  forModel(model: string, version: string): ModelMetrics {
    const metrics = new ModelMetrics(this, { model, version });
    this.models.add(metrics);
    return metrics;
  }
}

/** Counts of one model version not yet added to the Prometheus metrics. */
interface Pending {
  success: number;
  requestUs: number;
  queueUs: number;
  execs: number;
  items: number;
  inputUs: number;
  inferUs: number;
  outputUs: number;
  hits: number;
  misses: number;
  failures: Map<FailureReason, number>;
  /** Requests answered, by protocol, outcome first (`success:http`). */
  answered: Map<string, number>;
}

function nothingPending(): Pending {
  return {
    success: 0,
    requestUs: 0,
    queueUs: 0,
    execs: 0,
    items: 0,
    inputUs: 0,
    inferUs: 0,
    outputUs: 0,
    hits: 0,
    misses: 0,
    failures: new Map(),
    answered: new Map(),
  };
}

/**
 * The metrics of one model version; durations are given in microseconds. The request path only
 * adds to plain numbers; they reach the Prometheus counters when `/metrics` is scraped (a labelled
 * `inc` hashes its labels each time, which the request path would otherwise pay several times a
 * request).
 */
export class ModelMetrics {
  private counts = nothingPending();
  private inFlight = 0;
  /** Cumulative statistics since the version loaded (Triton's statistics extension). */
  readonly totals = new InferenceTotals();
  private capacity?: number;
  private batchLimit?: number;
  private readonly latency: HistogramCell;

  /**
   * @param server the server's metrics
   * @param labels model name and version
   */
  constructor(
    private readonly server: ServerMetrics,
    private readonly labels: { model: string; version: string },
  ) {
    this.latency = server.requestLatency.cell(labels);
  }

  /** Counts a successful request and its end-to-end duration. */
  success(durationUs: number): void {
    this.counts.success++;
    this.counts.requestUs += durationUs;
    this.totals.succeeded(durationUs);
    this.latency.observe(durationUs / 1e6);
  }

  /** Counts a failed request and its end-to-end duration. */
  failure(reason: FailureReason, durationUs: number): void {
    this.counts.failures.set(reason, (this.counts.failures.get(reason) ?? 0) + 1);
    this.counts.requestUs += durationUs;
    this.totals.failed(durationUs);
    this.latency.observe(durationUs / 1e6);
  }

  /** Sets the size of the version's queue, exported as `hybridai_queue_capacity`. */
  queueCapacity(requests: number): void {
    this.capacity = requests;
  }

  /** Sets the largest batch the version's batcher forms now, exported as `hybridai_max_batch_size`. */
  maxBatchSize(items: number): void {
    this.batchLimit = items;
  }

  /** Adds one request's time in the queue. */
  queued(durationUs: number): void {
    this.counts.queueUs += durationUs;
    this.totals.queued(durationUs);
  }

  /**
   * Counts one model execution of `batchSize` inferences carrying `requests` requests, and its
   * phase durations.
   */
  executed(
    batchSize: number,
    inputUs: number,
    inferUs: number,
    outputUs: number,
    requests = 1,
  ): void {
    this.totals.executed(batchSize, requests, inputUs, inferUs, outputUs);
    this.counts.execs++;
    this.counts.items += batchSize;
    this.counts.inputUs += inputUs;
    this.counts.inferUs += inferUs;
    this.counts.outputUs += outputUs;
  }

  /** Changes the pending request count by `delta`. */
  pending(delta: number): void {
    this.inFlight += delta;
  }

  /** Counts a response cache hit or miss, and how long the lookup took in µs. */
  cache(hit: boolean, lookupUs = 0): void {
    if (hit) this.counts.hits++;
    else this.counts.misses++;
    this.totals.cacheLookup(hit, lookupUs);
  }

  /** Counts an inference request answered over `protocol`, successfully or not. */
  answered(protocol: Protocol, ok: boolean): void {
    const key = ok ? `success:${protocol}` : `failure:${protocol}`;
    this.counts.answered.set(key, (this.counts.answered.get(key) ?? 0) + 1);
  }

  /** Adds what was counted since the last call to the Prometheus metrics (at scrape time). */
  flush(): void {
    const { server, labels } = this;
    const counts = this.counts;
    this.counts = nothingPending();
    const add = (counter: Counter<"model" | "version">, value: number) => {
      if (value > 0) counter.inc(labels, value);
    };
    add(server.requestSuccess, counts.success);
    add(server.requestDuration, counts.requestUs);
    add(server.queueDuration, counts.queueUs);
    add(server.execCount, counts.execs);
    add(server.inferenceCount, counts.items);
    add(server.computeInputDuration, counts.inputUs);
    add(server.computeInferDuration, counts.inferUs);
    add(server.computeOutputDuration, counts.outputUs);
    add(server.cacheHits, counts.hits);
    add(server.cacheMisses, counts.misses);
    for (const [reason, count] of counts.failures) {
      server.requestFailure.inc({ ...labels, reason }, count);
    }
    for (const [key, count] of counts.answered) {
      const [outcome, protocol] = key.split(":");
      server.requestsByProtocol.inc({ ...labels, protocol, outcome }, count);
    }
    server.pendingRequests.set(labels, this.inFlight);
    if (this.capacity !== undefined) server.queueCapacity.set(labels, this.capacity);
    if (this.batchLimit !== undefined) server.maxBatchSize.set(labels, this.batchLimit);
  }
}
