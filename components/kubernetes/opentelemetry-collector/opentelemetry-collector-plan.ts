import type { ReleaseArgs } from "@pulumi/kubernetes/helm/v3";
import { HybridAiConfigError } from "../../errors";
import { assertOneOf, assertWholeNumber } from "../../validate";
import {
  assertDns1035,
  assertHelmReleaseName,
  assertNamespace,
  assertPodLabels,
  assertQuantity,
} from "../validate";
import {
  type CollectorExporter,
  CollectorExporterType,
  type CollectorPeer,
  type OpenTelemetryCollectorArgs,
} from "./opentelemetry-collector-args";

const COMPONENT = "OpenTelemetryCollector";

/**
 * The OpenTelemetry Collector Helm chart, pinned: chart 0.170.0 (app version 0.158.0) from
 * open-telemetry/opentelemetry-helm-charts, with the Kubernetes distribution of the collector
 * (`otel/opentelemetry-collector-k8s`: the OTLP receiver, `otlp`, `otlphttp` and `debug`
 * exporters, `memory_limiter` and `batch` processors and the `health_check` extension the chart
 * probes).
 */
export const OTEL_COLLECTOR_CHART = {
  chart: "opentelemetry-collector",
  version: "0.170.0",
  appVersion: "0.158.0",
  repo: "https://open-telemetry.github.io/opentelemetry-helm-charts",
  image: "otel/opentelemetry-collector-k8s",
} as const;

/**
 * What {@link OpenTelemetryCollector} names and listens on by default, and what `OnnxService`'s
 * and `EdgeFleet`'s `tracing` address when they name no endpoint.
 */
export const OTEL_COLLECTOR_DEFAULTS = {
  serviceName: "otel-collector",
  namespace: "observability",
  otlpGrpcPort: 4317,
  otlpHttpPort: 4318,
} as const;

/** The uid and gid of the collector images (their Dockerfiles' `USER 10001`). */
const COLLECTOR_UID = 10001;

/** Receivers the chart opens ports for by default that this collector does not run. */
const UNUSED_PORTS = ["jaeger-compact", "jaeger-thrift", "jaeger-grpc", "zipkin"] as const;

const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]{1,256}$/;
const SECRET_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const SECRET_KEY = /^[-._a-zA-Z0-9]{1,253}$/;
const IMAGE_TAG = /^[\w][\w.-]{0,127}$/;

/** An in-cluster collector as `OnnxService`'s and `EdgeFleet`'s `tracing.collector` take it. */
export interface CollectorRef {
  /** Service name. */
  name: string;
  /** Namespace. */
  namespace: string;
  /** OTLP/HTTP port. */
  port: number;
  /** The collector pods' labels (the chart's selector labels). */
  podLabels: Record<string, string>;
}

/** Everything {@link OpenTelemetryCollector} creates. */
export interface OpenTelemetryCollectorPlan {
  /** Namespace of the collector. */
  namespace: string;
  /** Name of its Service. */
  serviceName: string;
  /** OTLP/HTTP base URL inside the cluster, e.g. `http://otel-collector.observability.svc:4318`. */
  endpoint: string;
  /** The collector as `tracing.collector` takes it (its pods' labels narrow the egress rule). */
  ref: CollectorRef;
  /** The pinned chart in deployment mode with the collector's configuration. */
  release: ReleaseArgs;
}

/** The env variable the i-th header's value is read into. */
function headerEnv(i: number): string {
  return `OTEL_EXPORTER_HEADER_${i}`;
}

