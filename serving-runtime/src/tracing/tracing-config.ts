import type { TraceSettingValues } from "./trace-settings";

/** What the tracing flags say (each overrides its `OTEL_*` variable). */
export interface TracingFlags {
  /** `--trace-endpoint`: the OTLP/HTTP base URL (`/v1/traces` is appended). */
  endpoint?: string;
  /** `--trace-sample-rate`: share of requests that start a trace, 0–1. */
  sampleRate?: number;
  /** `--trace-service-name`: the `service.name` resource attribute. */
  serviceName?: string;
}

/** How the runtime traces, resolved from flags and the standard `OTEL_*` variables. */
export interface TracingConfig {
  /** The OTLP/HTTP traces URL spans are exported to. */
  tracesUrl: string;
  /** `service.name` from the flag; absent: `OTEL_SERVICE_NAME`, else `hybridai-serving-runtime`. */
  serviceName?: string;
  /** Initial global settings of the trace extension. */
  settings: TraceSettingValues;
  /** Whether a remote parent's sampled flag decides (the `parentbased_*` samplers). */
  parentBased: boolean;
}

/** An `OTEL_*` variable or tracing flag that cannot be used. */
export class TracingConfigError extends Error {
  /** @param message what is wrong and what is allowed */
  constructor(message: string) {
    super(message);
    this.name = "TracingConfigError";
  }
}

const SAMPLERS = [
  "always_on",
  "always_off",
  "traceidratio",
  "parentbased_always_on",
  "parentbased_always_off",
  "parentbased_traceidratio",
];

function checkUrl(url: string, source: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new TracingConfigError(
      `${source}: '${url}' is not a URL; expected e.g. http://otel-collector:4318`,
    );
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
    throw new TracingConfigError(
      `${source}: '${url}' must be an http:// or https:// URL (OTLP over HTTP)`,
    );
  }
  return url;
}

function tracesUrlOf(base: string, source: string): string {
  return `${checkUrl(base, source).replace(/\/+$/, "")}/v1/traces`;
}

/** A share of requests as Triton's "one in every N": 0 means none (level OFF). */
function rateOf(
  raw: number | string,
  source: string,
): Pick<TraceSettingValues, "trace_level" | "trace_rate"> {
  const ratio = typeof raw === "number" ? raw : raw.trim() === "" ? Number.NaN : Number(raw);
  if (!Number.isFinite(ratio) || ratio < 0 || ratio > 1) {
    throw new TracingConfigError(`${source}: '${raw}' must be a number from 0 to 1`);
  }
  if (ratio === 0) return { trace_level: "OFF", trace_rate: 1 };
  return { trace_level: "TIMESTAMPS", trace_rate: Math.max(1, Math.round(1 / ratio)) };
}

function samplerSettings(
  env: NodeJS.ProcessEnv,
  flagRate: number | undefined,
): { rate: Pick<TraceSettingValues, "trace_level" | "trace_rate">; parentBased: boolean } {
  const sampler = (env.OTEL_TRACES_SAMPLER ?? "parentbased_always_on").trim().toLowerCase();
  if (!SAMPLERS.includes(sampler)) {
    throw new TracingConfigError(
      `OTEL_TRACES_SAMPLER: '${sampler}' is not supported; use one of ${SAMPLERS.join(", ")}`,
    );
  }
  const parentBased = sampler.startsWith("parentbased_");
  if (flagRate !== undefined) return { rate: rateOf(flagRate, "--trace-sample-rate"), parentBased };
  if (sampler.endsWith("always_off"))
    return { rate: rateOf(0, "OTEL_TRACES_SAMPLER"), parentBased };
  if (sampler.endsWith("always_on")) return { rate: rateOf(1, "OTEL_TRACES_SAMPLER"), parentBased };
  const arg = env.OTEL_TRACES_SAMPLER_ARG;
  return {
    rate: rateOf(arg === undefined || arg === "" ? 1 : arg, "OTEL_TRACES_SAMPLER_ARG"),
    parentBased,
  };
}

/**
 * Resolves tracing from flags and the standard OpenTelemetry variables. Tracing is off (undefined)
 * unless an exporter endpoint is given: `--trace-endpoint`, `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`
 * (used as is) or `OTEL_EXPORTER_OTLP_ENDPOINT` (`/v1/traces` appended); `OTEL_SDK_DISABLED=true`
 * or `OTEL_TRACES_EXPORTER=none` turn it off whatever the endpoint. The endpoint comes only from
 * the command line or the environment, never from a request or the model repository.
 *
 * @param flags the tracing flags
 * @param env the environment; `process.env` by default
 * @throws TracingConfigError naming the variable or flag that is wrong
 */
export function resolveTracing(
  flags: TracingFlags,
  env: NodeJS.ProcessEnv = process.env,
): TracingConfig | undefined {
  if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === "true") return undefined;
  const exporter = env.OTEL_TRACES_EXPORTER?.trim().toLowerCase();
  if (exporter === "none") return undefined;
  if (exporter !== undefined && exporter !== "" && exporter !== "otlp") {
    throw new TracingConfigError(
      `OTEL_TRACES_EXPORTER: '${exporter}' is not supported; use otlp (or none to turn tracing off)`,
    );
  }
  let tracesUrl: string | undefined;
  if (flags.endpoint !== undefined) tracesUrl = tracesUrlOf(flags.endpoint, "--trace-endpoint");
  else if (env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) {
    tracesUrl = checkUrl(
      env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT,
      "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
    );
  } else if (env.OTEL_EXPORTER_OTLP_ENDPOINT) {
    tracesUrl = tracesUrlOf(env.OTEL_EXPORTER_OTLP_ENDPOINT, "OTEL_EXPORTER_OTLP_ENDPOINT");
  }
  if (tracesUrl === undefined) return undefined;
  const protocol = (
    env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL ?? env.OTEL_EXPORTER_OTLP_PROTOCOL
  )?.trim();
  if (protocol !== undefined && protocol !== "" && protocol !== "http/protobuf") {
    throw new TracingConfigError(
      `OTEL_EXPORTER_OTLP_PROTOCOL: '${protocol}' is not supported; the runtime exports http/protobuf`,
    );
  }
  const { rate, parentBased } = samplerSettings(env, flags.sampleRate);
  return {
    tracesUrl,
    serviceName: flags.serviceName,
    settings: { ...rate, trace_count: -1, log_frequency: 0 },
    parentBased,
  };
}
