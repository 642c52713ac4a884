import type { CustomResourceArgs } from "@pulumi/kubernetes/apiextensions";
import type { ConfigMapArgs } from "@pulumi/kubernetes/core/v1";
import { HybridAiConfigError } from "../../errors";
import { assertWholeNumber } from "../../validate";
import {
  type DashboardPanel,
  grafanaDashboard,
  planDashboard,
  type ServingDashboard,
} from "../onnx-service/dashboard-plan";
import { type AlertRule, planAlertRules } from "../onnx-service/prometheus-rule-plan";
import { decimal } from "../onnx-service/rollout-analysis-plan";
import type { LlmAlerts } from "./llm-service-args";

/** vLLM's metrics the rules, dashboard, scaling and rollout analysis read (docs/llm-serving.md). */
export const VLLM_METRICS = {
  waiting: "vllm:num_requests_waiting",
  running: "vllm:num_requests_running",
  kvCacheUsage: "vllm:kv_cache_usage_perc",
  promptTokens: "vllm:prompt_tokens_total",
  generationTokens: "vllm:generation_tokens_total",
  requestSuccess: "vllm:request_success_total",
  timeToFirstToken: "vllm:time_to_first_token_seconds",
  interTokenLatency: "vllm:inter_token_latency_seconds",
  queueTime: "vllm:request_queue_time_seconds",
  e2eLatency: "vllm:e2e_request_latency_seconds",
  /** prometheus-fastapi-instrumentator's request counter (`status` grouped as `2xx`…`5xx`). */
  httpRequests: "http_requests_total",
} as const;

/** The alert thresholds after defaults. */
export type ResolvedLlmAlerts = Required<Omit<LlmAlerts, "labels" | "enabled">> & {
  labels: Record<string, string>;
};

/** Defaults of {@link LlmAlerts}. */
export const DEFAULT_LLM_ALERTS: Omit<ResolvedLlmAlerts, "labels"> = {
  maxErrorRatio: 0.05,
  maxTimeToFirstTokenMs: 5000,
  maxWaitingRequests: 20,
  maxKvCacheUsage: 0.95,
  window: "5m",
};

/** What the rules and panels are about. */
export interface LlmMonitoringTarget {
  /** Service name. */
  name: string;
  /** Namespace. */
  namespace: string;
  /** `--served-model-name`, vLLM's `model_name` label. */
  servedName: string;
  /** Labels of the objects. */
  labels: Record<string, string>;
}

const WINDOW = /^[1-9]\d{0,3}(s|m|h)$/;

function share(component: string, field: string, value: unknown): void {
  if (typeof value !== "number" || !Number.isFinite(value) || value <= 0 || value > 1) {
    throw new HybridAiConfigError(component, field, value, "a share above 0 and at most 1");
  }
}

/** Applies the defaults to `alerts` and validates them, naming the field. */
export function checkLlmAlerts(
  component: string,
  alerts: LlmAlerts,
  monitorLabels: Record<string, string>,
): ResolvedLlmAlerts {
  const resolved: ResolvedLlmAlerts = {
    ...DEFAULT_LLM_ALERTS,
    ...Object.fromEntries(
      Object.entries(alerts).filter(([key, value]) => key !== "enabled" && value !== undefined),
    ),
    labels: alerts.labels ?? monitorLabels,
  };
  share(component, "alerts.maxErrorRatio", resolved.maxErrorRatio);
  share(component, "alerts.maxKvCacheUsage", resolved.maxKvCacheUsage);
  const ttft = resolved.maxTimeToFirstTokenMs;
  if (typeof ttft !== "number" || !Number.isFinite(ttft) || ttft <= 0 || ttft > 3_600_000) {
    throw new HybridAiConfigError(
      component,
      "alerts.maxTimeToFirstTokenMs",
      ttft,
      "milliseconds above 0 and at most 3600000",
    );
  }
  assertWholeNumber(
    component,
    "alerts.maxWaitingRequests",
    resolved.maxWaitingRequests,
    1,
    undefined,
    "a whole number of requests, at least 1",
  );
  if (typeof resolved.window !== "string" || !WINDOW.test(resolved.window)) {
    throw new HybridAiConfigError(
      component,
      "alerts.window",
      resolved.window,
      'a PromQL duration such as "5m"',
    );
  }
  return resolved;
}

/** Matchers of vLLM's series of the model in the namespace. */
function modelSeries(target: LlmMonitoringTarget): string {
  return `namespace="${target.namespace}",model_name="${target.servedName}"`;
}

/** Matchers of the HTTP series of the service's pods (stable Service, or the rollout's metrics Service). */
function httpSeries(target: LlmMonitoringTarget): string {
  return `namespace="${target.namespace}",service=~"${target.name}|${target.name}-metrics"`;
}

