import { z } from "zod";
import {
  parseConfigBlock,
  REMOTE_FALLBACK_TIMEOUT_MS,
  ResilienceConfigError,
  remoteUrlProblem,
} from "../resilience/config";

/** Defaults of the optional `shadow` keys. */
export const SHADOW_DEFAULTS = {
  tolerance: 1e-3,
  max_queue_size: 32,
  max_concurrency: 2,
  log_interval_ms: 10_000,
  timeout_ms: REMOTE_FALLBACK_TIMEOUT_MS,
} as const;

const wholeNumber = (field: string, min: number, max: number) =>
  z
    .number({ error: `${field} must be a number` })
    .int({ error: `${field} must be a whole number` })
    .min(min, { error: `${field} must be at least ${min}` })
    .max(max, { error: `${field} must be at most ${max}` });

/**
 * Schema of a model's `shadow` block in `config.json` (snake_case like the rest of the file).
 * Unknown keys are rejected; `model` and `url` exclude each other (checked by
 * {@link parseShadowConfig}).
 */
export const shadowConfigSchema = z.strictObject({
  /** Another model of this repository that gets the copies. */
  model: z
    .string({ error: "model must be a string naming another model of the repository" })
    .min(1, { error: "model must not be empty" })
    .optional(),
  /**
   * Or a remote Open Inference Protocol endpoint: copies go to `{url}/v2/models/{this model}/infer`
   * (e.g. the stable version's Service during a canary rollout).
   */
  url: z
    .string({ error: "url must be a string, the base URL of an Open Inference Protocol endpoint" })
    .superRefine((url, context) => {
      const problem = remoteUrlProblem(url);
      if (problem) context.addIssue({ code: "custom", message: problem });
    })
    .transform((url) => url.replace(/\/+$/, ""))
    .optional(),
  /** File holding the remote endpoint's bearer token (with `url`); reread when it changes. */
  token_file: z
    .string({ error: "token_file must be a string, the path of a file holding the token" })
    .min(1, { error: "token_file must not be empty" })
    .optional(),
  /** Milliseconds to wait for the remote endpoint's answer (with `url`). Default 5000. */
  timeout_ms: wholeNumber("timeout_ms", 1, 600_000).default(SHADOW_DEFAULTS.timeout_ms),
  /** Fraction of answered requests copied to the shadow, 0–1 (0 turns the shadow off). Required. */
  sample: z
    .number({
      error: "sample must be a number from 0 to 1: the fraction of answered requests copied",
    })
    .min(0, { error: "sample must be at least 0" })
    .max(1, { error: "sample must be at most 1" }),
  /**
   * Largest absolute difference between two elements of an output that still agrees. Default
   * 0.001.
   */
  tolerance: z
    .number({ error: "tolerance must be a number" })
    .min(0, { error: "tolerance must be at least 0" })
    .default(SHADOW_DEFAULTS.tolerance),
  /**
   * Outputs compared by top-1 class (arg max over the last dimension, row by row) as well.
   * Default: every floating-point output of shape [batch, classes] with at least 2 classes;
   * `[]` compares values only.
   */
  class_outputs: z
    .array(z.string({ error: "class_outputs entries must be output names" }).min(1), {
      error: "class_outputs must be a list of output names",
    })
    .optional(),
  /** Copies waiting for the shadow; a copy arriving when it is full is dropped (and counted). Default 32. */
  max_queue_size: wholeNumber("max_queue_size", 1, 10_000).default(SHADOW_DEFAULTS.max_queue_size),
  /** Copies run on the shadow at once. Default 2. */
  max_concurrency: wholeNumber("max_concurrency", 1, 64).default(SHADOW_DEFAULTS.max_concurrency),
  /**
   * At most one disagreeing request is logged per this many milliseconds (the line counts the
   * ones not logged since); 0 logs every one. Default 10000.
   */
  log_interval_ms: wholeNumber("log_interval_ms", 0, 86_400_000).default(
    SHADOW_DEFAULTS.log_interval_ms,
  ),
});

/** A model's resolved `shadow` block, defaults applied; exactly one of `model` and `url` is set. */
export type ShadowConfig = z.output<typeof shadowConfigSchema>;

/** A model's `shadow` block as written in `config.json`. */
export type ShadowConfigInput = z.input<typeof shadowConfigSchema>;

/**
 * Validates a model's `shadow` block and applies the defaults.
 * @param model Model name, quoted in errors; a model may not shadow itself.
 * @param input The block as read from `config.json` (or `config.pbtxt`).
 * @param knownModels When given, a shadow `model` must be one of these names.
 * @throws ResilienceConfigError naming the model, the key, its value and what is allowed.
 */
export function parseShadowConfig(
  model: string,
  input: unknown,
  knownModels?: readonly string[],
): ShadowConfig {
  const config = parseConfigBlock(shadowConfigSchema, "shadow", model, input);
  if ((config.model === undefined) === (config.url === undefined)) {
    throw new ResilienceConfigError(
      model,
      "shadow",
      input,
      "name exactly one of model (another model of this repository) and url (a remote Open Inference Protocol endpoint)",
    );
  }
  const remoteOnly = (["token_file", "timeout_ms"] as const).find(
    (key) => config.model !== undefined && (input as Record<string, unknown>)[key] !== undefined,
  );
  if (remoteOnly) {
    throw new ResilienceConfigError(
      model,
      `shadow.${remoteOnly}`,
      (input as Record<string, unknown>)[remoteOnly],
      "only a url shadow takes it; remove it or name a url instead of a model",
    );
  }
  if (config.model === model) {
    throw new ResilienceConfigError(
      model,
      "shadow.model",
      config.model,
      "a model cannot be its own shadow; name another model of the repository",
    );
  }
  if (config.model !== undefined && knownModels && !knownModels.includes(config.model)) {
    throw new ResilienceConfigError(
      model,
      "shadow.model",
      config.model,
      `no such model in the repository; known models: ${knownModels.join(", ") || "(none)"}`,
    );
  }
  return config;
}
