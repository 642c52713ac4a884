import type { InferResult } from "../scheduling/scheduler";
import type { OutputData } from "../scheduling/tensor-batch";

/** How a step's failure was absorbed: its outputs left out, or computed by its fallback model. */
export type DegradedAction = "skipped" | "fallback_model";

/** One step that did not answer with its own model. */
export interface DegradedStep {
  /** The step's label (`model_name`, or `model_name#index` when a model runs in several steps). */
  step: string;
  /** What happened instead. */
  action: DegradedAction;
}

/**
 * An ensemble's outputs, and the optional steps that failed on the way: outputs of skipped steps
 * are absent. The response says which steps degraded in `parameters.degraded_steps`.
 */
export class EnsembleResult extends Map<string, OutputData> {
  /** Steps that did not answer with their own model, in the order they finished. */
  readonly degraded: DegradedStep[] = [];
}

/** Whether a result lacks something a full answer would have, so it must not be cached. */
export function isDegraded(result: InferResult): boolean {
  return result instanceof EnsembleResult && result.degraded.length > 0;
}

/**
 * The response parameters of a result: `degraded_steps`, the labels of the degraded steps
 * joined by commas (protocol parameters are scalars), for a degraded ensemble answer; none
 * otherwise.
 */
export function resultParameters(result: InferResult): Record<string, string> | undefined {
  if (!isDegraded(result)) return undefined;
  const steps = (result as EnsembleResult).degraded.map((entry) => entry.step);
  return { degraded_steps: steps.join(",") };
}
