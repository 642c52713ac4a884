import { formatShape, type TensorSpec } from "../protocol/tensor-spec";
import type { EffectiveConfig, ModelConfig } from "./model-config";

/** `--default-max-batch-size`: a number (Triton's behaviour; 0 disables) or `auto` (measured). */
export type DefaultMaxBatchSize = number | "auto";

/** Where each value of a served configuration came from, by field. */
export type ConfigOrigins = Record<string, string>;

/** What auto-complete decided about `max_batch_size` before any measurement. */
export type MaxBatchDecision =
  | { kind: "fixed"; value: number; origin: string }
  | { kind: "measure" };

/**
 * Why a model cannot batch, or undefined when it can: batching needs at least one input and
 * a dynamic dimension 0 on every input and output, as Triton's auto-complete requires.
 *
 * @param inputs the model file's inputs
 * @param outputs the model file's outputs
 */
export function batchingBlocker(
  inputs: readonly TensorSpec[],
  outputs: readonly TensorSpec[],
): string | undefined {
  if (inputs.length === 0) return "the model has no inputs";
  for (const [kind, specs] of [
    ["input", inputs],
    ["output", outputs],
  ] as const) {
    const fixed = specs.find((spec) => spec.shape.length === 0 || spec.shape[0] >= 0);
    if (fixed) {
      return `${kind} '${fixed.name}' has shape ${formatShape(fixed.shape)}, without a dynamic dimension 0`;
    }
  }
  return undefined;
}

/**
 * Decides `max_batch_size`: the config's value when it has one; else 0 when the model cannot
 * batch; else `--default-max-batch-size` when it is a number (Triton's auto-complete, where 0
 * disables batching); else a measurement at load.
 *
 * @param config the validated config
 * @param blocker why the model cannot batch ({@link batchingBlocker}), if it cannot
 * @param defaultMaxBatchSize `--default-max-batch-size`
 */
export function decideMaxBatchSize(
  config: ModelConfig,
  blocker: string | undefined,
  defaultMaxBatchSize: DefaultMaxBatchSize,
): MaxBatchDecision {
  if (config.max_batch_size !== undefined) {
    return { kind: "fixed", value: config.max_batch_size, origin: "config" };
  }
  if (blocker)
    return { kind: "fixed", value: 0, origin: `auto-complete: no batching (${blocker})` };
  if (defaultMaxBatchSize === "auto") return { kind: "measure" };
  return {
    kind: "fixed",
    value: defaultMaxBatchSize,
    origin:
      defaultMaxBatchSize === 0
        ? "--default-max-batch-size 0: batching disabled"
        : `auto-complete: --default-max-batch-size ${defaultMaxBatchSize}`,
  };
}

/**
 * Completes a config the way Triton's auto-complete does once `max_batch_size` is known: a model
 * whose batch size was filled in gets `dynamic_batching {}` (largest batch available, no delay)
 * unless the config has its own. Returns the effective config and where each value came from.
 *
 * @param config the validated config
 * @param maxBatchSize the decided `max_batch_size`
 * @param maxBatchOrigin where it came from
 * @param configOverridesTensors whether the config narrows the model file's inputs/outputs
 * @param defaultInstances the instances chosen when the config has no `instance_group`
 */
export function completeConfig(
  config: ModelConfig,
  maxBatchSize: number,
  maxBatchOrigin: string,
  configOverridesTensors: boolean,
  defaultInstances?: { count: number; kind: "KIND_CPU" | "KIND_GPU"; origin: string },
): { config: EffectiveConfig; origins: ConfigOrigins } {
  const filledIn = config.max_batch_size === undefined;
  const addBatcher = filledIn && maxBatchSize > 1 && config.dynamic_batching === undefined;
  const effective: EffectiveConfig = {
    ...config,
    instance_group: defaultInstances
      ? [{ count: defaultInstances.count, kind: defaultInstances.kind }]
      : config.instance_group,
    max_batch_size: maxBatchSize,
    dynamic_batching: addBatcher
      ? { max_queue_delay_microseconds: 0, preferred_batch_size: [] }
      : config.dynamic_batching,
  };
  const origins: ConfigOrigins = {
    max_batch_size: maxBatchOrigin,
    "input, output": configOverridesTensors ? "model file, narrowed by config" : "model file",
    instance_group: defaultInstances?.origin ?? "config",
  };
  if (effective.dynamic_batching) {
    origins.dynamic_batching = addBatcher
      ? "auto-complete: dynamic_batching {} because the model batches"
      : "config";
  }
  return { config: effective, origins };
}
