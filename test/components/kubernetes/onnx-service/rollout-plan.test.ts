import { ServerMetrics } from "@hybridai/serving-runtime/src/metrics";
import { parser } from "@prometheus-io/lezer-promql";
import { kubernetes } from "pulumi-hybridai";
import { type PropertyMap, validateKubernetesObject } from "pulumi-hybridai/testing";
import { describe, expect, it } from "vitest";
import { configErrorOf } from "../../helpers/config-error";

const { planOnnxService } = kubernetes;
type Args = Parameters<typeof planOnnxService>[1];

const base: Args = {
  namespace: "serving",
  model: { uri: "s3://models-bucket/models/ranker" },
  serviceMonitor: { labels: { release: "kube-prometheus-stack" } },
  rollout: { gateway: { name: "inference", namespace: "gateways" } },
};

function plan(overrides: Partial<Args> = {}, rollout: Partial<NonNullable<Args["rollout"]>> = {}) {
  return planOnnxService("ranker", {
    ...base,
    ...overrides,
    rollout: { ...(base.rollout as NonNullable<Args["rollout"]>), ...rollout },
  });
}

/** Metric names a PromQL query selects, and the positions of any syntax errors. */
function parsePromQL(query: string): { metrics: string[]; errors: number[] } {
  const metrics: string[] = [];
  const errors: number[] = [];
  parser.parse(query).iterate({
    enter: (node) => {
      if (node.type.isError) errors.push(node.from);
      if (node.name === "Identifier") metrics.push(query.slice(node.from, node.to));
    },
  });
  return { metrics: [...new Set(metrics)].sort(), errors };
}

interface PlannedMetric {
  name: string;
  count: number;
  failureLimit: number;
  successCondition: string;
  failureCondition: string;
  provider: { prometheus: { address: string; query: string } };
}

/** The rollout part of a plan, which these tests always ask for. */
function rolloutOf(p: ReturnType<typeof plan>): NonNullable<ReturnType<typeof plan>["rollout"]> {
  if (!p.rollout) throw new Error("the plan has no rollout");
  return p.rollout;
}

function metricsOf(p: ReturnType<typeof plan>): PlannedMetric[] {
  return (rolloutOf(p).analysisTemplate.spec as { metrics: PlannedMetric[] }).metrics;
}

