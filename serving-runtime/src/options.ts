import { parseArgs } from "node:util";
import { z } from "zod";
import type { TRAFFIC_TUNING_LIMITS, TrafficTuningLimits } from "./repository/traffic-tuning";
import { parseTuningShapes, type TuningShapes } from "./runtime/tuning-shapes";
import { resolveTracing, type TracingConfig, TracingConfigError } from "./tracing/tracing-config";

/** Server settings from flags and `HYBRIDAI_*` environment variables. */
export interface ServerOptions {
  /** Model repository directory (`--model-repository`, `HYBRIDAI_MODEL_REPOSITORY`). */
  modelRepository: string;
  /** Address to listen on (`--host`, `HYBRIDAI_HOST`); default 127.0.0.1. */
  host: string;
  /** Port (`--port`, `HYBRIDAI_PORT`); default 8000, 0 picks a free port. */
  port: number;
  /**
   * gRPC port (`--grpc-port`, `HYBRIDAI_GRPC_PORT`): the Open Inference Protocol over gRPC
   * (Triton's `inference.GRPCInferenceService`) and `grpc.health.v1.Health`; default 8001 as
   * Triton, 0 disables gRPC.
   */
  grpcPort: number;
  /** Largest request body in bytes (`--body-limit-bytes`); default 64 MiB; also the largest gRPC request message. */
  bodyLimitBytes: number;
  /** File holding the bearer token for inference and metadata (`--auth-token-file`). */
  authTokenFile?: string;
  /** File holding the bearer token for repository load/unload (`--repository-auth-token-file`). */
  repositoryAuthTokenFile?: string;
  /** Longest the whole drain after SIGTERM may take, grace included (`--drain-timeout-seconds`); default 20. */
  drainTimeoutSeconds: number;
  /**
   * Seconds the server keeps accepting and serving new requests after SIGTERM, while load
   * balancers stop routing to it (`--drain-grace-seconds`); default 5. Skipped on SIGINT.
   */
  drainGraceSeconds: number;
  /**
   * `max_batch_size` of a config-less model that can batch (`--default-max-batch-size`): `auto`
   * (default) measures the knee at load; a number fills it in as Triton does; 0 disables batching.
   */
  defaultMaxBatchSize: number | "auto";
  /**
   * Batch-1 execution time in µs up to which a model runs on the event loop rather than in worker
   * threads (`--inline-threshold-microseconds`); default 100.
   */
  inlineThresholdMicroseconds: number;
  /** Item shapes to time models with dynamic dimensions beyond the batch on (`--tuning-shapes`). */
  tuningShapes?: TuningShapes;
  /**
   * When models with dynamic dimensions beyond the batch (and no `--tuning-shapes` or config
   * dims) decide from the item shapes their requests carry; not a flag: the documented defaults
   * ({@link TRAFFIC_TUNING_LIMITS}) unless a program embedding the server sets them.
   */
  trafficTuning?: TrafficTuningLimits;
  /** Intra-op threads per session (`--intra-op-threads`); default 1 (parallelism comes from instances). */
  intraOpThreads?: number;
  /** Inter-op threads per session (`--inter-op-threads`); default 1. */
  interOpThreads: number;
  /** Queue bound for models whose config leaves `max_queue_size` at 0 (`--max-queue-size`); default 1024. */
  maxQueueSize: number;
  /** Response cache size in bytes for models with `response_cache.enable` (`--cache-size-bytes`); default 64 MiB, 0 disables. */
  cacheSizeBytes: number;
  /** Server readiness requires every model ready (`--strict-readiness`); default true. */
  strictReadiness: boolean;
  /** pino log level (`--log-level`); default info. */
  logLevel: "fatal" | "error" | "warn" | "info" | "debug" | "trace" | "silent";
  /**
   * Rows each input's drift window holds, for model versions with a `baseline.json`
   * (`--drift-window`); default 1000, 0 turns drift off.
   */
  driftWindow?: number;
  /** Where audit records go: `stdout` or a file path (`--audit-log`); no audit log when absent. */
  auditLog?: string;
  /** Share of inference requests audited, 0–1 (`--audit-sample-rate`); default 1 (all). */
  auditSampleRate?: number;
  /** Audit bytes buffered before records are dropped and counted (`--audit-buffer-bytes`); default 8 MiB. */
  auditBufferBytes?: number;
  /** Request and response bytes copied into each audit record (`--audit-payload-bytes`); default 0 (none). */
  auditPayloadBytes?: number;
  /** Named clients with their token hashes and limits (`--tokens-file`). */
  tokensFile?: string;
  /**
   * Who may change which models are served, as Triton names it (`--model-control-mode`):
   * `none` (default: every model of the repository is loaded at start and the load/unload API
   * answers 403), `explicit` (load/unload for the holder of `--repository-auth-token-file`, which
   * it requires) or `poll` (the repository is re-read every `--repository-poll-seconds`; models
   * added, changed or removed there are loaded, reloaded or unloaded; the API answers 403).
   */
  modelControlMode: ModelControlMode;
  /** Seconds between two reads of the repository with `--model-control-mode poll` (`--repository-poll-seconds`); default 15. */
  repositoryPollSeconds: number;
  /**
   * Port of `/metrics` (`--metrics-port`), as Triton's 8002: metrics then leave the main port.
   * Absent (default): `/metrics` is served on the main port.
   */
  metricsPort?: number;
  /** Label per-client metrics with the client's name (`--metrics-client-labels`); default false. */
  metricsClientLabels: boolean;
  /**
   * Longest a client may take to send a request's headers and body (`--request-timeout-seconds`);
   * default 60. A request still arriving then is answered 408 and its connection closed.
   */
  requestTimeoutSeconds: number;
  /**
   * OTLP/HTTP base URL spans are exported to (`--trace-endpoint`, `HYBRIDAI_TRACE_ENDPOINT`; else
   * `OTEL_EXPORTER_OTLP_ENDPOINT`); tracing is off without one.
   */
  traceEndpoint?: string;
  /** Share of requests that start a trace, 0–1 (`--trace-sample-rate`; else `OTEL_TRACES_SAMPLER_ARG`). */
  traceSampleRate?: number;
  /** The `service.name` of exported spans (`--trace-service-name`; else `OTEL_SERVICE_NAME`). */
  traceServiceName?: string;
  /**
   * Tracing as resolved from the three flags above and the standard `OTEL_*` variables; absent
   * when tracing is off (the default).
   */
  tracing?: TracingConfig;
}

