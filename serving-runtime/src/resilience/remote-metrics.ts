import { Counter, Gauge, type Registry } from "prom-client";

/**
 * How a request forwarded to a remote fallback endpoint ended: `success` (relayed), `rejected`
 * (the endpoint answered 400 about the request itself, relayed as 400), `error` (no connection,
 * or any other status), `timeout`, `cancelled` (the client went away), or `circuit_open` (not
 * sent: the endpoint's breaker is open).
 */
export type RemoteFallbackResult =
  | "success"
  | "rejected"
  | "error"
  | "timeout"
  | "cancelled"
  | "circuit_open";

/** The metrics of remote fallback endpoints, one set per registry. */
export class RemoteFallbackMetrics {
  /** Requests forwarded (or refused by the breaker), by model, trigger and result. */
  readonly requests: Counter<"model" | "trigger" | "result">;
  /** The endpoint breaker's state per model (0 closed, 1 open, 2 half-open). */
  readonly breakerState: Gauge<"model">;

  private constructor(registry: Registry) {
    this.requests = new Counter({
      name: "hybridai_fallback_endpoint_requests_total",
      help: "Requests sent to a model's remote fallback endpoint (or refused by its circuit breaker), by model, trigger and result",
      labelNames: ["model", "trigger", "result"],
      registers: [registry],
    });
    this.breakerState = new Gauge({
      name: "hybridai_fallback_endpoint_circuit_breaker_state",
      help: "Circuit breaker state of each model's remote fallback endpoint: 0 closed, 1 open, 2 half-open",
      labelNames: ["model"],
      registers: [registry],
    });
  }

  private static readonly byRegistry = new WeakMap<Registry, RemoteFallbackMetrics>();

  /** The metrics registered in `registry`, created on first use. */
  static of(registry: Registry): RemoteFallbackMetrics {
    let metrics = RemoteFallbackMetrics.byRegistry.get(registry);
    if (!metrics) {
      metrics = new RemoteFallbackMetrics(registry);
      RemoteFallbackMetrics.byRegistry.set(registry, metrics);
    }
    return metrics;
  }
}
