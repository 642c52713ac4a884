import type { CustomResourceArgs } from "@pulumi/kubernetes/apiextensions";
import { HybridAiConfigError } from "../../errors";
import { assertNamespace } from "../validate";
import { decimal } from "./rollout-analysis-plan";

/**
 * The alerting rules `OnnxService` ships (a Prometheus Operator PrometheusRule), with their
 * thresholds. Every threshold has a default; `false` turns the rules off.
 */
export interface ServingAlerts {
  /** Ship the PrometheusRule. Default `true` (with a ServiceMonitor); `false` turns it off. */
  enabled?: boolean;
  /**
   * Labels of the PrometheusRule, which your Prometheus selects rules by (`ruleSelector`).
   * Default: the ServiceMonitor's labels (kube-prometheus-stack selects both by `release`).
   */
  labels?: Record<string, string>;
  /** Failed share of requests (0–1) above which `HybridaiHighErrorRatio` fires. Default 0.05. */
  maxErrorRatio?: number;
  /** 99th-percentile request time in milliseconds above which `HybridaiHighP99Latency` fires. Default 1000. */
  maxP99Ms?: number;
  /**
   * Share (0–1) of a pod's queue in use (requests queued or executing over
   * `hybridai_queue_capacity`) above which `HybridaiQueueSaturated` fires. Default 0.8.
   */
  maxQueueFill?: number;
  /**
   * Population stability index of an input against its baseline above which
   * `HybridaiInputDrift` fires (0.1–0.25 is usually read as a moderate shift, above 0.25 as a
   * significant one). Default 0.25. Needs a `baseline.json` beside the model (`hybridai-serve profile`).
   */
  maxDriftPsi?: number;
  /**
   * Share of requests (0–1) answered by the fallback model or the remote fallback endpoint above
   * which `HybridaiHighFallbackRatio` fires. Default 0.1.
   */
  maxFallbackRatio?: number;
  /** The `rate()` window of the ratio and latency rules, `s`/`m`/`h`. Default `"5m"`. */
  window?: string;
}

/** The thresholds after defaults. */
export type ResolvedAlerts = Required<Omit<ServingAlerts, "labels" | "enabled">> & {
  labels: Record<string, string>;
};

/** Defaults of {@link ServingAlerts}. */
export const DEFAULT_ALERTS: Omit<ResolvedAlerts, "labels"> = {
  maxErrorRatio: 0.05,
  maxP99Ms: 1000,
  maxQueueFill: 0.8,
  maxDriftPsi: 0.25,
  maxFallbackRatio: 0.1,
  window: "5m",
};

/** One alerting rule as a PrometheusRule (and Prometheus's rule file) holds it. */
export interface AlertRule {
  /** Alert name. */
  alert: string;
  /** PromQL expression; the alert fires for each series it returns. */
  expr: string;
  /** How long the expression must hold before the alert fires. */
  for: string;
  /** Labels added to the alert. */
  labels: { severity: "warning" | "critical" };
  /** Summary and description, with Prometheus templating. */
  annotations: { summary: string; description: string };
}

/** What the rules are about: the service's namespace and model, and the objects' labels. */
export interface AlertTarget {
  /** PrometheusRule name (the service's name). */
  name: string;
  /** Namespace of the service and of the rule. */
  namespace: string;
  /** The model name the runtime labels its metrics with. */
  modelName: string;
  /** Labels of the service's objects. */
  labels: Record<string, string>;
}

const WINDOW = /^[1-9]\d{0,3}(s|m|h)$/;

function share(component: string, field: string, value: unknown): void {
  if (typeof value !== "number" || !Number.isFinite(value) || value <= 0 || value > 1) {
    throw new HybridAiConfigError(component, field, value, "a share above 0 and at most 1");
  }
}

/**
 * Applies the defaults to `alerts` and validates them; throws {@link HybridAiConfigError}
 * naming the field.
 *
 * @param component component name for errors
 * @param alerts the user's settings
 * @param monitorLabels the ServiceMonitor's labels (the default rule labels)
 */
