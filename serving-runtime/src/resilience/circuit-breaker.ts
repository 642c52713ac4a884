import { CallWindow } from "./call-window";
import { type CircuitBreakerConfig, parseCircuitBreakerConfig } from "./config";

/**
 * Breaker states: `closed` lets every call through and watches outcomes; `open` refuses calls
 * (callers use the fallback) until `open_duration_ms` has passed; `half_open` lets at most
 * `half_open_max_probes` probe calls through and decides from their outcomes.
 */
export type CircuitState = "closed" | "open" | "half_open";

/** Numeric code of each state, for a gauge (0 closed, 1 open, 2 half-open). */
export const CIRCUIT_STATE_CODE: Readonly<Record<CircuitState, number>> = {
  closed: 0,
  open: 1,
  half_open: 2,
};

/**
 * Why the state changed: `failure_rate` and `latency` open a closed breaker;
 * `open_duration_elapsed` turns open into half-open; `probe_failed` reopens;
 * `probes_succeeded` closes; `reset` is an explicit {@link CircuitBreaker.reset}.
 */
export type CircuitTransitionReason =
  | "failure_rate"
  | "latency"
  | "open_duration_elapsed"
  | "probe_failed"
  | "probes_succeeded"
  | "reset";

/** One state change, passed to listeners. */
export interface CircuitStateChange {
  /** Model the breaker guards. */
  model: string;
  /** State before. */
  from: CircuitState;
  /** State after. */
  to: CircuitState;
  /** What caused it. */
  reason: CircuitTransitionReason;
  /** Clock time of the change, in milliseconds. */
  atMs: number;
}

/** Receives every state change, synchronously, in order. Must not throw. */
export type CircuitStateListener = (change: CircuitStateChange) => void;

/** Source of the current time in milliseconds; monotonic. Injected by tests. */
export type Clock = () => number;

/** The monotonic clock used unless one is injected. */
export const monotonicClock: Clock = () => performance.now();

/** Options of a {@link CircuitBreaker}. */
export interface CircuitBreakerOptions {
  /** Model the breaker guards; named in state changes. */
  model: string;
  /** The model's `circuit_breaker` block; validated, defaults applied. `undefined`: all defaults. */
  config?: unknown;
  /** Time source; {@link monotonicClock} unless given. */
  clock?: Clock;
  /** Called on every state change (more can be added with {@link CircuitBreaker.onStateChange}). */
  onStateChange?: CircuitStateListener;
}

/** A point-in-time view of a breaker, for metrics and model metadata. */
export interface CircuitBreakerSnapshot {
  /** Current state. */
  state: CircuitState;
  /** Calls held in the closed-state window. */
  windowCalls: number;
  /** Failed fraction of the window. */
  failureRate: number;
  /** Fraction of the window slower than `latency_threshold_ms` (0 when latency is not watched). */
  slowRate: number;
  /** Probes admitted and not yet settled (half-open only). */
  probesInFlight: number;
  /** Successful probes so far in this half-open period. */
  probesSucceeded: number;
  /** Clock time at which an open breaker lets probes through; `undefined` unless open. */
  reopensAtMs: number | undefined;
}

/**
 * The right to make one call through the breaker. Settle it exactly once: {@link success},
 * {@link failure}, or {@link release} (the call was abandoned, e.g. the client went away, and
 * says nothing about the model's health). Later settlements are ignored.
 */
export interface CircuitPermit {
  /** Whether this call is a half-open probe. */
  readonly probe: boolean;
  /**
   * The call succeeded. A success slower than `latency_threshold_ms` counts as slow.
   * @param durationMs Call latency; measured from permit to now on the breaker's clock unless given.
   */
  success(durationMs?: number): void;
  /**
   * The call failed (error or timeout).
   * @param durationMs Call latency; measured from permit to now on the breaker's clock unless given.
   */
  failure(durationMs?: number): void;
  /** The call was abandoned; frees a probe slot without recording an outcome. */
  release(): void;
}

/**
 * A per-model circuit breaker.
 *
 * Closed, it records each call's outcome in a window of the last `window_size` calls; once the
 * window holds `minimum_requests` calls it opens when the failed fraction reaches
 * `failure_rate_threshold`, or when the `latency_quantile` of call latencies exceeds
 * `latency_threshold_ms`. Open, {@link tryAcquire} returns `undefined` (use the fallback) until
 * `open_duration_ms` has passed; then it turns half-open and admits up to
 * `half_open_max_probes` concurrent probes. Every probe succeeding (in time) closes it with an
 * empty window; one failing or slow probe reopens it for another `open_duration_ms`.
 *
 * Time is read from the injected clock when the breaker is used; there are no timers, so an
 * idle breaker holds no resources and its `open → half_open` change is reported on next use
 * (any call to {@link state}, {@link snapshot} or {@link tryAcquire}).
 *
 * Outcomes of calls admitted in an earlier state (e.g. a slow call that finishes after the
 * breaker opened) are ignored: only calls admitted in the current period count.
 */
