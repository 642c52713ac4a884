import type { ConfigMapArgs } from "@pulumi/kubernetes/core/v1";
import { HybridAiConfigError } from "../../errors";
import { assertNamespace } from "../validate";
import { modelSelector, type ResolvedAlerts } from "./prometheus-rule-plan";

/** The label the Grafana sidecar (Grafana's Helm chart, kube-prometheus-stack) loads dashboards by. */
export const GRAFANA_DASHBOARD_LABEL = "grafana_dashboard";

/** The annotation that puts a sidecar-loaded dashboard in a folder (`sidecar.dashboards.folderAnnotation`). */
export const GRAFANA_FOLDER_ANNOTATION = "grafana_folder";

/** The Grafana dashboard `OnnxService` ships, as a ConfigMap for the Grafana sidecar. */
export interface ServingDashboard {
  /** Ship the dashboard ConfigMap. Default `true` (with a ServiceMonitor); `false` turns it off. */
  enabled?: boolean;
  /**
   * Namespace of the ConfigMap: one the sidecar watches (`sidecar.dashboards.searchNamespace`;
   * kube-prometheus-stack watches its own namespace unless set to `ALL`). Default: the
   * service's namespace.
   */
  namespace?: string;
  /** Extra labels of the ConfigMap. */
  labels?: Record<string, string>;
  /** Grafana folder, as the `grafana_folder` annotation (the sidecar's `folderAnnotation` must name it). Default: none. */
  folder?: string;
}

/** What the dashboard shows: the service's model in its namespace. */
export interface DashboardTarget {
  /** Service name (the ConfigMap is `<name>-dashboard`). */
  name: string;
  /** The service's namespace. */
  namespace: string;
  /** The model name the runtime labels its metrics with. */
  modelName: string;
  /** Labels of the service's objects. */
  labels: Record<string, string>;
  /** Alert thresholds, drawn as lines on their panels. */
  alerts: Pick<ResolvedAlerts, "maxErrorRatio" | "maxP99Ms" | "maxQueueFill" | "maxDriftPsi">;
}

/** One query of a panel. */
export interface DashboardQuery {
  /** PromQL. */
  expr: string;
  /** Series name shown in the legend (Grafana's `{{label}}` templating). */
  legend: string;
}

/** One panel: a time series chart. */
export interface DashboardPanel {
  /** Title. */
  title: string;
  /** Grafana unit, e.g. `reqps`, `s`, `percentunit`. */
  unit: string;
  /** What it draws. */
  queries: DashboardQuery[];
  /** A threshold drawn as a red line, when the panel has one. */
  threshold?: number;
  /** What the panel shows, as its description. */
  description: string;
}

/** The PromQL helpers every panel group builds its queries with. */
interface PanelQueries {
  /** The model's series: `namespace` and `model` matchers. */
  s: string;
  /** The service's pods, by Service (stable and, under a rollout, metrics). */
  pods: string;
  /** `rate(<metric>{<selector>}[5m])`. */
  rate: (metric: string, selector?: string) => string;
  /** A histogram quantile over `<metric>_bucket`, summed by `le` and `by`. */
  quantile: (q: number, metric: string, by: string) => string;
}

