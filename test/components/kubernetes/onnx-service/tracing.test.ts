import { HybridAiConfigError, kubernetes } from "pulumi-hybridai";
import {
  awaitOutput,
  installMocks,
  type RecordedResource,
  settle,
  validateKubernetesObjects,
} from "pulumi-hybridai/testing";
import { describe, expect, it } from "vitest";

// Issue 30, deliverable 5: OnnxService.tracing sets the runtime's standard OTEL_* environment
// and admits the collector in the pods' egress policy; off by default.

const mocks = installMocks();
const { planOnnxService, planOpenTelemetryCollector } = kubernetes;

// biome-ignore lint/suspicious/noExplicitAny: the assertions read the planned objects' shape
type Plain = any;

const model = { uri: "s3://models-bucket/models/ranker" };

/** The samplers the runtime accepts in `OTEL_TRACES_SAMPLER` (the OpenTelemetry SDK's names). */
const RUNTIME_SAMPLERS = [
  "always_on",
  "always_off",
  "traceidratio",
  "parentbased_always_on",
  "parentbased_always_off",
  "parentbased_traceidratio",
];

function serveContainer(deployment: Plain): Plain {
  return deployment.spec.template.spec.containers.find((c: Plain) => c.name === "serve");
}

function envOf(plan: ReturnType<typeof planOnnxService>): Plain[] {
  return serveContainer(plan.deployment).env;
}

function envValue(env: Plain[], name: string): string | undefined {
  return env.find((e) => e.name === name)?.value;
}

function egressOf(plan: ReturnType<typeof planOnnxService>): Plain[] {
  return (plan.networkPolicy.spec as Plain).egress;
}

const DOWNWARD = [
  {
    name: "OTEL_K8S_POD_NAME",
    valueFrom: { fieldRef: { apiVersion: "v1", fieldPath: "metadata.name" } },
  },
  {
    name: "OTEL_K8S_NODE_NAME",
    valueFrom: { fieldRef: { apiVersion: "v1", fieldPath: "spec.nodeName" } },
  },
];

describe("tracing off", () => {
  it.each([
    ["absent", {}],
    ["enabled: false", { tracing: { enabled: false, endpoint: "http://x.example.com:4318" } }],
  ])("%s: no OTEL_* variable and no egress rule beyond DNS and 443", (_, extra) => {
    const plan = planOnnxService("ranker", { model, ...extra });
    expect(envOf(plan).filter((e) => e.name.startsWith("OTEL_"))).toEqual([]);
    expect(egressOf(plan)).toHaveLength(2);
  });
});

describe("tracing to the default in-cluster collector", () => {
  const plan = planOnnxService("ranker", { namespace: "serving", model, tracing: {} });

  it("sets the standard variables the runtime reads, after the pod and node names it refers to", () => {
    expect(envOf(plan)).toEqual([
      ...DOWNWARD,
      {
        name: "OTEL_EXPORTER_OTLP_ENDPOINT",
        value: "http://otel-collector.observability.svc:4318",
      },
      { name: "OTEL_TRACES_SAMPLER", value: "parentbased_traceidratio" },
      { name: "OTEL_TRACES_SAMPLER_ARG", value: "0.01" },
      { name: "OTEL_SERVICE_NAME", value: "ranker" },
      {
        name: "OTEL_RESOURCE_ATTRIBUTES",
        value:
          "k8s.namespace.name=serving,k8s.pod.name=$(OTEL_K8S_POD_NAME),k8s.node.name=$(OTEL_K8S_NODE_NAME)",
      },
    ]);
    expect(RUNTIME_SAMPLERS).toContain(envValue(envOf(plan), "OTEL_TRACES_SAMPLER"));
  });

  it("addresses the OpenTelemetryCollector component's defaults", () => {
    const collector = planOpenTelemetryCollector("otel");
    expect(envValue(envOf(plan), "OTEL_EXPORTER_OTLP_ENDPOINT")).toBe(collector.endpoint);
  });

  it("admits the collector's namespace on TCP 4318 and nothing more", () => {
    expect(egressOf(plan)).toHaveLength(3);
    expect(egressOf(plan)[2]).toEqual({
      to: [
        { namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "observability" } } },
      ],
      ports: [{ protocol: "TCP", port: 4318 }],
    });
  });
});

