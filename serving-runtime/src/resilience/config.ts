import { z } from "zod";
import { describeValue } from "../protocol/flatten-data";

/** Why the runtime may answer a request from a model's fallback model instead of the model. */
export const FALLBACK_TRIGGERS = ["timeout", "error", "overload"] as const;

/**
 * A condition that sends a request to the fallback model:
 * `timeout` (the request's queue or execution timeout expired), `error` (inference failed),
 * `overload` (the model's queue was full).
 */
export type FallbackTrigger = (typeof FALLBACK_TRIGGERS)[number];

/** Defaults of every `circuit_breaker` key, applied when the key is absent from `config.json`. */
export const CIRCUIT_BREAKER_DEFAULTS = {
  failure_rate_threshold: 0.5,
  window_size: 20,
  minimum_requests: 10,
  latency_quantile: 0.5,
  open_duration_ms: 30_000,
  half_open_max_probes: 3,
} as const;

const positiveInteger = (field: string, max: number) =>
  z
    .number({ error: `${field} must be a number` })
    .int({ error: `${field} must be a whole number` })
    .min(1, { error: `${field} must be at least 1` })
    .max(max, { error: `${field} must be at most ${max}` });

const fraction = (field: string) =>
  z
    .number({ error: `${field} must be a number` })
    .gt(0, { error: `${field} must be greater than 0` })
    .max(1, { error: `${field} must be at most 1` });

/**
 * Schema of a model's `circuit_breaker` block in `config.json` (snake_case, like Triton's keys).
 * Unknown keys are rejected so that a misspelt key cannot silently fall back to its default, and
 * `minimum_requests` may not exceed `window_size`. Parsing applies the defaults.
 */
export const circuitBreakerConfigSchema = z
  .strictObject({
    /** Fraction of failed calls in the window (0 < x ≤ 1) at which the breaker opens. Default 0.5. */
    failure_rate_threshold: fraction("failure_rate_threshold").default(
      CIRCUIT_BREAKER_DEFAULTS.failure_rate_threshold,
    ),
    /**
     * Latency in milliseconds above which a call is slow. The breaker opens when the
     * `latency_quantile` of call latencies in the window exceeds it, and a slow probe counts as a
     * failed probe. Absent: latency never opens the breaker.
     */
    latency_threshold_ms: z
      .number({ error: "latency_threshold_ms must be a number" })
      .gt(0, { error: "latency_threshold_ms must be greater than 0" })
      .optional(),
    /** Quantile (0 < q ≤ 1, nearest rank) compared with `latency_threshold_ms`. Default 0.5. */
    latency_quantile: fraction("latency_quantile").default(
      CIRCUIT_BREAKER_DEFAULTS.latency_quantile,
    ),
    /** Number of most recent calls the failure rate and latency quantile are computed over. Default 20. */
    window_size: positiveInteger("window_size", 10_000).default(
      CIRCUIT_BREAKER_DEFAULTS.window_size,
    ),
    /** Calls the window must hold before the breaker may open. Default 10. */
    minimum_requests: positiveInteger("minimum_requests", 10_000).default(
      CIRCUIT_BREAKER_DEFAULTS.minimum_requests,
    ),
    /** Milliseconds the breaker stays open before letting probes through. Default 30000. */
    open_duration_ms: positiveInteger("open_duration_ms", 86_400_000).default(
      CIRCUIT_BREAKER_DEFAULTS.open_duration_ms,
    ),
    /**
     * Probe calls let through while half-open; the breaker closes when all of them succeed and
     * reopens on the first failed one. Default 3.
     */
    half_open_max_probes: positiveInteger("half_open_max_probes", 1_000).default(
      CIRCUIT_BREAKER_DEFAULTS.half_open_max_probes,
    ),
  })
  .refine((config) => config.minimum_requests <= config.window_size, {
    path: ["minimum_requests"],
    error: "minimum_requests must not exceed window_size, or the breaker could never open",
  });

/** A model's resolved circuit breaker settings, every default applied. */
export type CircuitBreakerConfig = z.output<typeof circuitBreakerConfigSchema>;

/** A model's `circuit_breaker` block as written in `config.json` (every key optional). */
export type CircuitBreakerConfigInput = z.input<typeof circuitBreakerConfigSchema>;

