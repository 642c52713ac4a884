import { Counter, Gauge, type Registry } from "prom-client";
import type { DegradedAction } from "./ensemble-result";

/**
 * How a call to a remote step ended: `success`, `rejected` (the endpoint answered 400),
 * `error` (no connection, another status, or an answer that does not fit), `timeout`,
 * `circuit_open` (not sent: the endpoint's breaker is open), `cancelled` (the request ended
 * first) or `not_called` (the request was itself forwarded by another runtime).
 */
export type RemoteStepResult =
  | "success"
  | "rejected"
  | "error"
  | "timeout"
  | "circuit_open"
  | "cancelled"
  | "not_called";

/** The metrics of ensembles beyond Triton's per-model ones, one set per registry. */
export class EnsembleMetrics {
  /** Ensemble requests answered without a step's own model, by ensemble, step and action. */
  readonly degradedSteps: Counter<"model" | "step" | "action">;
  /** Calls of remote steps, by ensemble, step and result. */
  readonly remoteCalls: Counter<"model" | "step" | "result">;
  /** The state of each remote step's endpoint breaker (0 closed, 1 open, 2 half-open). */
  readonly remoteBreakerState: Gauge<"model" | "step">;

  private constructor(registry: Registry) {
    const registers = [registry];
    this.degradedSteps = new Counter({
      name: "hybridai_ensemble_degraded_steps_total",
      help: "Ensemble requests answered without a step's own model, by ensemble (model), step and action (skipped: answered without the step's outputs; fallback_model: the step ran on its fallback model)",
      labelNames: ["model", "step", "action"],
      registers,
    });
    this.remoteCalls = new Counter({
      name: "hybridai_ensemble_remote_step_requests_total",
      help: "Calls of ensemble steps that run on a remote endpoint, by ensemble (model), step and result",
      labelNames: ["model", "step", "result"],
      registers,
    });
    this.remoteBreakerState = new Gauge({
      name: "hybridai_ensemble_remote_step_circuit_breaker_state",
      help: "Circuit breaker state of each remote ensemble step's endpoint: 0 closed, 1 open, 2 half-open",
      labelNames: ["model", "step"],
      registers,
    });
  }

  private static readonly byRegistry = new WeakMap<Registry, EnsembleMetrics>();

  /** The metrics registered in `registry`, created on first use. */
  static of(registry: Registry): EnsembleMetrics {
    let metrics = EnsembleMetrics.byRegistry.get(registry);
    if (!metrics) {
      metrics = new EnsembleMetrics(registry);
      EnsembleMetrics.byRegistry.set(registry, metrics);
    }
    return metrics;
  }

  /** Counts one degraded step of one request. */
  degraded(model: string, step: string, action: DegradedAction): void {
    this.degradedSteps.inc({ model, step, action });
  }
}