function checkUrlLike(field: string, value: unknown, allowed: string, withScheme: boolean): string {
  if (typeof value !== "string" || value === "") {
    throw new HybridAiConfigError(COMPONENT, field, value, allowed);
  }
  const absolute = /^[a-z][a-z0-9+.-]*:\/\//i.test(value);
  let url: URL;
  try {
    url = new URL(absolute ? value : `grpc://${value}`);
  } catch {
    throw new HybridAiConfigError(COMPONENT, field, value, allowed);
  }
  const schemes = withScheme ? ["http:", "https:"] : ["http:", "https:", "grpc:"];
  if (!schemes.includes(url.protocol) || (withScheme && !absolute) || url.hostname === "") {
    throw new HybridAiConfigError(COMPONENT, field, value, allowed);
  }
  if (url.username !== "" || url.password !== "") {
    throw new HybridAiConfigError(
      COMPONENT,
      field,
      "a URL with credentials (not shown)",
      `${allowed}; put credentials in exporter.headersSecret`,
    );
  }
  if (url.search !== "" || url.hash !== "") {
    throw new HybridAiConfigError(COMPONENT, field, value, allowed);
  }
  return value;
}

function checkHeadersSecret(exporter: CollectorExporter): CollectorExporter["headersSecret"] {
  const secret = exporter.headersSecret;
  if (secret === undefined) return undefined;
  if (exporter.type === "debug") {
    throw new HybridAiConfigError(
      COMPONENT,
      "exporter.headersSecret",
      secret,
      "nothing with the debug exporter (it sends no requests)",
    );
  }
  if (
    typeof secret?.name !== "string" ||
    secret.name.length > 253 ||
    !SECRET_NAME.test(secret.name)
  ) {
    throw new HybridAiConfigError(
      COMPONENT,
      "exporter.headersSecret.name",
      secret?.name,
      "a Secret name in the collector's namespace: lowercase letters, digits, '-' and '.'",
    );
  }
  const headers = secret.headers;
  if (headers === null || typeof headers !== "object" || Object.keys(headers).length === 0) {
    throw new HybridAiConfigError(
      COMPONENT,
      "exporter.headersSecret.headers",
      headers,
      "a non-empty map of header name → key of the Secret",
    );
  }
  for (const [header, key] of Object.entries(headers)) {
    if (!HEADER_NAME.test(header) || typeof key !== "string" || !SECRET_KEY.test(key)) {
      throw new HybridAiConfigError(
        COMPONENT,
        `exporter.headersSecret.headers.${header}`,
        key,
        "an HTTP header name mapped to a Secret key (letters, digits, '-', '_', '.')",
      );
    }
  }
  return secret;
}

/** The exporter's collector configuration, checked. */
function planExporter(exporter: CollectorExporter): Record<string, unknown> {
  const type = assertOneOf(
    COMPONENT,
    "exporter.type",
    exporter?.type,
    Object.values(CollectorExporterType),
  );
  const secret = checkHeadersSecret(exporter);
  if (
    exporter.insecure !== undefined &&
    (type !== "otlp" || typeof exporter.insecure !== "boolean")
  ) {
    throw new HybridAiConfigError(
      COMPONENT,
      "exporter.insecure",
      exporter.insecure,
      "true or false, with the otlp exporter only (otlphttp takes an http:// endpoint instead)",
    );
  }
  if (type === "debug") {
    if (exporter.endpoint !== undefined) {
      throw new HybridAiConfigError(
        COMPONENT,
        "exporter.endpoint",
        exporter.endpoint,
        "no endpoint with the debug exporter (it writes to the collector's log)",
      );
    }
    return { verbosity: "basic" };
  }
  const endpoint =
    type === "otlp"
      ? checkUrlLike(
          "exporter.endpoint",
          exporter.endpoint,
          "a gRPC endpoint host:port or https://host:port without credentials, e.g. tempo.observability.svc:4317",
          false,
        )
      : checkUrlLike(
          "exporter.endpoint",
          exporter.endpoint,
          "an http:// or https:// OTLP/HTTP base URL without credentials, query or fragment, e.g. https://otlp.example.com",
          true,
        );
  const headers = secret
    ? Object.fromEntries(
        Object.keys(secret.headers).map((header, i) => [header, `\${env:${headerEnv(i)}}`]),
      )
    : undefined;
  return {
    endpoint,
    ...(type === "otlp" && exporter.insecure ? { tls: { insecure: true } } : {}),
    ...(headers ? { headers } : {}),
  };
}