/**
 * The alerting rules of a vLLM service:
 *
 * - `VllmHighErrorRatio` (critical, 5 m): 5xx answers over all HTTP requests.
 * - `VllmSlowTimeToFirstToken` (warning, 10 m): p99 of `vllm:time_to_first_token_seconds`.
 * - `VllmRequestsQueued` (warning, 10 m): the longest queue of any pod.
 * - `VllmKvCacheFull` (warning, 10 m): the fullest KV cache of any pod (requests are preempted).
 */
export function llmAlertRules(target: LlmMonitoringTarget, alerts: ResolvedLlmAlerts): AlertRule[] {
  const m = modelSeries(target);
  const h = httpSeries(target);
  const w = alerts.window;
  const where = `model ${target.servedName} in ${target.namespace}`;
  return [
    {
      alert: "VllmHighErrorRatio",
      expr: `sum(rate(${VLLM_METRICS.httpRequests}{${h},status="5xx"}[${w}])) / sum(rate(${VLLM_METRICS.httpRequests}{${h}}[${w}])) > ${decimal(alerts.maxErrorRatio)}`,
      for: "5m",
      labels: { severity: "critical" },
      annotations: {
        summary: `Requests to ${where} are failing`,
        description: `{{ $value | humanizePercentage }} of HTTP requests were answered 5xx over ${w} (threshold ${alerts.maxErrorRatio}).`,
      },
    },
    {
      alert: "VllmSlowTimeToFirstToken",
      expr: `histogram_quantile(0.99, sum by (le) (rate(${VLLM_METRICS.timeToFirstToken}_bucket{${m}}[${w}]))) > ${decimal(alerts.maxTimeToFirstTokenMs / 1000)}`,
      for: "10m",
      labels: { severity: "warning" },
      annotations: {
        summary: `Time to first token of ${where} is high`,
        description: `p99 time to first token is {{ $value | humanizeDuration }} over ${w} (threshold ${alerts.maxTimeToFirstTokenMs} ms).`,
      },
    },
    {
      alert: "VllmRequestsQueued",
      expr: `max(${VLLM_METRICS.waiting}{${m}}) > ${alerts.maxWaitingRequests}`,
      for: "10m",
      labels: { severity: "warning" },
      annotations: {
        summary: `Requests to ${where} are queueing`,
        description: `A pod has {{ $value }} requests waiting (threshold ${alerts.maxWaitingRequests}): add replicas or raise autoscaling.maxReplicas.`,
      },
    },
    {
      alert: "VllmKvCacheFull",
      expr: `max(${VLLM_METRICS.kvCacheUsage}{${m}}) > ${decimal(alerts.maxKvCacheUsage)}`,
      for: "10m",
      labels: { severity: "warning" },
      annotations: {
        summary: `The KV cache of ${where} is nearly full`,
        description: `KV-cache usage is {{ $value | humanizePercentage }} (threshold ${alerts.maxKvCacheUsage}): requests get preempted and recomputed.`,
      },
    },
  ];
}

/**
 * The panels of a vLLM service's dashboard: tokens per second, requests by finish reason, HTTP
 * error ratio, time to first token, inter-token latency, end-to-end latency, queue time,
 * running and waiting requests, KV-cache usage. Fixed `[5m]` windows.
 */