describe("tracing settings", () => {
  it("narrows the egress rule to the collector's pods when given its ref", () => {
    const collector = planOpenTelemetryCollector("traces", {
      namespace: "tracing",
      serviceName: "collector",
    });
    const plan = planOnnxService("ranker", { model, tracing: { collector: collector.ref } });
    expect(envValue(envOf(plan), "OTEL_EXPORTER_OTLP_ENDPOINT")).toBe(
      "http://collector.tracing.svc:4318",
    );
    expect(egressOf(plan)[2]).toEqual({
      to: [
        {
          namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "tracing" } },
          podSelector: {
            matchLabels: {
              "app.kubernetes.io/name": "opentelemetry-collector",
              "app.kubernetes.io/instance": "traces",
            },
          },
        },
      ],
      ports: [{ protocol: "TCP", port: 4318 }],
    });
  });

  it("takes the sampler, service name and resource attributes given", () => {
    const env = envOf(
      planOnnxService("ranker", {
        model,
        tracing: {
          collector: { name: "otel", namespace: "obs", port: 14318 },
          sampleRate: 1,
          parentBased: false,
          serviceName: "ranker-cloud",
          resourceAttributes: { "deployment.environment": "prod", "cloud.region": "us-west-2" },
        },
      }),
    );
    expect(envValue(env, "OTEL_EXPORTER_OTLP_ENDPOINT")).toBe("http://otel.obs.svc:14318");
    expect(envValue(env, "OTEL_TRACES_SAMPLER")).toBe("traceidratio");
    expect(envValue(env, "OTEL_TRACES_SAMPLER_ARG")).toBe("1");
    expect(envValue(env, "OTEL_SERVICE_NAME")).toBe("ranker-cloud");
    expect(envValue(env, "OTEL_RESOURCE_ATTRIBUTES")).toBe(
      "k8s.namespace.name=default,k8s.pod.name=$(OTEL_K8S_POD_NAME),k8s.node.name=$(OTEL_K8S_NODE_NAME),deployment.environment=prod,cloud.region=us-west-2",
    );
  });

  it.each([
    [
      "an https URL outside the cluster: the 443 rule covers it",
      "https://otlp.example.com/otlp/",
      "https://otlp.example.com/otlp",
      undefined,
    ],
    [
      "an http URL on another port: that port outside the link-local range",
      "http://collector.example.com:4318",
      "http://collector.example.com:4318",
      {
        to: [
          { ipBlock: { cidr: "0.0.0.0/0", except: ["169.254.0.0/16"] } },
          { ipBlock: { cidr: "::/0", except: ["fe80::/10", "fd00:ec2::254/128"] } },
        ],
        ports: [{ protocol: "TCP", port: 4318 }],
      },
    ],
    [
      "an in-cluster Service URL: its namespace on its port",
      "http://jaeger-collector.tracing.svc.cluster.local:4318",
      "http://jaeger-collector.tracing.svc.cluster.local:4318",
      {
        to: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "tracing" } } }],
        ports: [{ protocol: "TCP", port: 4318 }],
      },
    ],
  ])("endpoint, %s", (_, endpoint, exported, rule) => {
    const plan = planOnnxService("ranker", { model, tracing: { endpoint } });
    expect(envValue(envOf(plan), "OTEL_EXPORTER_OTLP_ENDPOINT")).toBe(exported);
    expect(egressOf(plan).slice(2)).toEqual(rule ? [rule] : []);
  });

  it("gives the canary the same tracing, and a change of tracing rolls the pods", () => {
    const canary = {
      uri: "s3://models-bucket/models/ranker-v2",
      weight: 10,
      gateway: { name: "gw" },
    };
    const traced = planOnnxService("ranker", { model, canary, tracing: { sampleRate: 0.1 } });
    const canaryEnv = serveContainer(traced.canary?.deployment).env;
    expect(envValue(canaryEnv, "OTEL_TRACES_SAMPLER_ARG")).toBe("0.1");
    expect(envValue(canaryEnv, "OTEL_SERVICE_NAME")).toBe("ranker");
    const checksum = async (plan: ReturnType<typeof planOnnxService>) =>
      awaitOutput(
        (plan.deployment.spec as Plain).template.metadata.annotations[
          kubernetes.CONFIG_CHECKSUM_ANNOTATION
        ],
      );
    return Promise.all([
      checksum(traced),
      checksum(planOnnxService("ranker", { model, canary, tracing: { sampleRate: 0.2 } })),
      checksum(planOnnxService("ranker", { model, canary })),
    ]).then((sums) => expect(new Set(sums).size).toBe(3));
  });
});

