/**
 * Error kinds of the inference protocol and the HTTP status each maps to, as Triton maps them
 * (`src/http_server.cc`): invalid argument 400, not found 404, too large 413, unsupported
 * media type 415, unsupported 501, unavailable (queue full, shutting down, timeout) 503,
 * internal 500; plus 401/403 for authentication and 429 for per-client rate limits and quotas.
 */
export const ERROR_STATUS = {
  INVALID_ARGUMENT: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  RESOURCE_EXHAUSTED: 429,
  CANCELLED: 499,
  INTERNAL: 500,
  UNSUPPORTED: 501,
  UNAVAILABLE: 503,
} as const;

/** One error kind of {@link ERROR_STATUS}. */
export type InferenceErrorKind = keyof typeof ERROR_STATUS;

/**
 * An error a client can cause or observe. Its message is sent as `{"error": message}` with the
 * status code of its kind, so the message must say what was expected.
 */
export class InferenceError extends Error {
  /** The error kind, which selects the HTTP status. */
  readonly kind: InferenceErrorKind;

  /**
   * @param kind error kind, selecting the HTTP status
   * @param message what went wrong and what was expected
   */
  constructor(kind: InferenceErrorKind, message: string) {
    super(message);
    this.name = "InferenceError";
    this.kind = kind;
  }

  /** The HTTP status code of this error's kind. */
  get status(): number {
    return ERROR_STATUS[this.kind];
  }
}

/** Shorthand for an `INVALID_ARGUMENT` (400) error. */
export function invalidArgument(message: string): InferenceError {
  return new InferenceError("INVALID_ARGUMENT", message);
}

/** Shorthand for a `NOT_FOUND` (404) error. */
export function notFound(message: string): InferenceError {
  return new InferenceError("NOT_FOUND", message);
}

/** Shorthand for an `UNAVAILABLE` (503) error. */
export function unavailable(message: string): InferenceError {
  return new InferenceError("UNAVAILABLE", message);
}