export function checkAlerts(
  component: string,
  alerts: ServingAlerts,
  monitorLabels: Record<string, string>,
): ResolvedAlerts {
  const resolved: ResolvedAlerts = {
    ...DEFAULT_ALERTS,
    ...Object.fromEntries(
      Object.entries(alerts).filter(([key, value]) => key !== "enabled" && value !== undefined),
    ),
    labels: alerts.labels ?? monitorLabels,
  };
  share(component, "alerts.maxErrorRatio", resolved.maxErrorRatio);
  share(component, "alerts.maxQueueFill", resolved.maxQueueFill);
  share(component, "alerts.maxFallbackRatio", resolved.maxFallbackRatio);
  const p99 = resolved.maxP99Ms;
  if (typeof p99 !== "number" || !Number.isFinite(p99) || p99 <= 0 || p99 > 3_600_000) {
    throw new HybridAiConfigError(
      component,
      "alerts.maxP99Ms",
      p99,
      "milliseconds above 0 and at most 3600000 (the runtime's latency buckets end at 10 s: above that, the p99 reads as +Inf)",
    );
  }
  const psi = resolved.maxDriftPsi;
  if (typeof psi !== "number" || !Number.isFinite(psi) || psi <= 0 || psi > 10) {
    throw new HybridAiConfigError(
      component,
      "alerts.maxDriftPsi",
      psi,
      "a population stability index above 0 and at most 10, e.g. 0.25",
    );
  }
  if (typeof resolved.window !== "string" || !WINDOW.test(resolved.window)) {
    throw new HybridAiConfigError(
      component,
      "alerts.window",
      resolved.window,
      'a PromQL duration in s, m or h, e.g. "5m"',
    );
  }
  return resolved;
}

/** Label matchers of the model's series in the service's namespace. */
export function modelSelector(namespace: string, modelName: string): string {
  return `namespace="${namespace}",model="${modelName}"`;
}

/**
 * The alerting rules of a service, over the runtime's own metrics of its model (every pod and
 * version summed, or the worst pod for the queue):
 *
 * - `HybridaiHighErrorRatio` (critical, 5 m): failed over all requests.
 * - `HybridaiHighP99Latency` (warning, 10 m): `histogram_quantile(0.99, …)` of
 *   `hybridai_request_duration_seconds`.
 * - `HybridaiQueueSaturated` (warning, 5 m): the fullest queue of any pod and version,
 *   `nv_inference_pending_request_count / hybridai_queue_capacity`.
 * - `HybridaiInputDrift` (warning, 30 m): each input's PSI against its baseline.
 * - `HybridaiCircuitBreakerOpen` (critical, 1 m): a pod's breaker open.
 * - `HybridaiHighFallbackRatio` (warning, 10 m): requests answered by the fallback model or
 *   relayed from the remote fallback endpoint over all requests (`or vector(0)` keeps the sum
 *   when only one kind of fallback exists).
 *
 * A rule whose metric has no series yet (no failures, no baseline, no breaker) returns nothing
 * and stays silent.
 */