/** The collector's whole configuration: OTLP in, memory limiter and batch, one exporter out. */
function collectorConfig(exporter: CollectorExporter): Record<string, unknown> {
  // biome-ignore lint/suspicious/noTemplateCurlyInString: the collector's env syntax, read by the collector
  const podIp = "${env:MY_POD_IP}";
  return {
    extensions: { health_check: { endpoint: `${podIp}:13133` } },
    receivers: {
      otlp: {
        protocols: {
          grpc: { endpoint: `${podIp}:${OTEL_COLLECTOR_DEFAULTS.otlpGrpcPort}` },
          http: { endpoint: `${podIp}:${OTEL_COLLECTOR_DEFAULTS.otlpHttpPort}` },
        },
      },
    },
    processors: {
      memory_limiter: { check_interval: "1s", limit_percentage: 80, spike_limit_percentage: 25 },
      batch: {},
    },
    exporters: { [exporter.type]: planExporter(exporter) },
    service: {
      extensions: ["health_check"],
      pipelines: {
        traces: {
          receivers: ["otlp"],
          processors: ["memory_limiter", "batch"],
          exporters: [exporter.type],
        },
      },
    },
  };
}

/** The NetworkPolicy peers allowed to send spans. */
function ingressPeers(allowFrom: CollectorPeer[] | undefined): Record<string, unknown>[] {
  if (allowFrom === undefined) return [{ namespaceSelector: {} }];
  if (!Array.isArray(allowFrom) || allowFrom.length === 0) {
    throw new HybridAiConfigError(
      COMPONENT,
      "allowFrom",
      allowFrom,
      "a non-empty list of { namespace?, podLabels? } (leave it out to admit every namespace's pods)",
    );
  }
  return allowFrom.map((peer, i) => {
    if (peer.namespace !== undefined) {
      assertNamespace(COMPONENT, `allowFrom[${i}].namespace`, peer.namespace);
    }
    const podLabels =
      peer.podLabels === undefined
        ? undefined
        : assertPodLabels(COMPONENT, `allowFrom[${i}].podLabels`, peer.podLabels);
    return {
      namespaceSelector:
        peer.namespace === undefined
          ? {}
          : { matchLabels: { "kubernetes.io/metadata.name": peer.namespace } },
      ...(podLabels ? { podSelector: { matchLabels: podLabels } } : {}),
    };
  });
}

/** Resources with defaults, checked. */
function resources(args: OpenTelemetryCollectorArgs) {
  const cpu = args.resources?.cpu ?? "100m";
  const memory = args.resources?.memory ?? "256Mi";
  const memoryLimit = args.resources?.memoryLimit ?? "512Mi";
  assertQuantity(COMPONENT, "resources.cpu", cpu);
  assertQuantity(COMPONENT, "resources.memory", memory);
  assertQuantity(COMPONENT, "resources.memoryLimit", memoryLimit);
  return { requests: { cpu, memory }, limits: { memory: memoryLimit } };
}

