import type { FailureReason } from "../metrics";
import { ERROR_STATUS, InferenceError } from "../protocol/errors";
import type { CallOutcome } from "../resilience/fallback";
import { SchedulingError } from "./scheduler";

/** How Triton's failure metric labels a failed request's error. */
export function failureReason(error: unknown): FailureReason {
  if (error instanceof SchedulingError) return error.reason;
  if (error instanceof InferenceError && error.kind === "INVALID_ARGUMENT") return "OTHER";
  return "BACKEND";
}

/**
 * What a failed call means for the fallback: undefined when the request itself was at fault (a
 * 4xx-class error, such as an input onnxruntime refused) or its client went away.
 */
export function outcomeOf(error: unknown): CallOutcome | undefined {
  if (error instanceof SchedulingError) {
    return error.failure === "cancelled" ? undefined : error.failure;
  }
  if (error instanceof InferenceError && ERROR_STATUS[error.kind] < 500) return undefined;
  return "error";
}

/**
 * Whether a failed call counts against the model's circuit breaker: only the model's own
 * failures do (execution errors, and queue timeouts the model's config set). Client-caused
 * problems (4xx-class errors, inputs onnxruntime refuses), timeouts the request asked for
 * itself, cancellations and a full queue do not.
 */
export function blamesModel(error: unknown, outcome: CallOutcome | undefined): boolean {
  if (outcome === "error") return true;
  return outcome === "timeout" && !(error instanceof SchedulingError && error.requested);
}