/** The model control modes of `--model-control-mode`. */
export const MODEL_CONTROL_MODES = ["none", "explicit", "poll"] as const;

/** Who may change which models are served; see {@link ServerOptions.modelControlMode}. */
export type ModelControlMode = (typeof MODEL_CONTROL_MODES)[number];

/**
 * What is wrong with the model control settings, or undefined: `explicit` needs a repository
 * token, since it opens the load/unload API.
 *
 * @param options the model control mode and the repository token file
 */
export function modelControlProblem(
  options: Pick<ServerOptions, "modelControlMode" | "repositoryAuthTokenFile">,
): string | undefined {
  if (options.modelControlMode === "explicit" && options.repositoryAuthTokenFile === undefined) {
    return (
      "--model-control-mode explicit needs --repository-auth-token-file: the load/unload API " +
      "it opens is for the holder of the repository token only"
    );
  }
  return undefined;
}

/** A problem with the flags or environment; the CLI prints it with the usage and exits 2. */
export class OptionsError extends Error {
  override name = "OptionsError";
}

interface OptionSpec {
  flag: string;
  env: string;
  key: keyof ServerOptions;
  schema: z.ZodType;
  help: string;
}

const integer = (min: number, max = Number.MAX_SAFE_INTEGER) =>
  z.coerce
    .number({ error: "expected a number" })
    .int({ error: "expected an integer" })
    .min(min, { error: `expected at least ${min}` })
    .max(max, { error: `expected at most ${max}` });

const boolean = z.enum(["true", "false", "1", "0"]).transform((v) => v === "true" || v === "1");

const seconds = (max: number) =>
  z.coerce
    .number({ error: "expected a number of seconds" })
    .min(0, { error: "expected at least 0" })
    .max(max, { error: `expected at most ${max}` });

