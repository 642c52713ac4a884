import type { Provider } from "@pulumi/kubernetes/provider";

/** Where the collector sends the spans it receives, by name. */
export const CollectorExporterType = {
  /** OTLP over gRPC (`otlp` exporter): Tempo, Jaeger, Honeycomb, most vendors. */
  Otlp: "otlp",
  /** OTLP over HTTP (`otlphttp` exporter). */
  OtlpHttp: "otlphttp",
  /** The collector's own log (`debug` exporter): to check that spans arrive, nothing kept. */
  Debug: "debug",
} as const;

/** Where the collector sends the spans it receives: `otlp` (gRPC), `otlphttp` or `debug` (its log). */
export type CollectorExporterType =
  (typeof CollectorExporterType)[keyof typeof CollectorExporterType];

/**
 * Request headers the exporter sends, each read from a key of one Kubernetes Secret in the
 * collector's namespace (an API key, `authorization: Bearer …`): the values never appear in the
 * chart values, the collector's config or the pod spec.
 */
export interface CollectorHeadersSecret {
  /** Name of the Secret (it must exist before the collector starts). */
  name: string;
  /** Header name → key of the Secret holding its value, e.g. `{ authorization: "token" }`. */
  headers: Record<string, string>;
}

/** The collector's traces exporter. */
export interface CollectorExporter {
  /** Which exporter. */
  type: CollectorExporterType;
  /**
   * Where spans go. `otlp`: `host:port` or `https://host:port` (gRPC); `otlphttp`: an
   * `http(s)://` base URL (the exporter appends `/v1/traces`). No credentials in the URL (use
   * `headersSecret`). Required for both; not allowed with `debug`.
   */
  endpoint?: string;
  /**
   * `otlp` only: connect without TLS (an in-cluster backend such as Tempo or Jaeger on a plain
   * gRPC port). Default `false`.
   */
  insecure?: boolean;
  /** Headers from a Secret, for `otlp` and `otlphttp`. Default: none. */
  headersSecret?: CollectorHeadersSecret;
}

/** CPU and memory of each collector pod. */
export interface CollectorResources {
  /** CPU request. Default `"100m"`. */
  cpu?: string;
  /** Memory request. Default `"256Mi"`. */
  memory?: string;
  /**
   * Memory limit; the `memory_limiter` processor refuses spans above 80 % of it and the Go
   * runtime's `GOMEMLIMIT` is set to 80 % of it. Default `"512Mi"`.
   */
  memoryLimit?: string;
}

/** A source of spans the collector accepts (namespace and pod labels are ANDed when both are given). */
export interface CollectorPeer {
  /** Namespace name. Default: every namespace. */
  namespace?: string;
  /** Pod labels. Default: every pod (of that namespace). */
  podLabels?: Record<string, string>;
}

/**
 * Arguments of {@link OpenTelemetryCollector}; plain values, validated before anything
 * registers.
 */
export interface OpenTelemetryCollectorArgs {
  /** The Kubernetes provider of the target cluster. Default: the ambient provider. */
  provider?: Provider;
  /** Namespace of the collector (created when missing). Default `observability`. */
  namespace?: string;
  /**
   * Name of the collector's Service (and Deployment): what `OnnxService`'s and `EdgeFleet`'s
   * `tracing.collector.name` address. Default `otel-collector`.
   */
  serviceName?: string;
  /** Collector replicas, 1–20 (a PodDisruptionBudget keeps one up from 2). Default 2. */
  replicas?: number;
  /** Where spans go. Default `{ type: "debug" }` (the collector's log; nothing is kept). */
  exporter?: CollectorExporter;
  /** CPU and memory of each pod. Defaults in {@link CollectorResources}. */
  resources?: CollectorResources;
  /**
   * Who may send spans (OTLP gRPC 4317 and HTTP 4318), as the chart's NetworkPolicy. Default:
   * pods of every namespace of the cluster, nothing from outside it.
   */
  allowFrom?: CollectorPeer[];
  /** Collector image tag. Default the chart's app version, {@link OTEL_COLLECTOR_CHART}'s `appVersion`. */
  imageTag?: string;
}