export function alertRules(target: AlertTarget, alerts: ResolvedAlerts): AlertRule[] {
  const s = modelSelector(target.namespace, target.modelName);
  const w = alerts.window;
  const where = `model ${target.modelName} in ${target.namespace}`;
  const requests = `(sum(rate(nv_inference_request_success{${s}}[${w}])) + sum(rate(nv_inference_request_failure{${s}}[${w}])))`;
  return [
    {
      alert: "HybridaiHighErrorRatio",
      expr: `sum(rate(nv_inference_request_failure{${s}}[${w}])) / ${requests} > ${decimal(alerts.maxErrorRatio)}`,
      for: "5m",
      labels: { severity: "critical" },
      annotations: {
        summary: `Inference requests of ${where} are failing`,
        description: `{{ $value | humanizePercentage }} of requests failed over ${w} (threshold ${alerts.maxErrorRatio}); see nv_inference_request_failure by reason.`,
      },
    },
    {
      alert: "HybridaiHighP99Latency",
      expr: `histogram_quantile(0.99, sum by (le) (rate(hybridai_request_duration_seconds_bucket{${s}}[${w}]))) > ${decimal(alerts.maxP99Ms / 1000)}`,
      for: "10m",
      labels: { severity: "warning" },
      annotations: {
        summary: `99th-percentile latency of ${where} is high`,
        description: `p99 request time is {{ $value | humanizeDuration }} over ${w} (threshold ${alerts.maxP99Ms} ms).`,
      },
    },
    {
      alert: "HybridaiQueueSaturated",
      expr: `max(nv_inference_pending_request_count{${s}} / hybridai_queue_capacity{${s}}) > ${decimal(alerts.maxQueueFill)}`,
      for: "5m",
      labels: { severity: "warning" },
      annotations: {
        summary: `A queue of ${where} is nearly full`,
        description: `The fullest pod queue is at {{ $value | humanizePercentage }} (threshold ${alerts.maxQueueFill}); requests beyond it get 503. Add replicas or capacity.`,
      },
    },
    {
      alert: "HybridaiInputDrift",
      expr: `max by (input) (hybridai_input_drift_psi{${s}}) > ${decimal(alerts.maxDriftPsi)}`,
      for: "30m",
      labels: { severity: "warning" },
      annotations: {
        summary: `Input {{ $labels.input }} of ${where} drifted from its baseline`,
        description: `Population stability index {{ $value }} (threshold ${alerts.maxDriftPsi}) against baseline.json: the traffic no longer looks like the data the baseline was profiled from.`,
      },
    },
    {
      alert: "HybridaiCircuitBreakerOpen",
      expr: `max(hybridai_circuit_breaker_state{${s}}) == 1`,
      for: "1m",
      labels: { severity: "critical" },
      annotations: {
        summary: `The circuit breaker of ${where} is open`,
        description:
          "Requests are refused (503) or answered by the fallback model after repeated failures or slow responses.",
      },
    },
    {
      alert: "HybridaiHighFallbackRatio",
      expr: `((sum(rate(hybridai_fallback_requests_total{${s}}[${w}])) or vector(0)) + (sum(rate(hybridai_fallback_endpoint_requests_total{${s},result="success"}[${w}])) or vector(0))) / ${requests} > ${decimal(alerts.maxFallbackRatio)}`,
      for: "10m",
      labels: { severity: "warning" },
      annotations: {
        summary: `The fallback model answers many requests of ${where}`,
        description: `{{ $value | humanizePercentage }} of requests were answered by the fallback model or endpoint over ${w} (threshold ${alerts.maxFallbackRatio}).`,
      },
    },
  ];
}

/**
 * The rules as a Prometheus rule file's `groups`, which `promtool check rules` reads too:
 * `rules`, or the serving runtime's {@link alertRules}.
 */
export function alertRuleGroups(
  target: AlertTarget,
  alerts: Pick<ResolvedAlerts, "labels">,
  rules: AlertRule[] = alertRules(target, alerts as ResolvedAlerts),
): { name: string; rules: AlertRule[] }[] {
  assertNamespace("alertRuleGroups", "namespace", target.namespace);
  return [{ name: `hybridai-${target.namespace}-${target.name}`, rules }];
}

/**
 * The monitoring.coreos.com/v1 PrometheusRule holding a service's alerting rules: `rules`, or
 * the serving runtime's {@link alertRules}.
 */
export function planAlertRules(
  target: AlertTarget,
  alerts: Pick<ResolvedAlerts, "labels">,
  rules?: AlertRule[],
): CustomResourceArgs {
  return {
    apiVersion: "monitoring.coreos.com/v1",
    kind: "PrometheusRule",
    metadata: {
      name: target.name,
      namespace: target.namespace,
      labels: { ...target.labels, ...alerts.labels },
    },
    spec: { groups: alertRuleGroups(target, alerts, rules) },
  };
}
