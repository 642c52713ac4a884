import { HybridAiConfigError, kubernetes } from "pulumi-hybridai";
import { validateKubernetesObject } from "pulumi-hybridai/testing";
import { describe, expect, it } from "vitest";
import { parsePromQL } from "../onnx-service/promql";

const plan = kubernetes.planLlmService("chat", {
  namespace: "llm",
  model: { uri: "s3://models-bucket/chat", servedName: "acme/chat-8b" },
  accelerator: { type: "nvidia-l4" },
  serviceMonitor: { labels: { release: "kube-prometheus-stack" } },
  rollout: { gateway: { name: "internal" }, maxTimeToFirstTokenMs: 1500, maxQueueTimeMs: 3000 },
});

// biome-ignore lint/suspicious/noExplicitAny: plain provider arguments
const rules = (plan.alertRules as any).spec.groups[0].rules as { alert: string; expr: string }[];
const dashboard = JSON.parse(
  Object.values(plan.dashboard?.data as Record<string, string>)[0] as string,
);
// biome-ignore lint/suspicious/noExplicitAny: plain provider arguments
const analysis = (plan.rollout as any).analysisTemplate.spec.metrics as {
  name: string;
  provider: { prometheus: { query: string } };
}[];

/** Every metric vLLM or its HTTP instrumentation exports that the queries may read. */
const KNOWN = new Set(Object.values(kubernetes.VLLM_METRICS).flatMap((m) => [m, `${m}_bucket`]));

describe("LlmService scrapes vLLM where it serves /metrics: its HTTP port", () => {
  // biome-ignore lint/suspicious/noExplicitAny: plain provider arguments
  const container = (plan.deployment as any).spec.template.spec.containers[0];
  const containerPorts = container.ports.map((p: { name: string }) => p.name);
  // biome-ignore lint/suspicious/noExplicitAny: plain provider arguments
  const policy = (plan.networkPolicy as any).spec.ingress;

  it("points the ServiceMonitor and every Service port at a port the container names", () => {
    // biome-ignore lint/suspicious/noExplicitAny: plain provider arguments
    const endpoints = (plan.serviceMonitor as any).spec.endpoints as { port: string }[];
    expect(endpoints.map((e) => e.port)).toEqual(["http"]);
    // biome-ignore lint/suspicious/noExplicitAny: plain provider arguments
    const rollout = plan.rollout as any;
    for (const service of [plan.service, rollout.metricsService, rollout.canaryService]) {
      for (const port of (service as { spec: { ports: { targetPort: string }[] } }).spec.ports) {
        expect(containerPorts).toContain(port.targetPort);
      }
    }
  });

  it("admits the monitoring namespace to the serving port, and nothing to a port vLLM lacks", () => {
    const servingPort = container.ports[0].containerPort;
    expect(policy[1].ports).toEqual([{ protocol: "TCP", port: servingPort }]);
  });
});

describe("LlmService monitoring over vLLM's metrics", () => {
  it("ships schema-valid PrometheusRule and dashboard ConfigMap", () => {
    expect(validateKubernetesObject(plan.alertRules as never).status).toBe("validated");
    expect(plan.dashboard?.metadata).toMatchObject({ labels: { grafana_dashboard: "1" } });
  });

  it("alerts on 5xx ratio, time to first token, queue length and KV-cache usage", () => {
    expect(rules.map((r) => r.alert)).toEqual([
      "VllmHighErrorRatio",
      "VllmSlowTimeToFirstToken",
      "VllmRequestsQueued",
      "VllmKvCacheFull",
    ]);
  });

  it("draws tokens per second, time to first token, KV-cache usage and queue length", () => {
    const titles = dashboard.panels.map((p: { title: string }) => p.title);
    for (const title of [
      "Tokens per second",
      "Time to first token",
      "KV-cache usage",
      "Running and waiting requests",
    ]) {
      expect(titles).toContain(title);
    }
  });

  it("writes every rule, panel and analysis query as valid PromQL over vLLM's own metric names", () => {
    const queries = [
      ...rules.map((r) => r.expr),
      ...dashboard.panels.flatMap((p: { targets: { expr: string }[] }) =>
        p.targets.map((t) => t.expr),
      ),
      ...analysis.map((m) => m.provider.prometheus.query.replaceAll("{{args.canary-hash}}", "abc")),
    ];
    for (const query of queries) {
      const parsed = parsePromQL(query);
      expect(parsed.errors, query).toEqual([]);
      const unknown = parsed.metrics.filter(
        (m) => !KNOWN.has(m) && !["sum", "rate", "max", "histogram_quantile", "vector"].includes(m),
      );
      expect(unknown, query).toEqual([]);
    }
  });

  it("selects the model by vLLM's model_name label and the canary by its pod-template hash", () => {
    const ttft = analysis.find((m) => m.name === "ttft-p99-ms")?.provider.prometheus.query ?? "";
    expect(ttft).toContain('model_name="acme/chat-8b"');
    expect(ttft).toContain('rollouts_pod_template_hash="{{args.canary-hash}}"');
  });

  it("refuses thresholds out of range, naming the field", () => {
    for (const [alerts, field] of [
      [{ maxErrorRatio: 2 }, "alerts.maxErrorRatio"],
      [{ maxKvCacheUsage: 0 }, "alerts.maxKvCacheUsage"],
      [{ maxTimeToFirstTokenMs: -1 }, "alerts.maxTimeToFirstTokenMs"],
      [{ maxWaitingRequests: 0.5 }, "alerts.maxWaitingRequests"],
      [{ window: "5 minutes" }, "alerts.window"],
    ] as const) {
      try {
        kubernetes.planLlmService("chat", {
          model: { uri: "s3://models-bucket/chat" },
          accelerator: { type: "nvidia-l4" },
          serviceMonitor: {},
          alerts,
        });
        throw new Error("accepted");
      } catch (error) {
        expect(error).toBeInstanceOf(HybridAiConfigError);
        expect((error as HybridAiConfigError).field).toBe(field);
      }
    }
  });
});