/** The chart values: deployment mode, hardened pods, the configuration and the policy. */
function chartValues(
  args: OpenTelemetryCollectorArgs,
  serviceName: string,
  replicas: number,
  exporter: CollectorExporter,
): Record<string, unknown> {
  const imageTag = args.imageTag ?? OTEL_COLLECTOR_CHART.appVersion;
  if (typeof imageTag !== "string" || !IMAGE_TAG.test(imageTag)) {
    throw new HybridAiConfigError(COMPONENT, "imageTag", imageTag, "an image tag such as 0.158.0");
  }
  const config = collectorConfig(exporter);
  const headerKeys = Object.values(exporter.headersSecret?.headers ?? {});
  return {
    mode: "deployment",
    fullnameOverride: serviceName,
    image: { repository: OTEL_COLLECTOR_CHART.image, tag: imageTag },
    replicaCount: replicas,
    alternateConfig: config,
    ports: Object.fromEntries(UNUSED_PORTS.map((port) => [port, { enabled: false }])),
    serviceAccount: { create: true, automountServiceAccountToken: false },
    podSecurityContext: {
      runAsNonRoot: true,
      runAsUser: COLLECTOR_UID,
      runAsGroup: COLLECTOR_UID,
      seccompProfile: { type: "RuntimeDefault" },
    },
    securityContext: {
      runAsNonRoot: true,
      runAsUser: COLLECTOR_UID,
      runAsGroup: COLLECTOR_UID,
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      privileged: false,
      capabilities: { drop: ["ALL"] },
    },
    resources: resources(args),
    ...(headerKeys.length > 0
      ? {
          extraEnvs: headerKeys.map((key, i) => ({
            name: headerEnv(i),
            valueFrom: {
              secretKeyRef: { name: exporter.headersSecret?.name, key },
            },
          })),
        }
      : {}),
    podDisruptionBudget: replicas > 1 ? { enabled: true, maxUnavailable: 1 } : { enabled: false },
    networkPolicy: { enabled: true, allowIngressFrom: ingressPeers(args.allowFrom) },
  };
}

/**
 * Validates the arguments (and `name`, the Helm release name) and returns the pinned collector
 * chart in deployment mode: OTLP receivers on gRPC 4317 and HTTP 4318 (the chart's Jaeger and
 * Zipkin ports closed), the `memory_limiter` and `batch` processors, one traces exporter, a
 * Service named `serviceName`, non-root read-only pods with requests and a memory limit, a
 * PodDisruptionBudget from two replicas, and the chart's NetworkPolicy admitting `allowFrom`
 * on the OTLP ports. Throws {@link HybridAiConfigError} for a bad name, namespace, Service name,
 * replica count, exporter (type, endpoint, `insecure`, headers Secret), quantity, peer or image
 * tag.
 */
export function planOpenTelemetryCollector(
  name: string,
  args: OpenTelemetryCollectorArgs = {},
): OpenTelemetryCollectorPlan {
  assertHelmReleaseName(COMPONENT, name);
  const namespace = args.namespace ?? OTEL_COLLECTOR_DEFAULTS.namespace;
  assertNamespace(COMPONENT, "namespace", namespace);
  const serviceName = args.serviceName ?? OTEL_COLLECTOR_DEFAULTS.serviceName;
  assertDns1035(COMPONENT, "serviceName", serviceName);
  const replicas = assertWholeNumber(COMPONENT, "replicas", args.replicas ?? 2, 1, 20);
  const exporter = args.exporter ?? { type: "debug" };
  if (exporter === null || typeof exporter !== "object") {
    throw new HybridAiConfigError(
      COMPONENT,
      "exporter",
      exporter,
      "{ type: otlp | otlphttp | debug, endpoint?, insecure?, headersSecret? }",
    );
  }
  const values = chartValues(args, serviceName, replicas, exporter);
  const port = OTEL_COLLECTOR_DEFAULTS.otlpHttpPort;
  return {
    namespace,
    serviceName,
    endpoint: `http://${serviceName}.${namespace}.svc:${port}`,
    ref: {
      name: serviceName,
      namespace,
      port,
      podLabels: {
        "app.kubernetes.io/name": OTEL_COLLECTOR_CHART.chart,
        "app.kubernetes.io/instance": name,
      },
    },
    release: {
      name,
      namespace,
      createNamespace: true,
      chart: OTEL_COLLECTOR_CHART.chart,
      version: OTEL_COLLECTOR_CHART.version,
      repositoryOpts: { repo: OTEL_COLLECTOR_CHART.repo },
      atomic: true,
      cleanupOnFail: true,
      values,
    },
  };
}