const fallbackConditions = z
  .array(
    z.enum(FALLBACK_TRIGGERS, {
      error: `on entries must be one of ${FALLBACK_TRIGGERS.join(", ")}`,
    }),
  )
  .min(1, { error: "on must list at least one condition" })
  .refine((on) => new Set(on).size === on.length, { error: "on must not repeat a condition" })
  .default([...FALLBACK_TRIGGERS]);

/** Schema of a model's `fallback` block in `config.json` that names another model of the repository. */
export const fallbackConfigSchema = z.strictObject({
  /** Name of the model that answers instead of this one. */
  model: z
    .string({ error: "model must be a string naming another model of the repository" })
    .min(1, { error: "model must not be empty" }),
  /** Conditions that send a request to the fallback model. Default: all of them. */
  on: fallbackConditions,
});

/** Default wait for a remote fallback endpoint's answer, in milliseconds (EdgeFleet's default too). */
export const REMOTE_FALLBACK_TIMEOUT_MS = 5000;

/** Why a remote URL is refused, or `undefined` when it is a usable `http(s)://` base URL. */
export function remoteUrlProblem(url: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return "url must be an absolute http:// or https:// URL, e.g. https://inference.example.com";
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
    return "url must start with http:// or https://";
  }
  if (parsed.search || parsed.hash) return "url must not carry a query or fragment";
  if (parsed.username || parsed.password) {
    return "url must not carry credentials; put the bearer token in token_file";
  }
  return undefined;
}

/** A remote Open Inference Protocol endpoint: base URL, bearer token file and timeout. */
const remoteEndpointShape = {
  /**
   * Base URL of the endpoint, `http(s)://host[:port][/path]`; requests go to
   * `{url}/v2/models/{model}/infer` with this model's name.
   */
  url: z
    .string({ error: "url must be a string, the base URL of an Open Inference Protocol endpoint" })
    .superRefine((url, context) => {
      const problem = remoteUrlProblem(url);
      if (problem) context.addIssue({ code: "custom", message: problem });
    })
    .transform((url) => url.replace(/\/+$/, "")),
  /** File holding the bearer token sent as `Authorization: Bearer …`; re-read when it changes. */
  token_file: z
    .string({ error: "token_file must be a string, the path of a file holding the token" })
    .min(1, { error: "token_file must not be empty" })
    .optional(),
  /** Milliseconds to wait for the endpoint's whole answer, 1–600000. Default 5000. */
  timeout_ms: z
    .number({ error: "timeout_ms must be a number" })
    .int({ error: "timeout_ms must be a whole number of milliseconds" })
    .min(1, { error: "timeout_ms must be at least 1" })
    .max(600_000, { error: "timeout_ms must be at most 600000" })
    .default(REMOTE_FALLBACK_TIMEOUT_MS),
};

/** Schema of a model's `fallback` block in `config.json` that names a remote endpoint. */
export const remoteFallbackConfigSchema = z.strictObject({
  ...remoteEndpointShape,
  /** Conditions that forward a request to the endpoint. Default: all of them. */
  on: fallbackConditions,
  /**
   * The endpoint's own circuit breaker (same keys as the model's `circuit_breaker`). Default: the
   * breaker's defaults, without a latency threshold (`timeout_ms` bounds latency).
   */
  circuit_breaker: z.unknown().optional(),
});

/** Schema of a remote endpoint block (`url`, `token_file`, `timeout_ms`) inside another block. */
export const remoteEndpointSchema = z.object(remoteEndpointShape);

/** A model's resolved fallback to another model of the repository. */
export type LocalFallbackConfig = z.output<typeof fallbackConfigSchema>;

/** A model's resolved fallback to a remote endpoint; `circuit_breaker` is validated and resolved. */
export type RemoteFallbackConfig = Omit<
  z.output<typeof remoteFallbackConfigSchema>,
  "circuit_breaker"
> & { circuit_breaker: CircuitBreakerConfig };

/** A model's resolved fallback settings: another model (`model`) or a remote endpoint (`url`). */
export type FallbackConfig = LocalFallbackConfig | RemoteFallbackConfig;

/** A model's `fallback` block as written in `config.json`. */
export type FallbackConfigInput =
  | z.input<typeof fallbackConfigSchema>
  | z.input<typeof remoteFallbackConfigSchema>;

/** Whether a resolved fallback forwards to a remote endpoint. */
export function isRemoteFallback(
  fallback: FallbackConfig | undefined,
): fallback is RemoteFallbackConfig {
  return fallback !== undefined && "url" in fallback;
}

