import type { FallbackConfig, FallbackTrigger } from "./config";

/**
 * How a call to a model ended, as far as fallback is concerned: `success`, one of the
 * {@link FallbackTrigger}s, `circuit_open` (the model's breaker refused the call) or `absent`
 * (the model has no loaded version on this server: never loaded, failed to load, or unloaded).
 */
export type CallOutcome = "success" | FallbackTrigger | "circuit_open" | "absent";

/**
 * Whether a request should be answered by the fallback.
 *
 * `circuit_open` and `absent` always fall back when a fallback is configured (that is what the
 * breaker is for, and an absent model has nothing else to answer with); the other failures fall
 * back only when listed in `fallback.on`. Fallback is one hop: the fallback model's own
 * `fallback` is not followed, so cycles cannot loop.
 *
 * @param fallback The model's resolved `fallback` block, `undefined` when it has none.
 * @param outcome How the call to the model ended.
 */
export function shouldFallback(
  fallback: FallbackConfig | undefined,
  outcome: CallOutcome,
): fallback is FallbackConfig {
  if (!fallback || outcome === "success") return false;
  return outcome === "circuit_open" || outcome === "absent" || fallback.on.includes(outcome);
}

/**
 * Where a request should go instead of the model; see {@link shouldFallback}.
 *
 * @param fallback The model's resolved `fallback` block, `undefined` when it has none.
 * @param outcome How the call to the model ended.
 * @returns The fallback model's name or the remote endpoint's URL, or `undefined` to answer with
 * the model's own result or error (503 for `circuit_open` and `overload`, as Triton answers
 * unavailable).
 */
export function fallbackTarget(
  fallback: FallbackConfig | undefined,
  outcome: CallOutcome,
): string | undefined {
  if (!shouldFallback(fallback, outcome)) return undefined;
  return "url" in fallback ? fallback.url : fallback.model;
}