/** Every option: flag, environment variable, schema and help line. */
export const OPTION_SPECS: readonly OptionSpec[] = [
  {
    flag: "model-repository",
    env: "HYBRIDAI_MODEL_REPOSITORY",
    key: "modelRepository",
    schema: z.string().min(1),
    help: "model repository directory (required)",
  },
  {
    flag: "host",
    env: "HYBRIDAI_HOST",
    key: "host",
    schema: z.string().min(1).default("127.0.0.1"),
    help: "address to listen on (default 127.0.0.1; 0.0.0.0 in a container)",
  },
  {
    flag: "port",
    env: "HYBRIDAI_PORT",
    key: "port",
    schema: integer(0, 65535).default(8000),
    help: "HTTP port (default 8000; 0 = any free port)",
  },
  {
    flag: "grpc-port",
    env: "HYBRIDAI_GRPC_PORT",
    key: "grpcPort",
    schema: integer(0, 65535).default(8001),
    help: "gRPC port (default 8001; 0 = no gRPC)",
  },
  {
    flag: "body-limit-bytes",
    env: "HYBRIDAI_BODY_LIMIT_BYTES",
    key: "bodyLimitBytes",
    schema: integer(1024).default(64 * 1024 * 1024),
    help: "largest request body or gRPC message, bytes (default 67108864)",
  },
  {
    flag: "auth-token-file",
    env: "HYBRIDAI_AUTH_TOKEN_FILE",
    key: "authTokenFile",
    schema: z.string().min(1).optional(),
    help: "file with the bearer token required for inference and metadata",
  },
  {
    flag: "repository-auth-token-file",
    env: "HYBRIDAI_REPOSITORY_AUTH_TOKEN_FILE",
    key: "repositoryAuthTokenFile",
    schema: z.string().min(1).optional(),
    help: "file with the bearer token required for repository load/unload",
  },
  {
    flag: "drain-timeout-seconds",
    env: "HYBRIDAI_DRAIN_TIMEOUT_SECONDS",
    key: "drainTimeoutSeconds",
    schema: integer(0, 3600).default(20),
    help: "longest drain after SIGTERM, grace included (default 20)",
  },
  {
    flag: "drain-grace-seconds",
    env: "HYBRIDAI_DRAIN_GRACE_SECONDS",
    key: "drainGraceSeconds",
    schema: seconds(3600).default(5),
    help: "seconds new requests are still served after SIGTERM (default 5)",
  },
  {
    flag: "default-max-batch-size",
    env: "HYBRIDAI_DEFAULT_MAX_BATCH_SIZE",
    key: "defaultMaxBatchSize",
    schema: z.union([z.literal("auto"), integer(0, 1 << 20)]).default("auto"),
    help: "max_batch_size of config-less models: auto (measured), N, or 0 (default auto)",
  },
  {
    flag: "inline-threshold-microseconds",
    env: "HYBRIDAI_INLINE_THRESHOLD_MICROSECONDS",
    key: "inlineThresholdMicroseconds",
    schema: integer(0, 10_000_000).default(100),
    help: "models this fast (batch 1, µs) run on the event loop (default 100)",
  },
  {
    flag: "tuning-shapes",
    env: "HYBRIDAI_TUNING_SHAPES",
    key: "tuningShapes",
    schema: z
      .string()
      .transform((text, context) => {
        try {
          return parseTuningShapes(text);
        } catch (error) {
          context.addIssue({ code: "custom", message: (error as Error).message });
          return z.NEVER;
        }
      })
      .optional(),
    help: "item shapes to time models with dynamic dims beyond the batch on: <model>:<input>=3x48x192[,…][;…] (default: config dims, else 1)",
  },
  {
    flag: "intra-op-threads",
    env: "HYBRIDAI_INTRA_OP_THREADS",
    key: "intraOpThreads",
    schema: integer(1, 1024).optional(),
    help: "onnxruntime intra-op threads per session (default 1)",
  },
  {
    flag: "inter-op-threads",
    env: "HYBRIDAI_INTER_OP_THREADS",
    key: "interOpThreads",
    schema: integer(1, 1024).default(1),
    help: "onnxruntime inter-op threads per instance (default 1)",
  },
  {
    flag: "max-queue-size",
    env: "HYBRIDAI_MAX_QUEUE_SIZE",
    key: "maxQueueSize",
    schema: integer(1).default(1024),
    help: "queue bound for models without max_queue_size (default 1024)",
  },
  {
    flag: "cache-size-bytes",
    env: "HYBRIDAI_CACHE_SIZE_BYTES",
    key: "cacheSizeBytes",
    schema: integer(0).default(64 * 1024 * 1024),
    help: "response cache size, bytes (default 67108864; 0 disables)",
  },
  {
    flag: "strict-readiness",
    env: "HYBRIDAI_STRICT_READINESS",
    key: "strictReadiness",
    schema: boolean.default(true),
    help: "ready only when every model is ready: true|false (default true)",
  },
  {
    flag: "log-level",
    env: "HYBRIDAI_LOG_LEVEL",
    key: "logLevel",
    schema: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
    help: "log level (default info); onnxruntime's own log: errors, warnings too at debug/trace, none at fatal/silent",
  },
  {
    flag: "drift-window",
    env: "HYBRIDAI_DRIFT_WINDOW",
    key: "driftWindow",
    schema: integer(0, 100_000).optional(),
    help: "rows in each input's drift window, for versions with baseline.json (default 1000; 0 = off)",
  },
  {
    flag: "audit-log",
    env: "HYBRIDAI_AUDIT_LOG",
    key: "auditLog",
    schema: z.string().min(1).optional(),
    help: "write a JSON-lines audit record per inference request to stdout or this file",
  },
  {
    flag: "audit-sample-rate",
    env: "HYBRIDAI_AUDIT_SAMPLE_RATE",
    key: "auditSampleRate",
    schema: z.coerce
      .number({ error: "expected a number" })
      .gt(0, { error: "expected more than 0" })
      .max(1, { error: "expected at most 1" })
      .optional(),
    help: "share of inference requests audited, above 0 up to 1 (default 1 = every request)",
  },
  {
    flag: "audit-buffer-bytes",
    env: "HYBRIDAI_AUDIT_BUFFER_BYTES",
    key: "auditBufferBytes",
    schema: integer(4096, 1 << 30).optional(),
    help: "audit bytes waiting to be written before records are dropped and counted (default 8388608)",
  },
  {
    flag: "audit-payload-bytes",
    env: "HYBRIDAI_AUDIT_PAYLOAD_BYTES",
    key: "auditPayloadBytes",
    schema: integer(0, 1 << 20).optional(),
    help: "request and response bytes copied into each audit record (default 0 = none)",
  },
  {
    flag: "tokens-file",
    env: "HYBRIDAI_TOKENS_FILE",
    key: "tokensFile",
    schema: z.string().min(1).optional(),
    help: "named API tokens (SHA-256) with rate limits, daily quotas and allowed models (JSON)",
  },
  {
    flag: "model-control-mode",
    env: "HYBRIDAI_MODEL_CONTROL_MODE",
    key: "modelControlMode",
    schema: z
      .enum(MODEL_CONTROL_MODES, { error: "expected none, explicit or poll" })
      .default("none"),
    help: "none (load/unload API off), explicit (API for the repository token) or poll (default none)",
  },
  {
    flag: "repository-poll-seconds",
    env: "HYBRIDAI_REPOSITORY_POLL_SECONDS",
    key: "repositoryPollSeconds",
    schema: z.coerce
      .number({ error: "expected a number of seconds" })
      .min(0.1, { error: "expected at least 0.1" })
      .max(3600, { error: "expected at most 3600" })
      .default(15),
    help: "seconds between repository reads with --model-control-mode poll (default 15)",
  },
  {
    flag: "metrics-port",
    env: "HYBRIDAI_METRICS_PORT",
    key: "metricsPort",
    schema: integer(1, 65535).optional(),
    help: "serve /metrics on this port instead of the main one (Triton's is 8002)",
  },
  {
    flag: "metrics-client-labels",
    env: "HYBRIDAI_METRICS_CLIENT_LABELS",
    key: "metricsClientLabels",
    schema: boolean.default(false),
    help: "label per-client metrics with tokens-file client names: true|false (default false)",
  },
  {
    flag: "request-timeout-seconds",
    env: "HYBRIDAI_REQUEST_TIMEOUT_SECONDS",
    key: "requestTimeoutSeconds",
    schema: z.coerce
      .number({ error: "expected a number of seconds" })
      .min(0.1, { error: "expected at least 0.1" })
      .max(3600, { error: "expected at most 3600" })
      .default(60),
    help: "longest a client may take to send a request's headers and body; then 408 (default 60)",
  },
  {
    flag: "trace-endpoint",
    env: "HYBRIDAI_TRACE_ENDPOINT",
    key: "traceEndpoint",
    schema: z.string().min(1).optional(),
    help: "export OpenTelemetry traces over OTLP/HTTP (protobuf) to this base URL, e.g. http://otel-collector:4318 (default: OTEL_EXPORTER_OTLP_ENDPOINT; none = tracing off)",
  },
  {
    flag: "trace-sample-rate",
    env: "HYBRIDAI_TRACE_SAMPLE_RATE",
    key: "traceSampleRate",
    schema: z.coerce
      .number({ error: "expected a number" })
      .min(0, { error: "expected at least 0" })
      .max(1, { error: "expected at most 1" })
      .optional(),
    help: "share of requests that start a trace, 0 to 1; a sampled caller's trace is always followed (default: OTEL_TRACES_SAMPLER[_ARG], else 1)",
  },
  {
    flag: "trace-service-name",
    env: "HYBRIDAI_TRACE_SERVICE_NAME",
    key: "traceServiceName",
    schema: z.string().min(1).optional(),
    help: "service.name of exported spans (default: OTEL_SERVICE_NAME, else hybridai-serving-runtime)",
  },
];