/** A `circuit_breaker`, `fallback` or `shadow` block of a model's `config.json` that is invalid. */
export class ResilienceConfigError extends Error {
  /**
   * @param model Model whose `config.json` holds the block.
   * @param field Dotted path of the offending key, e.g. `circuit_breaker.window_size`.
   * @param value The value found there.
   * @param allowed What the key accepts.
   */
  constructor(
    readonly model: string,
    readonly field: string,
    readonly value: unknown,
    readonly allowed: string,
  ) {
    super(
      `model "${model}": config.json ${field} = ${value === undefined ? "undefined" : describeValue(value)} is invalid: ${allowed}`,
    );
    this.name = "ResilienceConfigError";
  }
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let current = input;
  for (const key of path) {
    if (current === null || typeof current !== "object") return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}

/**
 * Validates one of hybridai's blocks of a model's `config.json` against its schema.
 * @param schema the block's schema (strict: unknown keys are named with the allowed ones)
 * @param block the block's key, e.g. `fallback`, prefixed to the offending field
 * @param model the model, quoted in errors
 * @param input the block as read; `undefined` parses as `{}`
 * @throws ResilienceConfigError naming the model, the field, its value and what is allowed
 */
export function parseConfigBlock<S extends z.ZodObject>(
  schema: S,
  block: string,
  model: string,
  input: unknown,
): z.output<S> {
  const result = schema.safeParse(input ?? {});
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  if (issue.code === "unrecognized_keys") {
    const key = issue.keys[0];
    throw new ResilienceConfigError(
      model,
      [block, ...issue.path.map(String), key].join("."),
      valueAt(input, [...issue.path, key]),
      `unknown key; allowed keys are ${Object.keys(schema.shape).join(", ")}`,
    );
  }
  const field = [block, ...issue.path.map(String)].join(".");
  throw new ResilienceConfigError(model, field, valueAt(input, issue.path), issue.message);
}

/**
 * Validates a model's `circuit_breaker` block and applies the defaults.
 * @param model Model name, quoted in errors.
 * @param input The block as read from `config.json`; `undefined` gives all defaults.
 * @throws ResilienceConfigError naming the model, the key, its value and what is allowed.
 */
export function parseCircuitBreakerConfig(model: string, input: unknown): CircuitBreakerConfig {
  return parseConfigBlock(circuitBreakerConfigSchema, "circuit_breaker", model, input);
}

/**
 * Validates a model's `fallback` block and applies the defaults. The block names either another
 * model of the repository (`model`) or a remote Open Inference Protocol endpoint (`url`, with
 * `token_file`, `timeout_ms` and its own `circuit_breaker`), never both.
 * @param model Model name, quoted in errors; a model may not name itself as its fallback.
 * @param input The block as read from `config.json`.
 * @param knownModels When given, a fallback model must be one of these names.
 * @throws ResilienceConfigError naming the model, the key, its value and what is allowed.
 */
export function parseFallbackConfig(
  model: string,
  input: unknown,
  knownModels?: readonly string[],
): FallbackConfig {
  const block =
    input !== null && typeof input === "object" ? (input as Record<string, unknown>) : {};
  if ("url" in block && "model" in block) {
    throw new ResilienceConfigError(
      model,
      "fallback",
      input,
      "give either model (a model of this repository) or url (a remote endpoint), not both",
    );
  }
  if (!("url" in block) && !("model" in block)) {
    throw new ResilienceConfigError(
      model,
      "fallback",
      input,
      "name model (another model of this repository) or url (a remote Open Inference Protocol endpoint)",
    );
  }
  if ("url" in block) {
    const remote = parseConfigBlock(remoteFallbackConfigSchema, "fallback", model, input);
    return {
      ...remote,
      circuit_breaker: parseConfigBlock(
        circuitBreakerConfigSchema,
        "fallback.circuit_breaker",
        model,
        remote.circuit_breaker,
      ),
    };
  }
  const config = parseConfigBlock(fallbackConfigSchema, "fallback", model, input);
  if (config.model === model) {
    throw new ResilienceConfigError(
      model,
      "fallback.model",
      config.model,
      "a model cannot be its own fallback; name another model of the repository",
    );
  }
  if (knownModels && !knownModels.includes(config.model)) {
    throw new ResilienceConfigError(
      model,
      "fallback.model",
      config.model,
      `no such model in the repository; known models: ${knownModels.join(", ") || "(none)"}`,
    );
  }
  return config;
}
