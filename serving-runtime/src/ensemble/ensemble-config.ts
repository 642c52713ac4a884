import { z } from "zod";
import { formatZodIssues } from "../protocol/zod-issues";
import type { ModelConfig } from "../repository/model-config";
import {
  type CircuitBreakerConfig,
  parseCircuitBreakerConfig,
  remoteEndpointSchema,
} from "../resilience/config";

/** Triton's `platform` of an ensemble model. */
export const ENSEMBLE_PLATFORM = "ensemble";

/**
 * What a failing step does to the request (hybridai's extension of Triton's `Step`):
 * `fail` (Triton's behaviour: the request fails naming the step), `fallback_model` (the step runs
 * again on `fallback_model`) or `skip` (the answer comes without the step's outputs).
 */
export const ON_FAILURE = ["fail", "fallback_model", "skip"] as const;

/** One of {@link ON_FAILURE}. */
export type OnFailure = (typeof ON_FAILURE)[number];

/** A step that runs on a remote Open Inference Protocol endpoint instead of a local model. */
export interface RemoteStepConfig {
  /** Base URL; requests go to `{url}/v2/models/{model_name}/infer`. */
  url: string;
  /** File holding the bearer token. */
  token_file?: string;
  /** Milliseconds to wait for the whole answer. */
  timeout_ms: number;
  /** The endpoint's own circuit breaker. */
  circuit_breaker: CircuitBreakerConfig;
}

/** One step of an ensemble, validated, defaults applied. */
export interface EnsembleStep {
  /** Position in `ensemble_scheduling.step`, from 0. */
  index: number;
  /** How messages, metrics and `parameters.degraded_steps` name the step (see {@link stepLabels}). */
  label: string;
  /** The model the step runs (on the remote endpoint when `remote` is set). */
  model_name: string;
  /** The version to run; -1 = the highest loaded version, as in Triton. */
  model_version: number;
  /** Model input name → ensemble tensor name. */
  input_map: Record<string, string>;
  /** Model output name → ensemble tensor name. */
  output_map: Record<string, string>;
  /** What a failure of the step does to the request. */
  on_failure: OnFailure;
  /** The model that runs the step when `on_failure` is `fallback_model`. */
  fallback_model?: string;
  /** The remote endpoint the step runs on, if any. */
  remote?: RemoteStepConfig;
}

/** An ensemble's `ensemble_scheduling`, validated. */
export interface EnsembleSpec {
  /** The steps, in configuration order. */
  steps: EnsembleStep[];
  /** Concurrent calls of one step across all requests; 0 = no limit (Triton's default). */
  max_inflight_requests: number;
}

const tensorName = z.string().min(1, { error: "tensor names must not be empty" });

const remoteSchema = remoteEndpointSchema
  .extend({ circuit_breaker: z.unknown().optional() })
  .strict();

const stepSchema = z.strictObject({
  model_name: z.string({ error: "model_name must be a string" }),
  /** Triton's proto3 default is 0 (version 0), not the latest: configs say -1 for that. */
  model_version: z
    .number()
    .int()
    .min(-1, { error: "model_version must be -1 or a version" })
    .default(0),
  input_map: z.record(tensorName, tensorName).default({}),
  output_map: z.record(tensorName, tensorName).default({}),
  model_namespace: z
    .literal("", { error: "model_namespace is reserved by Triton; leave it out" })
    .optional(),
  on_failure: z
    .enum(ON_FAILURE, { error: `on_failure must be one of ${ON_FAILURE.join(", ")}` })
    .default("fail"),
  fallback_model: z.string().min(1, { error: "fallback_model must name a model" }).optional(),
  remote: z.unknown().optional(),
});

const schedulingSchema = z.strictObject({
  step: z.array(z.unknown()).default([]),
  max_inflight_requests: z.number().int().min(0).default(0),
});

/** Fields of a model configuration an ensemble may not have, and why (Triton's rules first). */
const NOT_FOR_ENSEMBLES: Partial<Record<keyof ModelConfig, string>> = {
  backend: "an ensemble has platform 'ensemble' and no backend",
  instance_group: "an ensemble has no instances; give its step models instance_group",
  model_warmup: "model_warmup cannot be given for an ensemble; warm up its step models",
  dynamic_batching: "an ensemble is scheduled by ensemble_scheduling; batch in its step models",
  execution_providers: "an ensemble runs no model itself; give its step models execution_providers",
  default_model_filename: "an ensemble has no model file",
  output_distribution: "output histograms are kept per step model, not per ensemble",
};

/** Whether a validated model configuration describes an ensemble. */
export function isEnsembleConfig(config: Pick<ModelConfig, "platform">): boolean {
  return config.platform === ENSEMBLE_PLATFORM;
}

/**
 * Names each step: its `model_name`, or `model_name#index` when several steps run that model.
 *
 * @param steps the steps' model names, in order
 */
export function stepLabels(steps: readonly { model_name: string }[]): string[] {
  const counts = new Map<string, number>();
  for (const { model_name } of steps) counts.set(model_name, (counts.get(model_name) ?? 0) + 1);
  return steps.map(({ model_name }, index) =>
    (counts.get(model_name) ?? 0) > 1 ? `${model_name}#${index}` : model_name,
  );
}

