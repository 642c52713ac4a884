import type * as inputs from "@pulumi/kubernetes/types/input";
import { HybridAiConfigError } from "../../errors";
import { assertWholeNumber } from "../../validate";
import { OTEL_COLLECTOR_DEFAULTS } from "../opentelemetry-collector/opentelemetry-collector-plan";
import { assertDns1035, assertNamespace, assertPodLabels } from "../validate";
import type { ServingTracing, TracingCollectorRef } from "./onnx-service-args";

/** Default share of requests a service starts a trace for. */
export const DEFAULT_TRACE_SAMPLE_RATE = 0.01;

/** The `OTEL_*` variables tracing sets on the serving container. */
export const TRACING_ENV_NAMES = [
  "OTEL_EXPORTER_OTLP_ENDPOINT",
  "OTEL_TRACES_SAMPLER",
  "OTEL_TRACES_SAMPLER_ARG",
  "OTEL_SERVICE_NAME",
  "OTEL_RESOURCE_ATTRIBUTES",
] as const;

/** The downward-API variables `OTEL_RESOURCE_ATTRIBUTES` refers to, by the attribute they fill. */
const DOWNWARD_ENV = [
  { name: "OTEL_K8S_POD_NAME", attribute: "k8s.pod.name", fieldPath: "metadata.name" },
  { name: "OTEL_K8S_NODE_NAME", attribute: "k8s.node.name", fieldPath: "spec.nodeName" },
] as const;

/** Resource attributes the plan sets itself; `resourceAttributes` may not name them. */
const DERIVED_ATTRIBUTES = [
  "service.name",
  "k8s.namespace.name",
  ...DOWNWARD_ENV.map((v) => v.attribute),
];

/**
 * A resource attribute key or value written into `OTEL_RESOURCE_ATTRIBUTES` unencoded: the W3C
 * baggage octets (printable ASCII but space, `"`, `,`, `;`, `\`) less `=` (the separator), `%`
 * (which readers percent-decode) and `$` (Kubernetes expands `$(VAR)` in env values).
 */