export function llmDashboardPanels(
  target: LlmMonitoringTarget,
  alerts: Pick<
    ResolvedLlmAlerts,
    "maxErrorRatio" | "maxTimeToFirstTokenMs" | "maxWaitingRequests" | "maxKvCacheUsage"
  >,
): DashboardPanel[] {
  const m = modelSeries(target);
  const h = httpSeries(target);
  const rate = (metric: string, selector = m) => `rate(${metric}{${selector}}[5m])`;
  const quantile = (q: number, metric: string) =>
    `histogram_quantile(${q}, sum by (le) (${rate(`${metric}_bucket`)}))`;
  const percentiles = (metric: string) => [
    { expr: quantile(0.5, metric), legend: "p50" },
    { expr: quantile(0.99, metric), legend: "p99" },
  ];
  return [
    {
      title: "Tokens per second",
      unit: "short",
      description: "Prompt tokens processed and tokens generated per second, all pods.",
      queries: [
        { expr: `sum(${rate(VLLM_METRICS.generationTokens)})`, legend: "generated" },
        { expr: `sum(${rate(VLLM_METRICS.promptTokens)})`, legend: "prompt" },
      ],
    },
    {
      title: "Finished requests per second",
      unit: "reqps",
      description: "Requests vLLM finished, by finish reason (stop, length, abort).",
      queries: [
        {
          expr: `sum by (finished_reason) (${rate(VLLM_METRICS.requestSuccess)})`,
          legend: "{{finished_reason}}",
        },
      ],
    },
    {
      title: "HTTP error ratio",
      unit: "percentunit",
      threshold: alerts.maxErrorRatio,
      description:
        "5xx answers over all HTTP requests; the line is the VllmHighErrorRatio threshold.",
      queries: [
        {
          expr: `sum(${rate(VLLM_METRICS.httpRequests, `${h},status="5xx"`)}) / sum(${rate(VLLM_METRICS.httpRequests, h)})`,
          legend: "5xx ratio",
        },
      ],
    },
    {
      title: "Time to first token",
      unit: "s",
      threshold: alerts.maxTimeToFirstTokenMs / 1000,
      description:
        "p50 and p99 of vllm:time_to_first_token_seconds; the line is the VllmSlowTimeToFirstToken threshold.",
      queries: percentiles(VLLM_METRICS.timeToFirstToken),
    },
    {
      title: "Inter-token latency",
      unit: "s",
      description: "p50 and p99 of the time between two generated tokens.",
      queries: percentiles(VLLM_METRICS.interTokenLatency),
    },
    {
      title: "End-to-end request latency",
      unit: "s",
      description: "p50 and p99 from arrival to the last token.",
      queries: percentiles(VLLM_METRICS.e2eLatency),
    },
    {
      title: "Queue time",
      unit: "s",
      description: "p50 and p99 of the time requests waited for a batch slot.",
      queries: percentiles(VLLM_METRICS.queueTime),
    },
    {
      title: "Running and waiting requests",
      unit: "short",
      threshold: alerts.maxWaitingRequests,
      description:
        "Requests in the batch and waiting for it, per pod; the line is the VllmRequestsQueued threshold.",
      queries: [
        { expr: `sum by (pod) (${VLLM_METRICS.running}{${m}})`, legend: "running {{pod}}" },
        { expr: `sum by (pod) (${VLLM_METRICS.waiting}{${m}})`, legend: "waiting {{pod}}" },
      ],
    },
    {
      title: "KV-cache usage",
      unit: "percentunit",
      threshold: alerts.maxKvCacheUsage,
      description:
        "Share of KV-cache blocks in use, per pod; the line is the VllmKvCacheFull threshold.",
      queries: [{ expr: `max by (pod) (${VLLM_METRICS.kvCacheUsage}{${m}})`, legend: "{{pod}}" }],
    },
  ];
}

/** Alerting rules and dashboard of a vLLM service, each when turned on. */
export interface LlmMonitoringPlan {
  /** monitoring.coreos.com/v1 PrometheusRule. */
  alertRules?: CustomResourceArgs;
  /** The Grafana dashboard ConfigMap. */
  dashboard?: ConfigMapArgs;
}

/**
 * The PrometheusRule and Grafana dashboard of a vLLM service: both on by default with a
 * ServiceMonitor, each turned off by `enabled: false`; asking for either without a
 * ServiceMonitor is refused.
 */
export function planLlmMonitoring(
  component: string,
  target: LlmMonitoringTarget,
  args: {
    alerts?: LlmAlerts;
    dashboard?: ServingDashboard;
    serviceMonitor?: { labels?: Record<string, string> };
  },
): LlmMonitoringPlan {
  for (const field of ["alerts", "dashboard"] as const) {
    if (args[field] && args[field].enabled !== false && !args.serviceMonitor) {
      throw new HybridAiConfigError(
        component,
        field,
        "set without serviceMonitor",
        `a serviceMonitor too: the ${field === "alerts" ? "rules" : "dashboard"} read the metrics Prometheus scrapes through it; or leave ${field} out`,
      );
    }
  }
  if (!args.serviceMonitor) return {};
  const alerts = checkLlmAlerts(component, args.alerts ?? {}, args.serviceMonitor.labels ?? {});
  const model = grafanaDashboard(
    {
      namespace: target.namespace,
      name: target.name,
      description: `Model ${target.servedName} served by vLLM (LlmService ${target.name})`,
      tags: ["hybridai", "inference", "vllm"],
    },
    llmDashboardPanels(target, alerts),
  );
  const ruleTarget = { ...target, modelName: target.servedName };
  return {
    ...(args.alerts?.enabled !== false
      ? { alertRules: planAlertRules(ruleTarget, alerts, llmAlertRules(target, alerts)) }
      : {}),
    ...(args.dashboard?.enabled !== false
      ? { dashboard: planDashboard(component, target, args.dashboard ?? {}, model) }
      : {}),
  };
}
