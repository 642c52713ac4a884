import { Counter, Histogram, type Registry } from "prom-client";

/** Why a sampled copy was not compared: the queue was full, or the shadow failed or timed out. */
export type ShadowDropReason = "queue_full" | "error" | "timeout";

/** Buckets of the max-absolute-difference histogram: exact agreement, float noise, real drift. */
export const DIFFERENCE_BUCKETS = [0, 1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 0.1, 1, 10, 100];

/** Buckets of the shadow latency histogram, in seconds. */
export const DURATION_BUCKETS = [
  0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
];

/**
 * The shadow comparison metrics, one set per registry. Counters are labelled with the primary
 * model's `model` and `version` (what the canary analysis of `OnnxService.rollout` queries).
 */
export class ShadowMetrics {
  /** Completed comparisons (a request counts once, whatever its number of outputs). */
  readonly requests: Counter<"model" | "version">;
  /** Compared requests with at least one disagreeing output. */
  readonly disagreements: Counter<"model" | "version">;
  /** Sampled copies not compared, by reason. */
  readonly dropped: Counter<"model" | "version" | "reason">;
  /** Max absolute difference of each compared numeric output. */
  readonly difference: Histogram<"model" | "version" | "output">;
  /** Time the shadow took to answer a copy. */
  readonly duration: Histogram<"model" | "version">;

  private constructor(registry: Registry) {
    const registers = [registry];
    this.requests = new Counter({
      name: "hybridai_shadow_requests_total",
      help: "Requests whose sampled copy ran on the shadow and was compared with the primary's answer",
      labelNames: ["model", "version"],
      registers,
    });
    this.disagreements = new Counter({
      name: "hybridai_shadow_disagreement_total",
      help: "Compared requests where the shadow disagreed on at least one output (values beyond shadow.tolerance, another top-1 class, another shape or datatype)",
      labelNames: ["model", "version"],
      registers,
    });
    this.dropped = new Counter({
      name: "hybridai_shadow_dropped_total",
      help: "Sampled copies not compared: queue_full (the shadow queue was full), error or timeout (the shadow did not answer)",
      labelNames: ["model", "version", "reason"],
      registers,
    });
    this.difference = new Histogram({
      name: "hybridai_shadow_max_abs_difference",
      help: "Largest absolute difference between the primary's and the shadow's elements, per compared numeric output",
      labelNames: ["model", "version", "output"],
      buckets: DIFFERENCE_BUCKETS,
      registers,
    });
    this.duration = new Histogram({
      name: "hybridai_shadow_duration_seconds",
      help: "Time the shadow took to answer a sampled copy, in seconds",
      labelNames: ["model", "version"],
      buckets: DURATION_BUCKETS,
      registers,
    });
  }

  private static readonly byRegistry = new WeakMap<Registry, ShadowMetrics>();

  /** The metrics registered in `registry`, created on first use. */
  static of(registry: Registry): ShadowMetrics {
    let metrics = ShadowMetrics.byRegistry.get(registry);
    if (!metrics) {
      metrics = new ShadowMetrics(registry);
      ShadowMetrics.byRegistry.set(registry, metrics);
    }
    return metrics;
  }
}
