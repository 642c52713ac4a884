import { Provider } from "@pulumi/kubernetes/provider";
import { HybridAiConfigError, kubernetes } from "pulumi-hybridai";
import {
  awaitOutput,
  installMocks,
  settle,
  validateKubernetesObject,
  validateKubernetesObjects,
} from "pulumi-hybridai/testing";
import { describe, expect, it } from "vitest";
import { OTEL_COLLECTOR_CHART_VALUES } from "../../../fixtures/upstream/opentelemetry-collector";

const mocks = installMocks();
const RELEASE = "kubernetes:helm.sh/v3:Release";
const { OTEL_COLLECTOR_CHART, planOpenTelemetryCollector } = kubernetes;

/** The collector's reference to an environment variable in its configuration. */
function envRef(name: string): string {
  return `\${env:${name}}`;
}

// biome-ignore lint/suspicious/noExplicitAny: the assertions read the chart values' shape
type Plain = any;

/**
 * The parts of the chart's pod, NetworkPolicy and PodDisruptionBudget our values fill in, as
 * the chart's templates place them (templates/_pod.tpl, networkpolicy.yaml, pdb.yaml at the
 * pinned tag), so the schema checks what Kubernetes will be given.
 */
function renderedPieces(values: Plain, podLabels: Record<string, string>): Plain[] {
  return [
    {
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: values.fullnameOverride, labels: podLabels },
      spec: {
        automountServiceAccountToken: values.serviceAccount.automountServiceAccountToken,
        securityContext: values.podSecurityContext,
        containers: [
          {
            name: "opentelemetry-collector",
            image: `${values.image.repository}:${values.image.tag}`,
            securityContext: values.securityContext,
            resources: values.resources,
            env: values.extraEnvs ?? [],
          },
        ],
      },
    },
    {
      apiVersion: "networking.k8s.io/v1",
      kind: "NetworkPolicy",
      metadata: { name: values.fullnameOverride },
      spec: {
        podSelector: { matchLabels: podLabels },
        ingress: [
          {
            ports: [
              { port: 4317, protocol: "TCP" },
              { port: 4318, protocol: "TCP" },
            ],
            from: values.networkPolicy.allowIngressFrom,
          },
        ],
      },
    },
    ...(values.podDisruptionBudget.enabled
      ? [
          {
            apiVersion: "policy/v1",
            kind: "PodDisruptionBudget",
            metadata: { name: values.fullnameOverride },
            spec: {
              maxUnavailable: values.podDisruptionBudget.maxUnavailable,
              selector: { matchLabels: podLabels },
            },
          },
        ]
      : []),
  ];
}

