import { resolveTracing } from "@hybridai/serving-runtime/src/tracing/tracing-config";
import { edge, kubernetes } from "pulumi-hybridai";
import { describe, expect, it } from "vitest";

// The environment OnnxService and EdgeFleet write for tracing, read by the runtime's own
// resolver (the code the serving container runs), with `$(NAME)` references expanded as the
// kubelet expands them: what the components write is what the runtime accepts and means.

// biome-ignore lint/suspicious/noExplicitAny: the planned objects are read by shape
type Plain = any;

const model = { uri: "s3://models-bucket/models/ranker" };

/** The container's environment as the process sees it: literal values, `$(NAME)` expanded. */
function processEnv(env: Plain[], pod: Record<string, string>): NodeJS.ProcessEnv {
  const seen: Record<string, string> = {};
  for (const entry of env) {
    const value =
      entry.value ?? pod[entry.valueFrom?.fieldRef?.fieldPath as string] ?? "unresolved";
    seen[entry.name] = String(value).replace(/\$\(([A-Z0-9_]+)\)/g, (whole, name) =>
      name in seen ? seen[name] : whole,
    );
  }
  return seen;
}

const pod = { "metadata.name": "ranker-7d9f-abcde", "spec.nodeName": "ip-10-0-1-2" };

function serveEnv(deployment: Plain): Plain[] {
  return deployment.spec.template.spec.containers.find((c: Plain) => c.name === "serve").env;
}

describe("OnnxService.tracing read by the runtime", () => {
  it("the default collector: traces URL, sampling 0.01 parent-based, the service's name", () => {
    const plan = kubernetes.planOnnxService("ranker", { namespace: "serving", model, tracing: {} });
    const env = processEnv(serveEnv(plan.deployment), pod);
    expect(resolveTracing({}, env)).toMatchObject({
      tracesUrl: "http://otel-collector.observability.svc:4318/v1/traces",
      settings: { trace_level: "TIMESTAMPS", trace_rate: 100 },
      parentBased: true,
    });
    // service.name comes from OTEL_SERVICE_NAME through the SDK's environment detector.
    expect(env.OTEL_SERVICE_NAME).toBe("ranker");
    expect(env.OTEL_RESOURCE_ATTRIBUTES).toBe(
      "k8s.namespace.name=serving,k8s.pod.name=ranker-7d9f-abcde,k8s.node.name=ip-10-0-1-2",
    );
  });

  it.each([
    [{ sampleRate: 1, parentBased: false }, "TIMESTAMPS", 1, false],
    [{ sampleRate: 0.25 }, "TIMESTAMPS", 4, true],
    [{ sampleRate: 0 }, "OFF", 1, true],
  ])(
    "sampling %o is trace level %s, one request in %s, parent-based %s",
    (settings, level, rate, parent) => {
      const plan = kubernetes.planOnnxService("ranker", {
        model,
        tracing: { endpoint: "https://otlp.example.com", ...settings },
      });
      const config = resolveTracing({}, processEnv(serveEnv(plan.deployment), pod));
      expect(config?.tracesUrl).toBe("https://otlp.example.com/v1/traces");
      expect(config?.parentBased).toBe(parent);
      expect(config?.settings).toMatchObject({ trace_level: level, trace_rate: rate });
    },
  );
});

describe("EdgeFleet.tracing read by the runtime", () => {
  it("every site's runtime accepts its environment and names its site", () => {
    const site = (name: string, extra: object = {}) => ({
      name,
      ring: 0,
      region: "eu-central",
      kubeconfig: `/etc/kubeconfigs/${name}.yaml`,
      ...extra,
    });
    const plan = edge.planEdgeFleet("ranker", {
      model: { uri: "https://models.example.com/ranker", revision: "v7" },
      tracing: { endpoint: "http://collector.example.com:4318" },
      sites: [site("store-1"), site("store-2", { tracing: { sampleRate: 1 } })],
    });
    const sites = plan.rings.flat();
    expect(sites.map((s) => s.name)).toEqual(["store-1", "store-2"]);
    const rates = sites.map((s) => {
      const container = (s.statefulSet.spec as Plain).template.spec.containers.find(
        (c: Plain) => c.name === "serve",
      );
      const env = processEnv(container.env, pod);
      expect(env.OTEL_RESOURCE_ATTRIBUTES).toContain(`hybridai.site=${s.name}`);
      const config = resolveTracing({}, env);
      expect(config?.tracesUrl).toBe("http://collector.example.com:4318/v1/traces");
      return config?.settings.trace_rate;
    });
    expect(rates).toEqual([100, 1]);
  });
});
