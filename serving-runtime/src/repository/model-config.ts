import { z } from "zod";
import { type Datatype, isDatatype } from "../protocol/datatypes";
import { formatZodIssues } from "../protocol/zod-issues";

const int = (min: number) => z.number().int().min(min);

/** A datatype as Triton configs spell it (`TYPE_FP32`, `TYPE_STRING`) or as the protocol does (`FP32`). */
const dataType = z.string().transform((value, context): Datatype => {
  const bare = value.startsWith("TYPE_") ? value.slice(5) : value;
  const name = bare === "STRING" ? "BYTES" : bare;
  if (isDatatype(name)) return name;
  context.addIssue({
    code: "custom",
    message: `unknown data_type '${value}'; use e.g. TYPE_FP32, TYPE_INT64, TYPE_STRING`,
  });
  return z.NEVER;
});

const tensorOverride = z.strictObject({
  name: z.string().min(1),
  data_type: dataType.optional(),
  /** Triton's image layout hint (`FORMAT_NCHW` …); informational for ONNX models. */
  format: z.enum(["FORMAT_NONE", "FORMAT_NHWC", "FORMAT_NCHW"]).optional(),
  dims: z.array(int(-1)).optional(),
});

const versionPolicy = z.union([
  z.strictObject({ latest: z.strictObject({ num_versions: int(1) }) }),
  z.strictObject({ all: z.strictObject({}) }),
  z.strictObject({ specific: z.strictObject({ versions: z.array(int(0)).min(1) }) }),
]);

const instanceGroup = z.strictObject({
  name: z.string().optional(),
  count: int(1).max(64).default(1),
  kind: z.enum(["KIND_AUTO", "KIND_CPU", "KIND_GPU"]).default("KIND_AUTO"),
  gpus: z.array(int(0)).optional(),
});

const queuePolicy = z.strictObject({
  max_queue_size: int(0).default(0),
  default_timeout_microseconds: int(0).default(0),
  allow_timeout_override: z.boolean().default(false),
  timeout_action: z.literal("REJECT").default("REJECT"),
});

const dynamicBatching = z.strictObject({
  max_queue_delay_microseconds: int(0).max(10_000_000).default(0),
  preferred_batch_size: z.array(int(1)).default([]),
  preserve_ordering: z
    .literal(false, { error: "preserve_ordering: true is not supported; remove it" })
    .optional(),
  default_queue_policy: queuePolicy.optional(),
});

const warmupInput = z.strictObject({
  data_type: dataType,
  dims: z.array(int(0)),
  zero_data: z.boolean().optional(),
  random_data: z.boolean().optional(),
});

const warmup = z.strictObject({
  name: z.string().min(1),
  batch_size: int(1).default(1),
  inputs: z.record(z.string(), warmupInput),
  /** Executions of the sample; Triton's 0 means once. */
  count: int(0).max(1000).default(1),
});

const stringValue = z.strictObject({ string_value: z.string() });

/**
 * Schema of a model's configuration: `config.json` (our JSON form of Triton's model
 * configuration), `config.pbtxt` (Triton's own text form, converted to the same shape) or a load
 * request's `parameters.config`.
 */
export const modelConfigSchema = z.strictObject({
  name: z.string().optional(),
  platform: z
    .enum(["onnxruntime_onnx", "ensemble"], {
      error: "platform must be onnxruntime_onnx or ensemble",
    })
    .optional(),
  backend: z.literal("onnxruntime").optional(),
  /** Absent: auto-completed at load (see `auto-complete.ts`); 0: no batching. */
  max_batch_size: int(0).optional(),
  default_model_filename: z
    .literal("model.onnx", { error: "only model.onnx is supported as default_model_filename" })
    .optional(),
  version_policy: versionPolicy.default({ latest: { num_versions: 1 } }),
  input: z.array(tensorOverride).default([]),
  output: z.array(tensorOverride).default([]),
  instance_group: z.array(instanceGroup).default([]),
  execution_providers: z
    .array(z.enum(["cuda", "cpu"]))
    .min(1)
    .optional(),
  parameters: z.record(z.string(), stringValue).default({}),
  dynamic_batching: dynamicBatching.optional(),
  model_warmup: z.array(warmup).default([]),
  response_cache: z.strictObject({ enable: z.boolean() }).optional(),
  fallback: z.unknown().optional(),
  circuit_breaker: z.unknown().optional(),
  shadow: z.unknown().optional(),
  /** hybridai's output histograms; validated against the signature at load (observability/). */
  output_distribution: z.unknown().optional(),
  /** Triton's ensemble steps (`platform: "ensemble"`); validated at load (ensemble/). */
  ensemble_scheduling: z.unknown().optional(),
});

/** A parsed model configuration with defaults applied; `max_batch_size` may still be open. */
export type ModelConfig = z.infer<typeof modelConfigSchema>;

/** A model configuration as served: `max_batch_size` resolved by the config or auto-complete. */
export type EffectiveConfig = ModelConfig & { max_batch_size: number };

/** One `model_warmup` entry. */
export type WarmupSample = ModelConfig["model_warmup"][number];

/** One `input`/`output` override. */
export type TensorOverride = ModelConfig["input"][number];

/**
 * Validates a model configuration (parsed `config.json` or `config.pbtxt`, or `{}` when there is
 * none) and applies Triton's defaults. Throws an `Error` naming every offending key and what is allowed.
 *
 * @param value parsed JSON
 * @param source where it came from, for the message (e.g. `models/x/config.json`)
 */
export function parseModelConfig(value: unknown, source: string): ModelConfig {
  const parsed = modelConfigSchema.safeParse(value);
  if (!parsed.success) throw new Error(`${source}: ${formatZodIssues(parsed.error, 5)}`);
  return parsed.data;
}
