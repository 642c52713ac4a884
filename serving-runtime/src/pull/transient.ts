import { HttpStatusError, PullError } from "./errors";

/** Network error codes after which a new attempt may succeed. */
const TRANSIENT_CODES = new Set([
  "ECONNRESET",
  "ECONNREFUSED",
  "ECONNABORTED",
  "ETIMEDOUT",
  "EPIPE",
  "EAI_AGAIN",
  "ENETUNREACH",
  "EHOSTUNREACH",
  "ERR_STREAM_PREMATURE_CLOSE",
  "UND_ERR_SOCKET",
  "UND_ERR_CONNECT_TIMEOUT",
  "UND_ERR_HEADERS_TIMEOUT",
  "UND_ERR_BODY_TIMEOUT",
  "TimeoutError",
  "RequestTimeout",
  "RequestTimeoutException",
  "SlowDown",
  "Throttling",
  "ThrottlingException",
  "TooManyRequestsException",
  "InternalError",
  "ServiceUnavailable",
]);

/** Whether an HTTP status is worth retrying: 408, 429 and every 5xx. */
export function isTransientStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

function statusOf(error: Record<string, unknown>): number | undefined {
  const metadata = error.$metadata as { httpStatusCode?: unknown } | undefined;
  if (typeof metadata?.httpStatusCode === "number") return metadata.httpStatusCode;
  if (typeof error.code === "number") return error.code;
  if (typeof error.status === "number") return error.status;
  return undefined;
}

/**
 * Whether a failed step may succeed when tried again: transient {@link PullError}s, HTTP 408,
 * 429 and 5xx (from `fetch`, the AWS SDK's `$metadata` or the GCS SDK's `code`), throttling
 * error names, and connection resets, timeouts and truncated bodies. Other 4xx answers and
 * everything else are permanent.
 */
export function isTransientError(error: unknown): boolean {
  if (error instanceof PullError) return error.transient;
  if (error instanceof HttpStatusError) return isTransientStatus(error.status);
  if (typeof error !== "object" || error === null) return false;
  const record = error as Record<string, unknown>;
  const status = statusOf(record);
  if (status !== undefined && status >= 400) return isTransientStatus(status);
  for (const key of ["code", "name", "Code"] as const) {
    const value = record[key];
    if (typeof value === "string" && TRANSIENT_CODES.has(value)) return true;
  }
  if (
    typeof record.message === "string" &&
    /\b(aborted|terminated|socket hang up)\b/i.test(record.message)
  ) {
    return true;
  }
  return record.cause !== undefined && record.cause !== error && isTransientError(record.cause);
}
