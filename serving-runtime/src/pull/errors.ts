/**
 * An error that stops a model pull. `transient` says whether trying the same step again may
 * succeed (a dropped connection, a 5xx, throttling) or not (a 4xx, a bad URI, a checksum that
 * does not match what the store's manifest promises).
 */
export class PullError extends Error {
  /** Whether retrying the failed step may succeed. */
  readonly transient: boolean;

  /**
   * @param message what failed, on which object, and what to do about it
   * @param transient whether retrying may succeed (default false)
   * @param cause the underlying error, when there is one
   */
  constructor(message: string, transient = false, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = "PullError";
    this.transient = transient;
  }
}

/** An HTTP answer other than 2xx from an `https://` source. */
export class HttpStatusError extends Error {
  /** The HTTP status code received. */
  readonly status: number;

  /**
   * @param url the requested URL
   * @param status the HTTP status code received
   */
  constructor(url: string, status: number) {
    super(`GET ${url} answered HTTP ${status}`);
    this.name = "HttpStatusError";
    this.status = status;
  }
}

/**
 * A device cache entry that cannot be served: a file is missing, truncated or has another
 * SHA-256 than its manifest, or the entry's own records are damaged. The entry is removed and
 * never laid into a target.
 */
export class CacheEntryError extends PullError {
  /**
   * @param message which entry, what is wrong with it
   * @param cause the underlying error, when there is one
   */
  constructor(message: string, cause?: unknown) {
    super(message, false, cause);
    this.name = "CacheEntryError";
  }
}

/** An error's message, or the thrown value as text when it is not an Error. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