/** The usage text printed by `--help` and after an options error. */
export function usage(): string {
  const lines = OPTION_SPECS.map(
    (spec) => `  --${spec.flag.padEnd(28)} ${spec.help}\n  ${"".padEnd(30)} env ${spec.env}`,
  );
  return [
    "Usage: hybridai-serve --model-repository DIR [--host H] [--port P] [--grpc-port G] [options]",
    "       hybridai-serve pull --from <uri> --to <dir>   (see hybridai-serve pull --help)",
    "       hybridai-serve profile --model-repository DIR --model M --data FILE   (see --help)",
    "       hybridai-serve example MODEL [--url URL]   (a JSON request for MODEL; see --help)",
    "",
    "Serves ONNX models over the Open Inference Protocol v2 (Triton-compatible HTTP/REST and gRPC).",
    "Flags take precedence over environment variables.",
    "",
    ...lines,
    `  --${"help".padEnd(28)} print this text`,
  ].join("\n");
}

/** What the command line asks for: run the server, or print help. */
export type Command = { kind: "serve"; options: ServerOptions } | { kind: "help" };

/**
 * Parses flags and `HYBRIDAI_*` variables (flags win) and validates every value. Throws an
 * {@link OptionsError} naming the flag or variable, the value and what is allowed.
 *
 * @param argv arguments after the script name
 * @param env environment variables
 */