/** How an error names a step: `step 1 (model 'cls')`. */
export function describeStep(step: Pick<EnsembleStep, "index" | "model_name">): string {
  return `step ${step.index} (model '${step.model_name}')`;
}

function parseRemote(raw: unknown, field: string, name: string): RemoteStepConfig {
  const parsed = remoteSchema.safeParse(raw);
  if (!parsed.success) throw new Error(`${field}.${formatZodIssues(parsed.error, 3)}`);
  const { circuit_breaker, ...endpoint } = parsed.data;
  return {
    ...endpoint,
    circuit_breaker: parseCircuitBreakerConfig(name, circuit_breaker),
  };
}

function parseStep(raw: unknown, index: number, name: string) {
  const field = `ensemble_scheduling.step[${index}]`;
  const parsed = stepSchema.safeParse(raw);
  if (!parsed.success) throw new Error(`${field}.${formatZodIssues(parsed.error, 3)}`);
  const step = parsed.data;
  // Triton's own checks of each step (model_config_utils.cc), naming the step.
  if (step.model_name === "") throw new Error(`${field}: must specify 'model_name'`);
  if (step.model_name === name) {
    throw new Error(`${field}: an ensemble cannot run itself as a step`);
  }
  if (Object.keys(step.input_map).length === 0) {
    throw new Error(`${field} (model '${step.model_name}'): must specify 'input_map'`);
  }
  if (Object.keys(step.output_map).length === 0) {
    throw new Error(`${field} (model '${step.model_name}'): must specify 'output_map'`);
  }
  if (step.on_failure === "fallback_model" && step.fallback_model === undefined) {
    throw new Error(`${field}.fallback_model: on_failure: fallback_model needs fallback_model`);
  }
  if (step.on_failure !== "fallback_model" && step.fallback_model !== undefined) {
    throw new Error(
      `${field}.fallback_model: is used only with on_failure: fallback_model (on_failure is ${step.on_failure})`,
    );
  }
  if (step.fallback_model === name) {
    throw new Error(`${field}.fallback_model: an ensemble cannot be its own step's fallback`);
  }
  const remote =
    step.remote === undefined ? undefined : parseRemote(step.remote, `${field}.remote`, name);
  if (remote && step.model_version !== -1) {
    throw new Error(
      `${field}.model_version: a remote step runs the endpoint's latest version; set model_version: -1`,
    );
  }
  return { ...step, index, remote };
}

/**
 * Validates an ensemble's configuration as far as it can be without its step models: Triton's
 * rules (platform `ensemble` with `ensemble_scheduling` and neither without the other, no
 * backend, instances, warmup or batcher of its own, declared inputs and outputs, at least one
 * step, each with `model_name`, `input_map` and `output_map`) and hybridai's step extensions
 * (`on_failure`, `fallback_model`, `remote`). Throws an Error naming the field. (A load
 * request's `parameters.config` never reaches here with a remote step's `url` or `token_file`:
 * `checkConfigOverride` refuses every field that names a file or a URL first.)
 *
 * @param config the validated model configuration
 * @param name the ensemble's name
 */
export function parseEnsembleSpec(config: ModelConfig, name: string): EnsembleSpec {
  if (config.ensemble_scheduling !== undefined && !isEnsembleConfig(config)) {
    throw new Error(
      `ensemble_scheduling cannot be set for model '${name}' whose platform is not ${ENSEMBLE_PLATFORM}`,
    );
  }
  if (config.ensemble_scheduling === undefined) {
    throw new Error(`platform '${ENSEMBLE_PLATFORM}' needs ensemble_scheduling { step [ … ] }`);
  }
  for (const [key, why] of Object.entries(NOT_FOR_ENSEMBLES)) {
    const value = config[key as keyof ModelConfig];
    if (value !== undefined && !(Array.isArray(value) && value.length === 0)) {
      throw new Error(`${key}: ${why}`);
    }
  }
  for (const [kind, tensors] of [
    ["input", config.input],
    ["output", config.output],
  ] as const) {
    if (tensors.length === 0) {
      throw new Error(`an ensemble must declare its ${kind}s (name, data_type, dims)`);
    }
    const incomplete = tensors.find((tensor) => !tensor.data_type || !tensor.dims);
    if (incomplete) {
      throw new Error(`${kind} '${incomplete.name}': an ensemble ${kind} needs data_type and dims`);
    }
  }
  const scheduling = schedulingSchema.safeParse(config.ensemble_scheduling);
  if (!scheduling.success) {
    throw new Error(`ensemble_scheduling.${formatZodIssues(scheduling.error, 3)}`);
  }
  if (scheduling.data.step.length === 0) {
    throw new Error(`must specify 'step' for ensemble '${name}'`);
  }
  const parsed = scheduling.data.step.map((raw, index) => parseStep(raw, index, name));
  const labels = stepLabels(parsed);
  return {
    steps: parsed.map((step, index) => ({
      index,
      label: labels[index],
      model_name: step.model_name,
      model_version: step.model_version,
      input_map: step.input_map,
      output_map: step.output_map,
      on_failure: step.on_failure,
      fallback_model: step.fallback_model,
      remote: step.remote,
    })),
    max_inflight_requests: scheduling.data.max_inflight_requests,
  };
}
