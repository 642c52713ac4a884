import type { CustomResourceArgs } from "@pulumi/kubernetes/apiextensions";

/** The pod label Argo Rollouts puts on each version's pods (and into the stable and canary Services' selectors). */
export const ROLLOUT_HASH_LABEL = "rollouts-pod-template-hash";

/** {@link ROLLOUT_HASH_LABEL} as Prometheus names it once a ServiceMonitor copies it onto the series (`podTargetLabels`). */
export const ROLLOUT_HASH_METRIC_LABEL = "rollouts_pod_template_hash";

/** The AnalysisTemplate argument carrying the canary's pod-template hash. */
export const CANARY_HASH_ARG = "canary-hash";

/**
 * The serving runtime's metrics the analysis reads: Triton's request counters, the runtime's
 * request-duration histogram and its shadow comparison counters (issue 17, item 1), all labelled
 * `model` and `version`.
 */
export const ROLLOUT_METRICS = {
  success: "nv_inference_request_success",
  failure: "nv_inference_request_failure",
  durationUs: "nv_inference_request_duration_us",
  durationBuckets: "hybridai_request_duration_seconds_bucket",
  shadowRequests: "hybridai_shadow_requests_total",
  shadowDisagreements: "hybridai_shadow_disagreement_total",
} as const;

/** What one rollout's analysis judges, already validated. */
export interface RolloutAnalysisSpec {
  /** AnalysisTemplate name. */
  name: string;
  /** Namespace of the template and of the pods it measures. */
  namespace: string;
  /** Labels of the template. */
  labels: Record<string, string>;
  /** The model name the runtime labels its metrics with. */
  modelName: string;
  /** The window each measurement covers, a PromQL duration such as `5m`. */
  window: string;
  /** Prometheus URL. */
  prometheusUrl: string;
  /** Highest failed-request share, 0–1. */
  maxErrorRate: number;
  /** Highest mean latency in milliseconds, when checked. */
  maxMeanLatencyMs?: number;
  /** Highest 99th-percentile latency in milliseconds, when checked. */
  maxP99Ms?: number;
  /** Highest shadow disagreement share, 0–1, when checked. */
  maxShadowDisagreement?: number;
  /** The checks to run instead of the serving runtime's {@link rolloutChecks} (another server's metrics). */
  checks?: RolloutCheck[];
}

/** One metric of the AnalysisTemplate: its name, PromQL query and upper bound. */
export interface RolloutCheck {
  /** Metric name in the AnalysisRun (`kubectl argo rollouts get rollout` shows it). */
  name: string;
  /** The PromQL query; `{{args.canary-hash}}` is filled in by Argo Rollouts. */
  query: string;
  /** The measurement passes at or below this value and fails above it. */
  max: number;
}

/** A number as a plain decimal (the condition language has no exponent notation). */
export function decimal(value: number): string {
  const text = String(value);
  return text.includes("e") ? value.toFixed(12).replace(/0+$/, "").replace(/\.$/, "") : text;
}

/**
 * The per-second rate of a counter summed over the canary's pods, or 0 when the counter has no
 * series yet (prom-client creates a labelled series on its first increment, so a canary that has
 * never failed has no failure series at all).
 */
function canaryRate(metric: string, spec: RolloutAnalysisSpec): string {
  return `(sum(rate(${metric}{${canarySelector(spec)}}[${spec.window}])) or vector(0))`;
}

/** The label matchers of the canary pods' series of the model. */
function canarySelector(spec: RolloutAnalysisSpec): string {
  return [
    `namespace="${spec.namespace}"`,
    `model="${spec.modelName}"`,
    `${ROLLOUT_HASH_METRIC_LABEL}="{{args.${CANARY_HASH_ARG}}}"`,
  ].join(",");
}

/**
 * The canary's 99th-percentile request latency over the window in milliseconds, interpolated
 * within the histogram's buckets by `histogram_quantile`; NaN when the canary served nothing in
 * the window (every bucket's rate 0) or has no series yet (`or vector(NaN)`).
 */
function canaryP99Ms(spec: RolloutAnalysisSpec): string {
  const buckets = `rate(${ROLLOUT_METRICS.durationBuckets}{${canarySelector(spec)}}[${spec.window}])`;
  return `((histogram_quantile(0.99, sum by (le) (${buckets})) * 1000) or vector(NaN))`;
}

/**
 * The checks of a rollout, as PromQL over the canary pods' own series. Each query returns one
 * sample: a ratio whose denominator is 0 (no requests in the window) is NaN, which neither
 * passes nor fails: the measurement is inconclusive and Argo Rollouts pauses the rollout.
 *
 * - `error-rate`: failed requests over all requests.
 * - `mean-latency-ms`: the runtime's cumulative request time (microseconds, a counter as in
 *   Triton, counting failed requests too) over all requests, in milliseconds.
 * - `p99-latency-ms`: the 99th percentile of the runtime's request-duration histogram
 *   (`hybridai_request_duration_seconds`, failed requests included), in milliseconds.
 * - `shadow-disagreement`: disagreeing shadow comparisons over shadow comparisons.
 */
export function rolloutChecks(spec: RolloutAnalysisSpec): RolloutCheck[] {
  const failures = canaryRate(ROLLOUT_METRICS.failure, spec);
  const requests = `(${canaryRate(ROLLOUT_METRICS.success, spec)} + ${failures})`;
  const checks: RolloutCheck[] = [
    { name: "error-rate", query: `${failures} / ${requests}`, max: spec.maxErrorRate },
  ];
  if (spec.maxMeanLatencyMs !== undefined) {
    checks.push({
      name: "mean-latency-ms",
      query: `${canaryRate(ROLLOUT_METRICS.durationUs, spec)} / ${requests} / 1000`,
      max: spec.maxMeanLatencyMs,
    });
  }
  if (spec.maxP99Ms !== undefined) {
    checks.push({ name: "p99-latency-ms", query: canaryP99Ms(spec), max: spec.maxP99Ms });
  }
  if (spec.maxShadowDisagreement !== undefined) {
    checks.push({
      name: "shadow-disagreement",
      query: `${canaryRate(ROLLOUT_METRICS.shadowDisagreements, spec)} / ${canaryRate(ROLLOUT_METRICS.shadowRequests, spec)}`,
      max: spec.maxShadowDisagreement,
    });
  }
  return checks;
}

/**
 * The Argo Rollouts AnalysisTemplate a rollout runs after each step (`spec.checks`, or the
 * serving runtime's {@link rolloutChecks}): one measurement per check
 * (`count: 1`), failing the run on the first failure (`failureLimit: 0`), so a bad canary is
 * aborted at the end of the step that showed it.
 */
export function planRolloutAnalysis(spec: RolloutAnalysisSpec): CustomResourceArgs {
  return {
    apiVersion: "argoproj.io/v1alpha1",
    kind: "AnalysisTemplate",
    metadata: { name: spec.name, namespace: spec.namespace, labels: spec.labels },
    spec: {
      args: [{ name: CANARY_HASH_ARG }],
      metrics: (spec.checks ?? rolloutChecks(spec)).map((check) => ({
        name: check.name,
        count: 1,
        failureLimit: 0,
        successCondition: `result[0] <= ${decimal(check.max)}`,
        failureCondition: `result[0] > ${decimal(check.max)}`,
        provider: { prometheus: { address: spec.prometheusUrl, query: check.query } },
      })),
    },
  };
}
