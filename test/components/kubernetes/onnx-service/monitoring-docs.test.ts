import { readFileSync } from "node:fs";
import { kubernetes } from "pulumi-hybridai";
import { expect, it } from "vitest";

/** The "Alerting rules and Grafana dashboard" section of docs/observability.md. */
function section(): string {
  const readme = readFileSync("docs/observability.md", "utf8");
  const start = readme.indexOf("## Alerting rules and Grafana dashboard on `OnnxService`");
  const end = readme.indexOf("## What it costs", start);
  expect(start).toBeGreaterThan(0);
  expect(end).toBeGreaterThan(start);
  return readme.slice(start, end);
}

function exprs(args: Parameters<typeof kubernetes.planOnnxService>[1]): Record<string, string> {
  const plan = kubernetes.planOnnxService("ranker", args);
  const groups = (plan.alertRules?.spec ?? { groups: [] }) as {
    groups: { rules: { alert: string; expr: string }[] }[];
  };
  return Object.fromEntries(groups.groups.flatMap((g) => g.rules.map((r) => [r.alert, r.expr])));
}

const base = {
  namespace: "serving",
  model: { uri: "s3://models-bucket/models/ranker" },
  serviceMonitor: { labels: { release: "kube-prometheus-stack" } },
};

it("the docs' alert table names every shipped alert with the default threshold the rule uses", () => {
  const text = section();
  const rules = exprs(base);
  expect(Object.keys(rules)).toHaveLength(6);
  for (const alert of Object.keys(rules)) expect(text).toContain(`\`${alert}\``);
  // each field and its alert; the default is read from the docs table
  const rows: [string, string][] = [
    ["maxErrorRatio", "HybridaiHighErrorRatio"],
    ["maxQueueFill", "HybridaiQueueSaturated"],
    ["maxDriftPsi", "HybridaiInputDrift"],
    ["maxFallbackRatio", "HybridaiHighFallbackRatio"],
  ];
  for (const [field, alert] of rows) {
    const documented = new RegExp(`\\| \`${field}\` \\| ([0-9.]+) \\|`).exec(text)?.[1];
    expect(documented, field).toBeDefined();
    expect(rules[alert].endsWith(`> ${documented}`), `${alert}: ${rules[alert]}`).toBe(true);
  }
  const p99 = /\| `maxP99Ms` \| (\d+) \|/.exec(text)?.[1];
  expect(p99).toBe("1000");
  expect(rules.HybridaiHighP99Latency.endsWith("> 1")).toBe(true);
});

it("the docs' OnnxService example plans the thresholds and dashboard it shows", () => {
  const text = section();
  expect(text).toContain("alerts: { maxP99Ms: 250, maxDriftPsi: 0.2 }, // or { enabled: false }");
  expect(text).toContain(
    'dashboard: { namespace: "monitoring", folder: "Inference" }, // or { enabled: false }',
  );
  const args = {
    ...base,
    alerts: { maxP99Ms: 250, maxDriftPsi: 0.2 },
    dashboard: { namespace: "monitoring", folder: "Inference" },
  };
  const rules = exprs(args);
  expect(rules.HybridaiHighP99Latency.endsWith("> 0.25")).toBe(true);
  expect(rules.HybridaiInputDrift.endsWith("> 0.2")).toBe(true);
  const dashboard = kubernetes.planOnnxService("ranker", args).dashboard;
  expect(dashboard?.metadata).toMatchObject({
    name: "ranker-dashboard",
    namespace: "monitoring",
    labels: { grafana_dashboard: "1" },
    annotations: { grafana_folder: "Inference" },
  });
});