/** Traffic, errors, latency, queueing and batching, by version. */
function trafficPanels(
  { s, rate, quantile }: PanelQueries,
  target: DashboardTarget,
): DashboardPanel[] {
  return [
    {
      title: "Requests per second",
      unit: "reqps",
      description: "Successful requests by version, failed requests by reason.",
      queries: [
        {
          expr: `sum by (version) (${rate("nv_inference_request_success")})`,
          legend: "ok v{{version}}",
        },
        {
          expr: `sum by (reason) (${rate("nv_inference_request_failure")})`,
          legend: "failed {{reason}}",
        },
      ],
    },
    {
      title: "Error ratio",
      unit: "percentunit",
      threshold: target.alerts.maxErrorRatio,
      description: "Failed over all requests; the line is the HybridaiHighErrorRatio threshold.",
      queries: [
        {
          expr: `sum(${rate("nv_inference_request_failure")}) / (sum(${rate("nv_inference_request_success")}) + sum(${rate("nv_inference_request_failure")}))`,
          legend: "error ratio",
        },
      ],
    },
    {
      title: "Request latency",
      unit: "s",
      threshold: target.alerts.maxP99Ms / 1000,
      description:
        "p50 and p99 of hybridai_request_duration_seconds by version; the line is the HybridaiHighP99Latency threshold.",
      queries: [
        {
          expr: quantile(0.5, "hybridai_request_duration_seconds", "version"),
          legend: "p50 v{{version}}",
        },
        {
          expr: quantile(0.99, "hybridai_request_duration_seconds", "version"),
          legend: "p99 v{{version}}",
        },
      ],
    },
    {
      title: "Queue fill",
      unit: "percentunit",
      threshold: target.alerts.maxQueueFill,
      description:
        "Requests queued or executing over the queue's size, per pod and version; the line is the HybridaiQueueSaturated threshold.",
      queries: [
        {
          expr: `max by (pod, version) (nv_inference_pending_request_count{${s}} / hybridai_queue_capacity{${s}})`,
          legend: "{{pod}} v{{version}}",
        },
      ],
    },
    {
      title: "Items per execution and queue wait",
      unit: "short",
      description:
        "Dynamic batching at work: inferences per model execution, and the mean queue wait in ms.",
      queries: [
        {
          expr: `sum(${rate("nv_inference_count")}) / sum(${rate("nv_inference_exec_count")})`,
          legend: "items per execution",
        },
        {
          expr: `sum(${rate("nv_inference_queue_duration_us")}) / sum(${rate("nv_inference_request_success")}) / 1000`,
          legend: "queue wait ms",
        },
      ],
    },
  ];
}

/** What the model answers: the response cache, input drift and output distributions. */
function modelPanels(
  { s, rate, quantile }: PanelQueries,
  target: DashboardTarget,
): DashboardPanel[] {
  return [
    {
      title: "Response cache hit ratio",
      unit: "percentunit",
      description: "Hits over lookups, for models with response_cache enabled.",
      queries: [
        {
          expr: `sum(${rate("nv_cache_num_hits_per_model")}) / (sum(${rate("nv_cache_num_hits_per_model")}) + sum(${rate("nv_cache_num_misses_per_model")}))`,
          legend: "hit ratio",
        },
      ],
    },
    {
      title: "Input drift (PSI against baseline.json)",
      unit: "short",
      threshold: target.alerts.maxDriftPsi,
      description:
        "Population stability index of each input's last rows against its baseline; the line is the HybridaiInputDrift threshold.",
      queries: [
        {
          expr: `max by (input, version) (hybridai_input_drift_psi{${s}})`,
          legend: "{{input}} v{{version}}",
        },
      ],
    },
    {
      title: "Top-1 score",
      unit: "percentunit",
      description:
        "Median and 10th percentile of the top-1 score of class-score outputs, by version: a new version whose confidence shifted shows here.",
      queries: [
        {
          expr: quantile(0.5, "hybridai_output_top1_score", "version, output"),
          legend: "median {{output}} v{{version}}",
        },
        {
          expr: quantile(0.1, "hybridai_output_top1_score", "version, output"),
          legend: "p10 {{output}} v{{version}}",
        },
      ],
    },
    {
      title: "Regression outputs",
      unit: "short",
      description: "Mean and median of regression output values, by version.",
      queries: [
        {
          expr: `sum by (version, output) (${rate("hybridai_output_value_sum")}) / sum by (version, output) (${rate("hybridai_output_value_count")})`,
          legend: "mean {{output}} v{{version}}",
        },
        {
          expr: quantile(0.5, "hybridai_output_value", "version, output"),
          legend: "median {{output}} v{{version}}",
        },
      ],
    },
  ];
}

/**
 * Resilience and access: breaker and fallback, per-client traffic and quotas, the audit log.
 */
