import type { FallbackConfig, FallbackTrigger } from "./config";

/**
 * How a call to a model ended, as far as fallback is concerned: `success`, one of the
 * {@link FallbackTrigger}s, or `circuit_open` (the model's breaker refused the call).
 */
export type CallOutcome = "success" | FallbackTrigger | "circuit_open";

/**
 * Whether a request should be answered by the fallback model.
 *
 * `circuit_open` always falls back when a fallback is configured (that is what the breaker is
 * for); the other failures fall back only when listed in `fallback.on`. Fallback is one hop:
 * the fallback model's own `fallback` is not followed, so cycles cannot loop.
 *
 * @param fallback The model's resolved `fallback` block, `undefined` when it has none.
 * @param outcome How the call to the model ended.
 * @returns The fallback model's name, or `undefined` to answer with the model's own result or
 * error (503 for `circuit_open` and `overload`, as Triton answers unavailable).
 */
export function fallbackTarget(
  fallback: FallbackConfig | undefined,
  outcome: CallOutcome,
): string | undefined {
  if (!fallback || outcome === "success") return undefined;
  if (outcome === "circuit_open" || fallback.on.includes(outcome)) return fallback.model;
  return undefined;
}

/**
 * Whether a request should be answered by the fallback model; see {@link fallbackTarget}.
 * @param fallback The model's resolved `fallback` block, `undefined` when it has none.
 * @param outcome How the call to the model ended.
 */
export function shouldFallback(
  fallback: FallbackConfig | undefined,
  outcome: CallOutcome,
): boolean {
  return fallbackTarget(fallback, outcome) !== undefined;
}