export class CircuitBreaker {
  /** Resolved settings, defaults applied. */
  readonly config: CircuitBreakerConfig;
  /** Model the breaker guards. */
  readonly model: string;
  private readonly clock: Clock;
  private readonly listeners: CircuitStateListener[] = [];
  private readonly window: CallWindow;
  private current: CircuitState = "closed";
  private period = 0;
  private openedAtMs = 0;
  private probesInFlight = 0;
  private probesSucceeded = 0;

  /**
   * @param options Model name, its `circuit_breaker` config block, clock and listener.
   * @throws ResilienceConfigError when the config block is invalid.
   */
  constructor(options: CircuitBreakerOptions) {
    this.model = options.model;
    this.config = parseCircuitBreakerConfig(options.model, options.config);
    this.clock = options.clock ?? monotonicClock;
    this.window = new CallWindow(this.config.window_size, this.config.latency_threshold_ms);
    if (options.onStateChange) this.listeners.push(options.onStateChange);
  }

  /**
   * Adds a state-change listener.
   * @returns A function that removes it.
   */
  onStateChange(listener: CircuitStateListener): () => void {
    this.listeners.push(listener);
    return () => {
      const index = this.listeners.indexOf(listener);
      if (index >= 0) this.listeners.splice(index, 1);
    };
  }

  /** Current state, after turning half-open if the open duration has passed. */
  get state(): CircuitState {
    this.refresh();
    return this.current;
  }

  /** A view of the breaker for metrics and metadata. */
  snapshot(): CircuitBreakerSnapshot {
    this.refresh();
    return {
      state: this.current,
      windowCalls: this.window.size,
      failureRate: this.window.failureRate,
      slowRate: this.window.slowRate,
      probesInFlight: this.probesInFlight,
      probesSucceeded: this.probesSucceeded,
      reopensAtMs:
        this.current === "open" ? this.openedAtMs + this.config.open_duration_ms : undefined,
    };
  }

  /**
   * Asks to make one call.
   * @returns A permit to settle when the call ends, or `undefined` when the breaker is open or
   * every half-open probe slot is taken: answer from the fallback model (or 503 without one).
   */
  tryAcquire(): CircuitPermit | undefined {
    this.refresh();
    if (this.current === "open") return undefined;
    if (this.current === "half_open") {
      if (this.probesInFlight + this.probesSucceeded >= this.config.half_open_max_probes) {
        return undefined;
      }
      this.probesInFlight++;
    }
    return this.permit(this.current === "half_open");
  }

  /** Closes the breaker and forgets every recorded call (e.g. after the model was reloaded). */
  reset(): void {
    this.window.clear();
    this.transition("closed", "reset");
  }

  private permit(probe: boolean): CircuitPermit {
    const period = this.period;
    const startedMs = this.clock();
    let settled = false;
    const settle = (outcome: "success" | "failure" | "release", durationMs?: number) => {
      if (settled) return;
      settled = true;
      if (period !== this.period) return;
      const duration = durationMs ?? this.clock() - startedMs;
      if (probe) this.settleProbe(outcome, duration);
      else if (outcome !== "release") this.recordClosed(outcome === "failure", duration);
    };
    return {
      probe,
      success: (durationMs) => settle("success", durationMs),
      failure: (durationMs) => settle("failure", durationMs),
      release: () => settle("release"),
    };
  }

  private recordClosed(failed: boolean, durationMs: number): void {
    this.window.record(failed, durationMs);
    if (this.window.size < this.config.minimum_requests) return;
    if (this.window.failureRate >= this.config.failure_rate_threshold) {
      this.open("failure_rate");
    } else if (this.window.quantileIsSlow(this.config.latency_quantile)) {
      this.open("latency");
    }
  }

  private settleProbe(outcome: "success" | "failure" | "release", durationMs: number): void {
    this.probesInFlight--;
    if (outcome === "release") return;
    if (outcome === "failure" || this.window.isSlow(durationMs)) {
      this.open("probe_failed");
      return;
    }
    this.probesSucceeded++;
    if (this.probesSucceeded >= this.config.half_open_max_probes) {
      this.transition("closed", "probes_succeeded");
    }
  }

  private open(reason: CircuitTransitionReason): void {
    this.openedAtMs = this.clock();
    this.transition("open", reason);
  }

  private refresh(): void {
    if (this.current === "open" && this.clock() - this.openedAtMs >= this.config.open_duration_ms) {
      this.transition("half_open", "open_duration_elapsed");
    }
  }

  private transition(to: CircuitState, reason: CircuitTransitionReason): void {
    const from = this.current;
    this.period++;
    this.current = to;
    this.probesInFlight = 0;
    this.probesSucceeded = 0;
    if (to === "closed") this.window.clear();
    if (from === to && reason === "reset") return;
    const change: CircuitStateChange = { model: this.model, from, to, reason, atMs: this.clock() };
    for (const listener of this.listeners) listener(change);
  }
}