describe("invalid tracing", () => {
  it.each([
    [
      { endpoint: "http://a.example.com:4318", collector: {} },
      "tracing",
      "one of endpoint (a URL) or collector",
    ],
    [{ endpoint: "grpc://otel:4317" }, "tracing.endpoint", "an http:// or https:// URL"],
    [{ endpoint: "otel-collector:4318" }, "tracing.endpoint", "an http:// or https:// URL"],
    [{ endpoint: "http://otel:4318/?token=x" }, "tracing.endpoint", "without credentials, query"],
    [{ sampleRate: 1.5 }, "tracing.sampleRate", "a number from 0 to 1"],
    [{ sampleRate: -0.01 }, "tracing.sampleRate", "a number from 0 to 1"],
    [{ sampleRate: Number.NaN }, "tracing.sampleRate", "a number from 0 to 1"],
    [{ sampleRate: "0.1" }, "tracing.sampleRate", "a number from 0 to 1"],
    [{ parentBased: "yes" }, "tracing.parentBased", "true or false"],
    [{ enabled: 1 }, "tracing.enabled", "true or false"],
    [{ serviceName: "ranker cloud" }, "tracing.serviceName", "letters, digits"],
    [{ collector: { namespace: "Obs" } }, "tracing.collector.namespace", "a namespace name"],
    [{ collector: { name: "otel.collector" } }, "tracing.collector.name", "lowercase letters"],
    [{ collector: { port: 0 } }, "tracing.collector.port", "a whole number from 1 to 65535"],
    [
      { collector: { podLabels: { app: "bad value!" } } },
      "tracing.collector.podLabels.app",
      "a Kubernetes label",
    ],
    [
      { resourceAttributes: { team: "search,ranking" } },
      "tracing.resourceAttributes.team",
      "without spaces or , ; =",
    ],
    [
      { resourceAttributes: { note: "$(SECRET)" } },
      "tracing.resourceAttributes.note",
      "without spaces or , ; =",
    ],
    [
      { resourceAttributes: { "k8s.pod.name": "x" } },
      "tracing.resourceAttributes.k8s.pod.name",
      "are set from the pod",
    ],
  ] as [Plain, string, string][])("refuses %j at %s", async (tracing, field, allowed) => {
    const before = mocks.resources.length;
    let caught: unknown;
    try {
      new kubernetes.OnnxService("ranker", { model, tracing });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(HybridAiConfigError);
    expect((caught as HybridAiConfigError).field).toBe(field);
    expect((caught as Error).message).toMatch(/^OnnxService: /);
    expect((caught as Error).message).toContain(allowed);
    await settle();
    expect(mocks.resources.length).toBe(before);
  });

  it("refuses credentials in the endpoint without repeating them", () => {
    expect(() =>
      planOnnxService("ranker", {
        model,
        tracing: { endpoint: "https://user:hunter2@otlp.example.com" },
      }),
    ).toThrow(
      /^(?![\s\S]*hunter2)OnnxService: tracing\.endpoint = "a URL with credentials \(not shown\)"/,
    );
  });

  it("refuses an env entry tracing sets, and accepts it without tracing", () => {
    expect(() =>
      planOnnxService("ranker", {
        model,
        env: { OTEL_SERVICE_NAME: "mine" },
        tracing: {},
      }),
    ).toThrow(/OnnxService: env\.OTEL_SERVICE_NAME .*tracing sets it/);
    const untraced = planOnnxService("ranker", { model, env: { OTEL_SERVICE_NAME: "mine" } });
    expect(envValue(envOf(untraced), "OTEL_SERVICE_NAME")).toBe("mine");
  });
});

describe("OnnxService with tracing and an OpenTelemetryCollector under mocks", async () => {
  const collector = new kubernetes.OpenTelemetryCollector("otel");
  const service = new kubernetes.OnnxService("ranker", {
    namespace: "serving",
    model,
    tracing: { collector: collector.ref, resourceAttributes: { "deployment.environment": "prod" } },
  });
  await settle();
  const urn = await awaitOutput(service.urn);
  const children = mocks.resources.filter((r: RecordedResource) => r.parent === urn);

  it("creates schema-valid objects carrying the tracing env and the collector's egress rule", () => {
    expect(validateKubernetesObjects(children).every((o) => o.status === "validated")).toBe(true);
    const deployment = children.find((r) => r.type === "kubernetes:apps/v1:Deployment");
    const env = serveContainer(deployment?.inputs).env as Plain[];
    const names = env.map((e) => e.name);
    expect(names.indexOf("OTEL_K8S_POD_NAME")).toBeLessThan(
      names.indexOf("OTEL_RESOURCE_ATTRIBUTES"),
    );
    expect(envValue(env, "OTEL_EXPORTER_OTLP_ENDPOINT")).toBe(
      "http://otel-collector.observability.svc:4318",
    );
    expect(envValue(env, "OTEL_RESOURCE_ATTRIBUTES")).toContain(",deployment.environment=prod");
    const policy = children.find((r) => r.type === "kubernetes:networking.k8s.io/v1:NetworkPolicy");
    expect(policy?.inputs.spec.egress).toContainEqual({
      to: [
        {
          namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "observability" } },
          podSelector: { matchLabels: collector.ref.podLabels },
        },
      ],
      ports: [{ protocol: "TCP", port: 4318 }],
    });
  });
});