describe("rollout planning (pure)", () => {
  it("plans a Rollout adopting the Deployment, with steps of weight, pause and analysis", () => {
    const p = plan();
    const rollout = rolloutOf(p).rollout as PropertyMap;
    expect(validateKubernetesObject(rollout).status).toBe("validated");
    expect(rollout.metadata).toMatchObject({ name: "ranker", namespace: "serving" });
    expect(rollout.spec.workloadRef).toEqual({
      apiVersion: "apps/v1",
      kind: "Deployment",
      name: "ranker",
    });
    expect(rollout.spec.selector).toEqual({
      matchLabels: {
        "app.kubernetes.io/name": "hybridai-serve",
        "app.kubernetes.io/instance": "ranker",
        "hybridai.dev/track": "stable",
      },
    });
    expect(rollout.spec.progressDeadlineAbort).toBe(true);
    expect(rollout.spec.progressDeadlineSeconds).toBe(600);
    const canary = rollout.spec.strategy.canary;
    expect(canary.stableService).toBe("ranker");
    expect(canary.canaryService).toBe("ranker-canary");
    expect(canary.trafficRouting).toEqual({
      plugins: { "argoproj-labs/gatewayAPI": { httpRoute: "ranker", namespace: "serving" } },
    });
    const analysis = {
      analysis: {
        templates: [{ templateName: "ranker" }],
        args: [{ name: "canary-hash", valueFrom: { podTemplateHashValue: "Latest" } }],
      },
    };
    expect(canary.steps).toHaveLength(12);
    expect(canary.steps).toEqual(
      [5, 25, 50, 100].flatMap((w) => [{ setWeight: w }, { pause: { duration: "5m" } }, analysis]),
    );
  });

  it("keeps the Deployment at 0 replicas and points the autoscaler at the Rollout", () => {
    const p = plan({ replicas: { min: 3, max: 12 } });
    expect((p.deployment.spec as { replicas?: number }).replicas).toBe(0);
    expect(p.autoscaler.spec).toMatchObject({
      scaleTargetRef: { apiVersion: "argoproj.io/v1alpha1", kind: "Rollout", name: "ranker" },
      minReplicas: 3,
      maxReplicas: 12,
    });
    expect(
      validateKubernetesObject({
        apiVersion: "autoscaling/v2",
        kind: "HorizontalPodAutoscaler",
        ...p.autoscaler,
      } as PropertyMap).status,
    ).toBe("validated");
    const without = planOnnxService("ranker", { model: base.model });
    expect((without.deployment.spec as { replicas?: number }).replicas).toBeUndefined();
    expect(without.autoscaler.spec).toMatchObject({ scaleTargetRef: { kind: "Deployment" } });
  });

  it("routes all traffic to stable at rest and scrapes every pod once, by version", () => {
    const p = plan({}, { hostnames: ["ranker.example.com"] });
    const route = rolloutOf(p).route as PropertyMap;
    expect(validateKubernetesObject(route).status).toBe("validated");
    expect(route.spec.hostnames).toEqual(["ranker.example.com"]);
    expect(route.spec.parentRefs).toEqual([
      {
        group: "gateway.networking.k8s.io",
        kind: "Gateway",
        name: "inference",
        namespace: "gateways",
      },
    ]);
    expect(route.spec.rules[0].backendRefs).toEqual([
      { group: "", kind: "Service", name: "ranker", port: 8000, weight: 100 },
      { group: "", kind: "Service", name: "ranker-canary", port: 8000, weight: 0 },
    ]);
    const metricsService = rolloutOf(p).metricsService as PropertyMap;
    expect(metricsService.metadata.name).toBe("ranker-metrics");
    expect(metricsService.spec.clusterIP).toBe("None");
    expect(metricsService.spec.selector).toEqual({
      "app.kubernetes.io/name": "hybridai-serve",
      "app.kubernetes.io/instance": "ranker",
    });
    const monitor = p.serviceMonitor as PropertyMap;
    expect(validateKubernetesObject(monitor).status).toBe("validated");
    expect(monitor.spec.selector).toEqual({
      matchLabels: { ...metricsService.spec.selector, "hybridai.dev/metrics-service": "true" },
    });
    expect(metricsService.metadata.labels["hybridai.dev/metrics-service"]).toBe("true");
    expect(p.service.metadata).not.toHaveProperty(["labels", "hybridai.dev/metrics-service"]);
    expect(monitor.spec.podTargetLabels).toEqual(["rollouts-pod-template-hash"]);
  });

  it("judges error rate on the canary's own series, inconclusive without traffic", () => {
    const metrics = metricsOf(plan());
    expect(metrics).toHaveLength(1);
    const [errorRate] = metrics;
    expect(errorRate).toMatchObject({
      name: "error-rate",
      count: 1,
      failureLimit: 0,
      successCondition: "result[0] <= 0.01",
      failureCondition: "result[0] > 0.01",
    });
    expect(errorRate.provider.prometheus.address).toBe(
      "http://prometheus-operated.monitoring.svc.cluster.local:9090",
    );
    const scope =
      'namespace="serving",model="ranker",rollouts_pod_template_hash="{{args.canary-hash}}"';
    const failures = `(sum(rate(nv_inference_request_failure{${scope}}[5m])) or vector(0))`;
    const successes = `(sum(rate(nv_inference_request_success{${scope}}[5m])) or vector(0))`;
    expect(errorRate.provider.prometheus.query).toBe(`${failures} / (${successes} + ${failures})`);
  });

  it("adds mean latency and shadow disagreement checks when bounded", () => {
    const metrics = metricsOf(
      plan(
        { model: { uri: "gs://m/ranker", name: "ranker.v2" }, serviceMonitor: { interval: "15s" } },
        {
          interval: "2m",
          maxErrorRate: 0.002,
          maxMeanLatencyMs: 40,
          maxShadowDisagreement: 0.0000001,
          prometheusUrl: "http://prometheus.obs:9090/",
        },
      ),
    );
    expect(metrics.map((m) => m.name)).toEqual([
      "error-rate",
      "mean-latency-ms",
      "shadow-disagreement",
    ]);
    expect(metrics.map((m) => m.successCondition)).toEqual([
      "result[0] <= 0.002",
      "result[0] <= 40",
      "result[0] <= 0.0000001",
    ]);
    expect(metrics.map((m) => m.failureCondition)).toEqual([
      "result[0] > 0.002",
      "result[0] > 40",
      "result[0] > 0.0000001",
    ]);
    for (const m of metrics) {
      expect(m.provider.prometheus.address).toBe("http://prometheus.obs:9090");
      expect(m.provider.prometheus.query).toContain('model="ranker.v2"');
      expect(m.provider.prometheus.query).toContain("[2m]");
    }
    expect(metrics[1].provider.prometheus.query).toMatch(
      /^\(sum\(rate\(nv_inference_request_duration_us\{.*\/ 1000$/,
    );
    expect(parsePromQL(metrics[2].provider.prometheus.query).metrics).toEqual([
      "hybridai_shadow_disagreement_total",
      "hybridai_shadow_requests_total",
    ]);
  });

  it("judges the canary's p99 on the runtime's latency histogram, inconclusive without traffic", () => {
    const metrics = metricsOf(plan({}, { maxP99Ms: 250 }));
    expect(metrics.map((m) => m.name)).toEqual(["error-rate", "p99-latency-ms"]);
    const p99 = metrics[1];
    expect(p99.successCondition).toBe("result[0] <= 250");
    expect(p99.failureCondition).toBe("result[0] > 250");
    const scope =
      'namespace="serving",model="ranker",rollouts_pod_template_hash="{{args.canary-hash}}"';
    expect(p99.provider.prometheus.query).toBe(
      `((histogram_quantile(0.99, sum by (le) (rate(hybridai_request_duration_seconds_bucket{${scope}}[5m]))) * 1000) or vector(NaN))`,
    );
  });

  it("writes queries that parse as PromQL and read only series the runtime exports", async () => {
    const metrics = metricsOf(
      plan({}, { maxMeanLatencyMs: 40, maxP99Ms: 100, maxShadowDisagreement: 0.01 }),
    );
    expect(metrics).toHaveLength(4);
    const exported = new Map(
      (await new ServerMetrics().registry.getMetricsAsJSON()).map((m) => [m.name, String(m.type)]),
    );
    const runtimeNames = [
      "nv_inference_request_duration_us",
      "nv_inference_request_failure",
      "nv_inference_request_success",
    ];
    const shadowNames = ["hybridai_shadow_disagreement_total", "hybridai_shadow_requests_total"];
    const read = new Set<string>();
    for (const m of metrics) {
      const { metrics: names, errors } = parsePromQL(m.provider.prometheus.query);
      expect(errors, m.provider.prometheus.query).toEqual([]);
      for (const name of names) read.add(name);
    }
    expect([...read].sort()).toEqual(
      [...runtimeNames, "hybridai_request_duration_seconds_bucket", ...shadowNames].sort(),
    );
    for (const name of runtimeNames) {
      expect(exported.get(name), name).toBe("counter");
    }
    expect(exported.get("hybridai_request_duration_seconds")).toBe("histogram");
    expect(parsePromQL('sum(rate(x{a="b"[5m]))').errors.length).toBeGreaterThan(0);
  });

  it("validates the AnalysisTemplate against the Argo Rollouts CRD schema", () => {
    const template = rolloutOf(plan({}, { maxMeanLatencyMs: 40 })).analysisTemplate as PropertyMap;
    expect(validateKubernetesObject(template)).toMatchObject({
      kind: "AnalysisTemplate",
      namespace: "serving",
      status: "validated",
    });
    expect(template.spec.args).toEqual([{ name: "canary-hash" }]);
  });

  it("gives a GPU service's rollout the GPU rollout timeout as its progress deadline", () => {
    const p = plan({ accelerator: { type: "nvidia-l4", count: 1 } });
    expect((rolloutOf(p).rollout as PropertyMap).spec.progressDeadlineSeconds).toBe(30 * 60);
  });
});

describe("rollout validation", () => {
  const cases: [string, () => unknown, string, RegExp][] = [
    [
      "canary and rollout together",
      () => plan({ canary: { uri: "s3://b/v2", weight: 10, gateway: { name: "g" } } }),
      "rollout",
      /not both/,
    ],
    [
      "no ServiceMonitor",
      () => plan({ serviceMonitor: undefined }),
      "serviceMonitor",
      /analysis reads/,
    ],
    ["empty steps", () => plan({}, { steps: [] }), "rollout.steps", /1 to 20/],
    ["decreasing steps", () => plan({}, { steps: [10, 5, 100] }), "rollout.steps[1]", /above 10/],
    ["fractional step", () => plan({}, { steps: [2.5, 100] }), "rollout.steps[0]", /whole/],
    ["step above 100", () => plan({}, { steps: [50, 101] }), "rollout.steps[1]", /at most 100/],
    ["interval without unit", () => plan({}, { interval: "300" }), "rollout.interval", /1 minute/],
    ["interval too short", () => plan({}, { interval: "30s" }), "rollout.interval", /1 minute/],
    [
      "interval under two scrapes",
      () => plan({ serviceMonitor: { interval: "1m" } }, { interval: "90s" }),
      "rollout.interval",
      /twice the ServiceMonitor's scrape interval \(1m\)/,
    ],
    ["p99 of zero", () => plan({}, { maxP99Ms: 0 }), "rollout.maxP99Ms", /above 0/],
    [
      "p99 not a number",
      () => plan({}, { maxP99Ms: Number.NaN }),
      "rollout.maxP99Ms",
      /milliseconds above 0 and at most 3600000/,
    ],
    ["error rate above 1", () => plan({}, { maxErrorRate: 5 }), "rollout.maxErrorRate", /0 to 1/],
    [
      "negative latency",
      () => plan({}, { maxMeanLatencyMs: -1 }),
      "rollout.maxMeanLatencyMs",
      /above 0/,
    ],
    [
      "disagreement as a percentage",
      () => plan({}, { maxShadowDisagreement: 2 }),
      "rollout.maxShadowDisagreement",
      /0 to 1/,
    ],
    [
      "no gateway",
      () => plan({}, { gateway: undefined as unknown as { name: string } }),
      "rollout.gateway.name",
      /Gateway API Gateway/,
    ],
    [
      "uppercase hostname",
      () => plan({}, { hostnames: ["Ranker.Example.com"] }),
      "rollout.hostnames[0]",
      /lowercase DNS name/,
    ],
    [
      "Prometheus without scheme",
      () => plan({}, { prometheusUrl: "prometheus:9090" }),
      "rollout.prometheusUrl",
      /http\(s\) URL/,
    ],
  ];
  it.each(cases)("refuses %s", (_label, run, field, allowed) => {
    const error = configErrorOf(run);
    expect(error.component).toBe("OnnxService");
    expect(error.field).toBe(field);
    expect(error.message).toMatch(allowed);
  });

  it("refuses a name with no room for -canary and -metrics", () => {
    const name = "r".repeat(56);
    expect(configErrorOf(() => planOnnxService(name, base)).field).toBe(
      "name (with a rollout, plus -metrics)",
    );
    expect(() => planOnnxService("r".repeat(55), base)).not.toThrow();
  });
});
