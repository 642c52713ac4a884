import { InferenceError } from "../protocol/errors";

/** A request refused because its client is over its rate limit or daily quota: 429 with `Retry-After`. */
export class LimitError extends InferenceError {
  /**
   * @param message what limit was hit and when to retry
   * @param retryAfterSeconds whole seconds until a retry can succeed (at least 1)
   */
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super("RESOURCE_EXHAUSTED", message);
  }
}

/** Whole seconds for a `Retry-After` header: rounded up, at least 1. */
export function retryAfter(seconds: number): number {
  return Math.max(1, Math.ceil(seconds));
}