function guardPanels({ s, pods, rate }: PanelQueries): DashboardPanel[] {
  return [
    {
      title: "Circuit breaker and fallback",
      unit: "short",
      description:
        "Breaker states of the worst pod (0 closed, 1 open, 2 half-open), requests per second answered by the fallback model, and requests forwarded to the remote fallback endpoint by result.",
      queries: [
        { expr: `max(hybridai_circuit_breaker_state{${s}})`, legend: "breaker state" },
        {
          expr: `sum by (fallback_model, trigger) (${rate("hybridai_fallback_requests_total")})`,
          legend: "fallback {{fallback_model}} ({{trigger}})",
        },
        {
          expr: `sum by (trigger, result) (${rate("hybridai_fallback_endpoint_requests_total")})`,
          legend: "remote endpoint {{result}} ({{trigger}})",
        },
        {
          expr: `max(hybridai_fallback_endpoint_circuit_breaker_state{${s}})`,
          legend: "remote endpoint breaker state",
        },
      ],
    },
    {
      title: "Requests per client",
      unit: "reqps",
      description:
        "Per named client of the tokens file: admitted requests and refusals (rate_limited, quota_exhausted, forbidden).",
      queries: [
        {
          expr: `sum by (client, outcome) (${rate("hybridai_client_requests_total")})`,
          legend: "{{client}} {{outcome}}",
        },
      ],
    },
    {
      title: "Daily quota left",
      unit: "short",
      description:
        "Requests left in each client's daily quota, lowest over the pods (quotas count per pod).",
      queries: [
        {
          expr: `min by (client) (hybridai_client_quota_remaining{${pods}})`,
          legend: "{{client}}",
        },
      ],
    },
    {
      title: "Audit log",
      unit: "short",
      description:
        "Audit records written and dropped per second (drops mean the log's buffer was full).",
      queries: [
        { expr: `sum(${rate("hybridai_audit_records_total", pods)})`, legend: "written" },
        { expr: `sum(${rate("hybridai_audit_dropped_total", pods)})`, legend: "dropped" },
      ],
    },
  ];
}

/**
 * The panels of a service's dashboard, over the runtime's metrics of its model: traffic, errors,
 * latency percentiles and queueing by version, batching, the response cache, input drift,
 * output distributions, breaker and fallback, per-client traffic and quotas, and the audit log.
 * Every query uses a fixed `[5m]` window so that it parses as plain PromQL.
 */
export function dashboardPanels(target: DashboardTarget): DashboardPanel[] {
  const s = modelSelector(target.namespace, target.modelName);
  const pods = `namespace="${target.namespace}",service=~"${target.name}|${target.name}-metrics"`;
  const rate = (metric: string, selector = s) => `rate(${metric}{${selector}}[5m])`;
  const quantile = (q: number, metric: string, by: string) =>
    `histogram_quantile(${q}, sum by (le, ${by}) (${rate(`${metric}_bucket`)}))`;
  const queries: PanelQueries = { s, pods, rate, quantile };
  return [
    ...trafficPanels(queries, target),
    ...modelPanels(queries, target),
    ...guardPanels(queries),
  ];
}

/** The panels' data source: the dashboard's `datasource` variable (any Prometheus). */
// biome-ignore lint/suspicious/noTemplateCurlyInString: Grafana's variable syntax, read by Grafana
const DATASOURCE = { type: "prometheus", uid: "${datasource}" };

/** A Grafana dashboard uid: at most 40 characters of letters, digits, `-` and `_`. */
function dashboardUid(namespace: string, name: string): string {
  const uid = `hybridai-${namespace}-${name}`;
  return uid.length <= 40 ? uid : uid.slice(0, 40);
}

/** What a dashboard is titled and tagged as, apart from its panels. */
export interface DashboardMeta {
  /** The service's namespace. */
  namespace: string;
  /** The service's name. */
  name: string;
  /** The dashboard's description. */
  description: string;
  /** Grafana tags. */
  tags: string[];
}