describe("OpenTelemetryCollector", () => {
  it("installs the pinned chart in deployment mode with a Service of the documented name", async () => {
    const provider = new Provider("cluster", { kubeconfig: "{}" });
    const collector = new kubernetes.OpenTelemetryCollector("otel", { provider });
    await settle();
    const release = mocks.one(RELEASE, "otel");
    expect(release.parent).toBe(await awaitOutput(collector.urn));
    expect(release.provider).toMatch(/::cluster::/);
    expect(release.inputs).toMatchObject({
      name: "otel",
      namespace: "observability",
      createNamespace: true,
      chart: "opentelemetry-collector",
      version: "0.170.0",
      repositoryOpts: { repo: "https://open-telemetry.github.io/opentelemetry-helm-charts" },
      atomic: true,
    });
    expect(OTEL_COLLECTOR_CHART.version).toBe(OTEL_COLLECTOR_CHART_VALUES.version);
    const values = release.inputs.values;
    // The chart fails without these two (templates/NOTES.txt at the pinned tag).
    expect(values.mode).toBe("deployment");
    expect(values.image).toEqual({
      repository: "otel/opentelemetry-collector-k8s",
      tag: "0.158.0",
    });
    expect(values.fullnameOverride).toBe("otel-collector");
    expect(values.replicaCount).toBe(2);
    expect(values.podDisruptionBudget).toEqual({ enabled: true, maxUnavailable: 1 });
    expect(await awaitOutput(collector.endpoint)).toBe(
      "http://otel-collector.observability.svc:4318",
    );
    expect(await awaitOutput(collector.serviceName)).toBe("otel-collector");
    expect(await awaitOutput(collector.namespace)).toBe("observability");
    expect(collector.ref).toEqual({
      name: "otel-collector",
      namespace: "observability",
      port: 4318,
      podLabels: {
        "app.kubernetes.io/name": "opentelemetry-collector",
        "app.kubernetes.io/instance": "otel",
      },
    });
    expect(validateKubernetesObjects([release])).toEqual([
      expect.objectContaining({ kind: "Release", status: "skipped" }),
    ]);
  });

  it("runs OTLP receivers on 4317 and 4318, memory_limiter then batch, and the debug exporter by default", () => {
    const values = planOpenTelemetryCollector("otel").release.values as Plain;
    const config = values.alternateConfig;
    expect(config.receivers).toEqual({
      otlp: {
        protocols: {
          grpc: { endpoint: `${envRef("MY_POD_IP")}:4317` },
          http: { endpoint: `${envRef("MY_POD_IP")}:4318` },
        },
      },
    });
    expect(config.processors.memory_limiter).toMatchObject({
      limit_percentage: 80,
      spike_limit_percentage: 25,
    });
    expect(config.exporters).toEqual({ debug: { verbosity: "basic" } });
    expect(config.extensions.health_check.endpoint).toBe(`${envRef("MY_POD_IP")}:13133`);
    expect(config.service).toEqual({
      extensions: ["health_check"],
      pipelines: {
        traces: {
          receivers: ["otlp"],
          processors: ["memory_limiter", "batch"],
          exporters: ["debug"],
        },
      },
    });
    // The chart's other receivers' ports are closed: no receiver listens there.
    for (const port of ["jaeger-compact", "jaeger-thrift", "jaeger-grpc", "zipkin"]) {
      expect(values.ports[port]).toEqual({ enabled: false });
    }
    expect(values.ports.otlp).toBeUndefined();
    expect(values.ports["otlp-http"]).toBeUndefined();
  });

  it("runs non-root, read-only, with requests and a memory limit, admitting pods of every namespace", () => {
    const plan = planOpenTelemetryCollector("otel");
    const values = plan.release.values as Plain;
    expect(values.podSecurityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 10001 });
    expect(values.securityContext).toMatchObject({
      runAsNonRoot: true,
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      capabilities: { drop: ["ALL"] },
    });
    expect(values.resources).toEqual({
      requests: { cpu: "100m", memory: "256Mi" },
      limits: { memory: "512Mi" },
    });
    expect(values.serviceAccount).toEqual({ create: true, automountServiceAccountToken: false });
    expect(values.networkPolicy).toEqual({
      enabled: true,
      allowIngressFrom: [{ namespaceSelector: {} }],
    });
    for (const piece of renderedPieces(values, plan.ref.podLabels)) {
      expect(validateKubernetesObject(piece).status).toBe("validated");
    }
  });

  it("exports over gRPC with headers read from a Secret, never written into the values", () => {
    const plan = planOpenTelemetryCollector("otel", {
      namespace: "tracing",
      serviceName: "collector",
      replicas: 1,
      exporter: {
        type: "otlp",
        endpoint: "tempo.tracing.svc:4317",
        insecure: true,
        headersSecret: {
          name: "tempo-auth",
          headers: { authorization: "token", "x-scope-orgid": "tenant" },
        },
      },
      allowFrom: [
        { namespace: "serving", podLabels: { "app.kubernetes.io/name": "hybridai-serve" } },
      ],
    });
    const values = plan.release.values as Plain;
    expect(values.alternateConfig.exporters).toEqual({
      otlp: {
        endpoint: "tempo.tracing.svc:4317",
        tls: { insecure: true },
        headers: {
          authorization: envRef("OTEL_EXPORTER_HEADER_0"),
          "x-scope-orgid": envRef("OTEL_EXPORTER_HEADER_1"),
        },
      },
    });
    expect(values.alternateConfig.service.pipelines.traces.exporters).toEqual(["otlp"]);
    expect(values.extraEnvs).toEqual([
      {
        name: "OTEL_EXPORTER_HEADER_0",
        valueFrom: { secretKeyRef: { name: "tempo-auth", key: "token" } },
      },
      {
        name: "OTEL_EXPORTER_HEADER_1",
        valueFrom: { secretKeyRef: { name: "tempo-auth", key: "tenant" } },
      },
    ]);
    expect(values.podDisruptionBudget).toEqual({ enabled: false });
    expect(values.networkPolicy.allowIngressFrom).toEqual([
      {
        namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "serving" } },
        podSelector: { matchLabels: { "app.kubernetes.io/name": "hybridai-serve" } },
      },
    ]);
    expect(plan.endpoint).toBe("http://collector.tracing.svc:4318");
    for (const piece of renderedPieces(values, plan.ref.podLabels)) {
      expect(validateKubernetesObject(piece).status).toBe("validated");
    }
  });

  it("exports over OTLP/HTTP to a URL", () => {
    const values = planOpenTelemetryCollector("otel", {
      exporter: { type: "otlphttp", endpoint: "https://otlp.example.com/otlp" },
    }).release.values as Plain;
    expect(values.alternateConfig.exporters).toEqual({
      otlphttp: { endpoint: "https://otlp.example.com/otlp" },
    });
    expect(values.extraEnvs).toBeUndefined();
  });

  it.each([
    ["Otel", {}, "name", "a Helm release name"],
    ["otel", { namespace: "Obs" }, "namespace", "a namespace name"],
    ["otel", { serviceName: "9collector" }, "serviceName", "starting with a letter"],
    ["otel", { replicas: 0 }, "replicas", "a whole number from 1 to 20"],
    ["otel", { exporter: { type: "zipkin" } }, "exporter.type", "otlp, otlphttp, debug"],
    ["otel", { exporter: { type: "otlp" } }, "exporter.endpoint", "a gRPC endpoint host:port"],
    [
      "otel",
      { exporter: { type: "otlphttp", endpoint: "tempo:4318" } },
      "exporter.endpoint",
      "an http:// or https:// OTLP/HTTP base URL",
    ],
    [
      "otel",
      { exporter: { type: "otlphttp", endpoint: "https://user:secret@otlp.example.com" } },
      "exporter.endpoint",
      "put credentials in exporter.headersSecret",
    ],
    [
      "otel",
      { exporter: { type: "debug", endpoint: "https://otlp.example.com" } },
      "exporter.endpoint",
      "no endpoint with the debug exporter",
    ],
    [
      "otel",
      { exporter: { type: "otlphttp", endpoint: "https://otlp.example.com", insecure: true } },
      "exporter.insecure",
      "with the otlp exporter only",
    ],
    [
      "otel",
      {
        exporter: {
          type: "otlp",
          endpoint: "tempo:4317",
          headersSecret: { name: "auth", headers: {} },
        },
      },
      "exporter.headersSecret.headers",
      "a non-empty map",
    ],
    [
      "otel",
      {
        exporter: {
          type: "otlp",
          endpoint: "tempo:4317",
          headersSecret: { name: "auth", headers: { "bad header": "token" } },
        },
      },
      "exporter.headersSecret.headers.bad header",
      "an HTTP header name",
    ],
    [
      "otel",
      { resources: { memoryLimit: "lots" } },
      "resources.memoryLimit",
      "a Kubernetes quantity",
    ],
    ["otel", { allowFrom: [] }, "allowFrom", "a non-empty list"],
    ["otel", { imageTag: "latest please" }, "imageTag", "an image tag"],
  ] as [string, Plain, string, string][])(
    "refuses %s %j at %s before registering anything",
    async (name, args, field, allowed) => {
      const before = mocks.resources.length;
      let caught: unknown;
      try {
        new kubernetes.OpenTelemetryCollector(name, args);
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(HybridAiConfigError);
      const error = caught as HybridAiConfigError;
      expect(error.field).toBe(field);
      expect(error.message).toContain("OpenTelemetryCollector");
      expect(error.message).toContain(allowed);
      await settle();
      expect(mocks.resources.length).toBe(before);
    },
  );

  it("never shows credentials of a refused endpoint in the error", () => {
    expect(() =>
      planOpenTelemetryCollector("otel", {
        exporter: { type: "otlp", endpoint: "https://user:hunter2@otlp.example.com:4317" },
      }),
    ).toThrow(/^(?!.*hunter2).*exporter\.endpoint/s);
  });
});
