import { kubernetes } from "pulumi-hybridai";
import { type PropertyMap, validateKubernetesObject } from "pulumi-hybridai/testing";
import { describe, expect, it } from "vitest";
import { configErrorOf } from "../../helpers/config-error";
import { parsePromQL } from "./promql";

const { planOnnxService } = kubernetes;
type Args = Parameters<typeof planOnnxService>[1];

const base: Args = {
  namespace: "serving",
  model: { uri: "s3://models-bucket/models/ranker", name: "ranker.v2" },
  serviceMonitor: { labels: { release: "kube-prometheus-stack" } },
};

interface Rule {
  alert: string;
  expr: string;
  for: string;
  labels: { severity: string };
  annotations: { summary: string; description: string };
}

function rulesOf(plan: ReturnType<typeof planOnnxService>): Rule[] {
  const spec = plan.alertRules?.spec as { groups: { name: string; rules: Rule[] }[] };
  expect(spec.groups).toHaveLength(1);
  return spec.groups[0].rules;
}

describe("alerting rules (PrometheusRule)", () => {
  it("ship with a ServiceMonitor, labelled like it, and validate against the CRD schema", () => {
    const plan = planOnnxService("ranker", base);
    const rule = plan.alertRules as PropertyMap;
    expect(validateKubernetesObject(rule)).toMatchObject({
      kind: "PrometheusRule",
      namespace: "serving",
      status: "validated",
    });
    expect(rule.metadata.name).toBe("ranker");
    expect(rule.metadata.labels.release).toBe("kube-prometheus-stack");
    expect(rule.spec.groups[0].name).toBe("hybridai-serving-ranker");
    expect(rulesOf(plan).map((r) => [r.alert, r.for, r.labels.severity])).toEqual([
      ["HybridaiHighErrorRatio", "5m", "critical"],
      ["HybridaiHighP99Latency", "10m", "warning"],
      ["HybridaiQueueSaturated", "5m", "warning"],
      ["HybridaiInputDrift", "30m", "warning"],
      ["HybridaiCircuitBreakerOpen", "1m", "critical"],
      ["HybridaiHighFallbackRatio", "10m", "warning"],
    ]);
    expect(
      planOnnxService("ranker", { ...base, serviceMonitor: undefined }).alertRules,
    ).toBeUndefined();
  });

  it("write the thresholds into expressions that parse as PromQL", () => {
    const rules = rulesOf(
      planOnnxService("ranker", {
        ...base,
        alerts: {
          maxErrorRatio: 0.02,
          maxP99Ms: 250,
          maxQueueFill: 0.9,
          maxDriftPsi: 0.2,
          maxFallbackRatio: 0.0000001,
          window: "10m",
          labels: { release: "prom", team: "ml" },
        },
      }),
    );
    const s = 'namespace="serving",model="ranker.v2"';
    const requests = `(sum(rate(nv_inference_request_success{${s}}[10m])) + sum(rate(nv_inference_request_failure{${s}}[10m])))`;
    expect(rules.map((r) => r.expr)).toEqual([
      `sum(rate(nv_inference_request_failure{${s}}[10m])) / ${requests} > 0.02`,
      `histogram_quantile(0.99, sum by (le) (rate(hybridai_request_duration_seconds_bucket{${s}}[10m]))) > 0.25`,
      `max(nv_inference_pending_request_count{${s}} / hybridai_queue_capacity{${s}}) > 0.9`,
      `max by (input) (hybridai_input_drift_psi{${s}}) > 0.2`,
      `max(hybridai_circuit_breaker_state{${s}}) == 1`,
      `((sum(rate(hybridai_fallback_requests_total{${s}}[10m])) or vector(0)) + (sum(rate(hybridai_fallback_endpoint_requests_total{${s},result="success"}[10m])) or vector(0))) / ${requests} > 0.0000001`,
    ]);
    for (const rule of rules) expect(parsePromQL(rule.expr).errors, rule.expr).toEqual([]);
  });

  it("can be turned off, and are refused without a ServiceMonitor or with bad thresholds", () => {
    expect(
      planOnnxService("ranker", { ...base, alerts: { enabled: false } }).alertRules,
    ).toBeUndefined();
    const cases: [Partial<Args>, string, RegExp][] = [
      [{ serviceMonitor: undefined, alerts: {} }, "alerts", /a serviceMonitor too/],
      [{ alerts: { maxErrorRatio: 0 } }, "alerts.maxErrorRatio", /above 0 and at most 1/],
      [{ alerts: { maxQueueFill: 1.5 } }, "alerts.maxQueueFill", /above 0 and at most 1/],
      [{ alerts: { maxP99Ms: -5 } }, "alerts.maxP99Ms", /milliseconds above 0/],
      [{ alerts: { maxDriftPsi: Number.NaN } }, "alerts.maxDriftPsi", /population stability index/],
      [{ alerts: { window: "5 minutes" } }, "alerts.window", /PromQL duration/],
      [{ serviceMonitor: undefined, dashboard: {} }, "dashboard", /a serviceMonitor too/],
      [{ dashboard: { namespace: "Monitoring" } }, "dashboard.namespace", /namespace name/],
    ];
    for (const [overrides, field, allowed] of cases) {
      const error = configErrorOf(() => planOnnxService("ranker", { ...base, ...overrides }));
      expect(error.field, field).toBe(field);
      expect(error.message, field).toMatch(allowed);
    }
  });
});

describe("Grafana dashboard (ConfigMap for the sidecar)", () => {
  it('is a schema-valid ConfigMap labelled grafana_dashboard: "1" holding one dashboard', () => {
    const plan = planOnnxService("ranker", {
      ...base,
      dashboard: { namespace: "monitoring", folder: "Inference", labels: { team: "ml" } },
    });
    const configMap = { apiVersion: "v1", kind: "ConfigMap", ...plan.dashboard } as PropertyMap;
    expect(validateKubernetesObject(configMap).status).toBe("validated");
    expect(configMap.metadata).toMatchObject({
      name: "ranker-dashboard",
      namespace: "monitoring",
      annotations: { grafana_folder: "Inference" },
    });
    expect(configMap.metadata.labels).toMatchObject({ grafana_dashboard: "1", team: "ml" });
    expect(Object.keys(configMap.data)).toEqual(["hybridai-serving-ranker.json"]);
    const dashboard = JSON.parse(configMap.data["hybridai-serving-ranker.json"]);
    expect(dashboard).toMatchObject({
      uid: "hybridai-serving-ranker",
      title: "hybridai / serving / ranker",
    });
    expect(dashboard.templating.list[0]).toMatchObject({
      name: "datasource",
      type: "datasource",
      query: "prometheus",
    });
    const panels = dashboard.panels as { id: number; targets: { refId: string; expr: string }[] }[];
    expect(panels.length).toBeGreaterThanOrEqual(12);
    expect(new Set(panels.map((p) => p.id)).size).toBe(panels.length);
    for (const panel of panels) {
      expect(panel.targets.length).toBeGreaterThan(0);
      expect(new Set(panel.targets.map((t) => t.refId)).size).toBe(panel.targets.length);
      for (const target of panel.targets) {
        expect(parsePromQL(target.expr).errors, target.expr).toEqual([]);
      }
    }
    expect(
      planOnnxService("ranker", { ...base, dashboard: { enabled: false } }).dashboard,
    ).toBeUndefined();
  });
});