const ATTRIBUTE_TEXT = /^[!#&-+\-./0-:<>-[\]-~]{1,255}$/;
const SERVICE_NAME = /^[A-Za-z0-9][A-Za-z0-9._/-]{0,254}$/;

/** Where spans go, as the egress policy must admit it. */
export type TracingDestination =
  | { kind: "url"; url: string }
  | { kind: "collector"; namespace: string; port: number; podLabels?: Record<string, string> };

/** {@link ServingTracing} checked, with defaults applied. */
export interface ResolvedTracing {
  /** OTLP/HTTP base URL (`OTEL_EXPORTER_OTLP_ENDPOINT`). */
  endpoint: string;
  /** What the egress policy admits. */
  destination: TracingDestination;
  /** Share of requests that start a trace. */
  sampleRate: number;
  /** Whether a caller's sampled `traceparent` decides. */
  parentBased: boolean;
  /** `service.name`, when given. */
  serviceName?: string;
  /** Further resource attributes. */
  resourceAttributes: Record<string, string>;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

function checkEndpoint(component: string, field: string, value: unknown): string {
  const allowed =
    "an http:// or https:// URL of an OTLP/HTTP receiver without credentials, query or fragment, e.g. http://otel-collector.observability.svc:4318 (the runtime appends /v1/traces)";
  if (typeof value !== "string") throw new HybridAiConfigError(component, field, value, allowed);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new HybridAiConfigError(component, field, value, allowed);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new HybridAiConfigError(component, field, value, allowed);
  }
  if (url.username !== "" || url.password !== "") {
    throw new HybridAiConfigError(
      component,
      field,
      "a URL with credentials (not shown)",
      `${allowed}: a pod spec is readable by anyone who can list pods; let an in-cluster OpenTelemetryCollector add the credentials (exporter.headersSecret)`,
    );
  }
  if (url.search !== "" || url.hash !== "") {
    throw new HybridAiConfigError(component, field, value, allowed);
  }
  return value.replace(/\/+$/, "");
}

function checkCollector(
  component: string,
  field: string,
  collector: unknown,
): { endpoint: string; destination: TracingDestination } {
  if (!isRecord(collector)) {
    throw new HybridAiConfigError(
      component,
      field,
      collector,
      "{ name?, namespace?, port?, podLabels? } of an in-cluster OTLP collector",
    );
  }
  const ref = collector as TracingCollectorRef;
  const name = ref.name ?? OTEL_COLLECTOR_DEFAULTS.serviceName;
  assertDns1035(component, `${field}.name`, name);
  const namespace = ref.namespace ?? OTEL_COLLECTOR_DEFAULTS.namespace;
  assertNamespace(component, `${field}.namespace`, namespace);
  const port = assertWholeNumber(
    component,
    `${field}.port`,
    ref.port ?? OTEL_COLLECTOR_DEFAULTS.otlpHttpPort,
    1,
    65535,
  );
  const podLabels =
    ref.podLabels === undefined
      ? undefined
      : assertPodLabels(component, `${field}.podLabels`, ref.podLabels);
  return {
    endpoint: `http://${name}.${namespace}.svc:${port}`,
    destination: { kind: "collector", namespace, port, ...(podLabels ? { podLabels } : {}) },
  };
}

function checkAttributes(
  component: string,
  field: string,
  attributes: unknown,
): Record<string, string> {
  if (attributes === undefined) return {};
  if (!isRecord(attributes)) {
    throw new HybridAiConfigError(component, field, attributes, "a map of attribute → value");
  }
  for (const [key, value] of Object.entries(attributes)) {
    if (!ATTRIBUTE_TEXT.test(key) || typeof value !== "string" || !ATTRIBUTE_TEXT.test(value)) {
      throw new HybridAiConfigError(
        component,
        `${field}.${key}`,
        value,
        'a key and a string value of 1–255 printable ASCII characters without spaces or , ; = " \\ $ %',
      );
    }
    if (DERIVED_ATTRIBUTES.includes(key)) {
      throw new HybridAiConfigError(
        component,
        `${field}.${key}`,
        value,
        `no value: ${DERIVED_ATTRIBUTES.join(", ")} are set from the pod (service.name from serviceName)`,
      );
    }
  }
  return attributes as Record<string, string>;
}

/**
 * Checks a {@link ServingTracing} and applies its defaults; `undefined` when tracing is absent or
 * `enabled: false`. Throws {@link HybridAiConfigError} naming `<field>.<key>` for: both
 * `endpoint` and `collector`; an endpoint that is not an http(s) URL or carries credentials, a
 * query or a fragment; a bad collector name, namespace, port or pod label; a sample rate outside
 * 0–1; a non-boolean `parentBased` or `enabled`; a bad service name; a resource attribute that
 * cannot be written unencoded or that the plan sets itself.
 *
 * @param component the component, for errors
 * @param field the field path of the tracing settings, e.g. `tracing` or `sites[0].tracing`
 * @param tracing the settings as given
 */
export function resolveTracing(
  component: string,
  field: string,
  tracing: ServingTracing | undefined,
): ResolvedTracing | undefined {
  if (tracing === undefined) return undefined;
  if (!isRecord(tracing)) {
    throw new HybridAiConfigError(
      component,
      field,
      tracing,
      "{ endpoint? | collector?, sampleRate?, parentBased?, serviceName?, resourceAttributes?, enabled? }",
    );
  }
  const enabled = tracing.enabled ?? true;
  if (typeof enabled !== "boolean") {
    throw new HybridAiConfigError(component, `${field}.enabled`, enabled, "true or false");
  }
  if (!enabled) return undefined;
  if (tracing.endpoint !== undefined && tracing.collector !== undefined) {
    throw new HybridAiConfigError(
      component,
      field,
      "both endpoint and collector",
      "one of endpoint (a URL) or collector (an in-cluster Service), or neither for the default collector",
    );
  }
  const target =
    tracing.endpoint !== undefined
      ? (() => {
          const url = checkEndpoint(component, `${field}.endpoint`, tracing.endpoint);
          return { endpoint: url, destination: { kind: "url", url } as TracingDestination };
        })()
      : checkCollector(component, `${field}.collector`, tracing.collector ?? {});
  const sampleRate = tracing.sampleRate ?? DEFAULT_TRACE_SAMPLE_RATE;
  if (typeof sampleRate !== "number" || !(sampleRate >= 0 && sampleRate <= 1)) {
    throw new HybridAiConfigError(
      component,
      `${field}.sampleRate`,
      sampleRate,
      "a number from 0 to 1 (the share of requests that start a trace)",
    );
  }
  const parentBased = tracing.parentBased ?? true;
  if (typeof parentBased !== "boolean") {
    throw new HybridAiConfigError(component, `${field}.parentBased`, parentBased, "true or false");
  }
  if (
    tracing.serviceName !== undefined &&
    (typeof tracing.serviceName !== "string" || !SERVICE_NAME.test(tracing.serviceName))
  ) {
    throw new HybridAiConfigError(
      component,
      `${field}.serviceName`,
      tracing.serviceName,
      "letters, digits, '.', '_', '-', '/', starting with a letter or digit, at most 255 characters",
    );
  }
  return {
    ...target,
    sampleRate,
    parentBased,
    ...(tracing.serviceName !== undefined ? { serviceName: tracing.serviceName } : {}),
    resourceAttributes: checkAttributes(
      component,
      `${field}.resourceAttributes`,
      tracing.resourceAttributes,
    ),
  };
}

/**
 * Refuses an `env` entry that tracing sets (it would be given twice, and which one wins is up to
 * the container runtime).
 */
export function assertNoTracingEnv(
  component: string,
  env: Record<string, unknown> | undefined,
): void {
  const taken: readonly string[] = [...TRACING_ENV_NAMES, ...DOWNWARD_ENV.map((v) => v.name)];
  for (const name of Object.keys(env ?? {})) {
    if (taken.includes(name)) {
      throw new HybridAiConfigError(
        component,
        `env.${name}`,
        "set while tracing is on",
        "no value: tracing sets it; use the tracing settings instead",
      );
    }
  }
}

/**
 * The serving container's tracing environment, in order: the pod and node name from the
 * downward API, then the standard variables the runtime reads (endpoint, sampler and its
 * argument, service name, resource attributes). `OTEL_RESOURCE_ATTRIBUTES` refers to the
 * downward-API variables as `$(NAME)`, which Kubernetes expands because they come first.
 *
 * @param tracing the resolved settings
 * @param pod the Kubernetes name (the default service name) and namespace of the workload
 */
export function planTracingEnv(
  tracing: ResolvedTracing,
  pod: { name: string; namespace: string },
): inputs.core.v1.EnvVar[] {
  const attributes: Record<string, string> = {
    "k8s.namespace.name": pod.namespace,
    ...Object.fromEntries(DOWNWARD_ENV.map((v) => [v.attribute, `$(${v.name})`])),
    ...tracing.resourceAttributes,
  };
  return [
    ...DOWNWARD_ENV.map((v) => ({
      name: v.name,
      valueFrom: { fieldRef: { apiVersion: "v1", fieldPath: v.fieldPath } },
    })),
    { name: "OTEL_EXPORTER_OTLP_ENDPOINT", value: tracing.endpoint },
    {
      name: "OTEL_TRACES_SAMPLER",
      value: tracing.parentBased ? "parentbased_traceidratio" : "traceidratio",
    },
    { name: "OTEL_TRACES_SAMPLER_ARG", value: String(tracing.sampleRate) },
    { name: "OTEL_SERVICE_NAME", value: tracing.serviceName ?? pod.name },
    {
      name: "OTEL_RESOURCE_ATTRIBUTES",
      value: Object.entries(attributes)
        .map(([key, value]) => `${key}=${value}`)
        .join(","),
    },
  ];
}
