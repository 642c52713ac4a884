import { isTransientError } from "./transient";

/** How a step is retried. */
export interface RetryPolicy {
  /** Attempts in total, including the first. Default 5. */
  attempts?: number;
  /** Upper bound of the first backoff, milliseconds; doubles each attempt. Default 250. */
  baseDelayMs?: number;
  /** Cap of any single backoff, milliseconds. Default 10 000. */
  maxDelayMs?: number;
  /** Random source in [0, 1), for the jitter. Default `Math.random`. */
  random?: () => number;
  /** Called before each backoff with the failed attempt number (1-based), the error and the delay. */
  onRetry?: (attempt: number, error: unknown, delayMs: number) => void;
}

function abortError(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new Error("pull aborted");
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(abortError(signal));
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortError(signal as AbortSignal));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/**
 * The backoff before attempt `attempt + 1`: "full jitter", a uniform draw in
 * [0, min(maxDelayMs, baseDelayMs · 2^(attempt-1))].
 */
export function backoffDelay(attempt: number, policy: RetryPolicy = {}): number {
  const base = policy.baseDelayMs ?? 250;
  const cap = Math.min(policy.maxDelayMs ?? 10_000, base * 2 ** (attempt - 1));
  return Math.floor((policy.random ?? Math.random)() * cap);
}

/**
 * Runs `step` until it succeeds, retrying only errors {@link isTransientError} accepts, with
 * exponential backoff and full jitter, at most `attempts` times in all. A permanent error, the
 * last transient error, or an abort is thrown at once.
 */
export async function withRetry<T>(
  step: (attempt: number) => Promise<T>,
  policy: RetryPolicy = {},
  signal?: AbortSignal,
): Promise<T> {
  const attempts = policy.attempts ?? 5;
  for (let attempt = 1; ; attempt++) {
    if (signal?.aborted) throw abortError(signal);
    try {
      return await step(attempt);
    } catch (error) {
      if (signal?.aborted || attempt >= attempts || !isTransientError(error)) throw error;
      const delay = backoffDelay(attempt, policy);
      policy.onRetry?.(attempt, error, delay);
      await sleep(delay, signal);
    }
  }
}