/**
 * A Grafana dashboard (JSON model) of `panels`, two a row, each with its threshold line, over
 * the dashboard's `datasource` variable; uid and title name the service.
 */
export function grafanaDashboard(
  meta: DashboardMeta,
  panels: DashboardPanel[],
): Record<string, unknown> {
  const models = panels.map((panel, i) => ({
    id: i + 1,
    type: "timeseries",
    title: panel.title,
    description: panel.description,
    datasource: DATASOURCE,
    gridPos: { x: (i % 2) * 12, y: Math.floor(i / 2) * 8, w: 12, h: 8 },
    fieldConfig: {
      defaults: {
        unit: panel.unit,
        ...(panel.threshold !== undefined
          ? {
              custom: { thresholdsStyle: { mode: "line" } },
              thresholds: {
                mode: "absolute",
                steps: [
                  { color: "green", value: null },
                  { color: "red", value: panel.threshold },
                ],
              },
            }
          : {}),
      },
      overrides: [],
    },
    options: { legend: { displayMode: "list", placement: "bottom" } },
    targets: panel.queries.map((query, j) => ({
      refId: String.fromCharCode(65 + j),
      datasource: DATASOURCE,
      expr: query.expr,
      legendFormat: query.legend,
    })),
  }));
  return {
    uid: dashboardUid(meta.namespace, meta.name),
    title: `hybridai / ${meta.namespace} / ${meta.name}`,
    description: meta.description,
    tags: meta.tags,
    timezone: "browser",
    schemaVersion: 39,
    version: 1,
    editable: true,
    refresh: "30s",
    time: { from: "now-6h", to: "now" },
    templating: {
      list: [
        {
          name: "datasource",
          label: "Prometheus",
          type: "datasource",
          query: "prometheus",
          current: {},
          hide: 0,
        },
      ],
    },
    panels: models,
  };
}

/** The Grafana dashboard model (JSON) of a service. */
export function dashboardModel(target: DashboardTarget): Record<string, unknown> {
  return grafanaDashboard(
    {
      namespace: target.namespace,
      name: target.name,
      description: `Model ${target.modelName} served by hybridai-serve (OnnxService ${target.name})`,
      tags: ["hybridai", "inference"],
    },
    dashboardPanels(target),
  );
}

/**
 * The ConfigMap `<name>-dashboard` holding the service's dashboard, labelled
 * `grafana_dashboard: "1"` so the Grafana sidecar loads it: `model`, or the serving runtime's
 * {@link dashboardModel}. Throws {@link HybridAiConfigError}
 * for a bad namespace or folder.
 *
 * @param component component name for errors
 * @param target the service
 * @param dashboard the user's settings
 * @param model the dashboard's JSON model
 */
export function planDashboard(
  component: string,
  target: Pick<DashboardTarget, "name" | "namespace" | "labels"> & Partial<DashboardTarget>,
  dashboard: ServingDashboard,
  model: Record<string, unknown> = dashboardModel(target as DashboardTarget),
): ConfigMapArgs {
  const namespace = dashboard.namespace ?? target.namespace;
  assertNamespace(component, "dashboard.namespace", namespace);
  if (
    dashboard.folder !== undefined &&
    (typeof dashboard.folder !== "string" || dashboard.folder.trim() === "")
  ) {
    throw new HybridAiConfigError(
      component,
      "dashboard.folder",
      dashboard.folder,
      "a Grafana folder name",
    );
  }
  const key = `hybridai-${target.namespace}-${target.name}.json`;
  return {
    metadata: {
      name: `${target.name}-dashboard`,
      namespace,
      labels: { ...target.labels, ...dashboard.labels, [GRAFANA_DASHBOARD_LABEL]: "1" },
      ...(dashboard.folder
        ? { annotations: { [GRAFANA_FOLDER_ANNOTATION]: dashboard.folder } }
        : {}),
    },
    data: { [key]: `${JSON.stringify(model, null, 1)}\n` },
  };
}