export function parseCommandLine(argv: readonly string[], env: NodeJS.ProcessEnv): Command {
  let values: Record<string, string | boolean | undefined>;
  try {
    const parsed = parseArgs({
      args: [...argv],
      options: {
        help: { type: "boolean", short: "h" },
        ...Object.fromEntries(OPTION_SPECS.map((spec) => [spec.flag, { type: "string" as const }])),
      },
      strict: true,
      allowPositionals: false,
    });
    values = parsed.values;
  } catch (error) {
    throw new OptionsError((error as Error).message);
  }
  if (values.help) return { kind: "help" };
  const options: Record<string, unknown> = {};
  for (const spec of OPTION_SPECS) {
    const fromFlag = values[spec.flag] as string | undefined;
    const fromEnv = env[spec.env] === "" ? undefined : env[spec.env];
    const raw = fromFlag ?? fromEnv;
    const source = fromFlag !== undefined ? `--${spec.flag}` : spec.env;
    const result = spec.schema.safeParse(raw);
    if (!result.success) {
      const problem =
        raw === undefined ? "is required" : `'${raw}': ${result.error.issues[0].message}`;
      throw new OptionsError(
        `${raw === undefined ? `--${spec.flag} (or ${spec.env})` : source} ${problem} (${spec.help})`,
      );
    }
    options[spec.key] = result.data;
  }
  if (options.tokensFile !== undefined && options.authTokenFile !== undefined) {
    throw new OptionsError(
      "--auth-token-file and --tokens-file exclude each other: list every client, with its token's SHA-256, in the tokens file",
    );
  }
  const controlProblem = modelControlProblem(options as unknown as ServerOptions);
  if (controlProblem) throw new OptionsError(controlProblem);
  try {
    options.tracing = resolveTracing(
      {
        endpoint: options.traceEndpoint as string | undefined,
        sampleRate: options.traceSampleRate as number | undefined,
        serviceName: options.traceServiceName as string | undefined,
      },
      env,
    );
  } catch (error) {
    if (error instanceof TracingConfigError) throw new OptionsError(error.message);
    throw error;
  }
  return { kind: "serve", options: options as unknown as ServerOptions };
}
