import { Metadata, type ServiceError, status } from "@grpc/grpc-js";
import type { Logger } from "pino";
import { LimitError } from "../limits/limit-error";
import { InferenceError, type InferenceErrorKind } from "../protocol/errors";
import { REQUEST_ID } from "../request-id";
import { errorTraceFields } from "../tracing/log-fields";

/**
 * The gRPC status of each error kind, as Triton's gRPC server maps its errors (invalid argument,
 * not found, unavailable — queue full and shutting down included —, unsupported as
 * UNIMPLEMENTED, internal), plus authentication. The HTTP side maps the same kinds to status
 * codes (`ERROR_STATUS`).
 */
export const GRPC_STATUS: Readonly<Record<InferenceErrorKind, status>> = {
  INVALID_ARGUMENT: status.INVALID_ARGUMENT,
  UNAUTHENTICATED: status.UNAUTHENTICATED,
  FORBIDDEN: status.PERMISSION_DENIED,
  NOT_FOUND: status.NOT_FOUND,
  TOO_LARGE: status.RESOURCE_EXHAUSTED,
  RESOURCE_EXHAUSTED: status.RESOURCE_EXHAUSTED,
  UNSUPPORTED_MEDIA_TYPE: status.INVALID_ARGUMENT,
  CANCELLED: status.CANCELLED,
  INTERNAL: status.INTERNAL,
  UNSUPPORTED: status.UNIMPLEMENTED,
  UNAVAILABLE: status.UNAVAILABLE,
};

/**
 * The error a call fails with: an {@link InferenceError}'s message under its kind's status, with
 * the request id in the trailers; anything else is INTERNAL "internal server error" (and logged
 * with the request id and, for a traced request, its trace and span ids, as are INTERNAL
 * inference errors).
 *
 * @param error what the handler threw
 * @param requestId the call's request id
 * @param logger where server errors are logged
 */
export function serviceError(
  error: unknown,
  requestId: string,
  logger: Logger,
): Partial<ServiceError> {
  const known = error instanceof InferenceError;
  const code = known ? GRPC_STATUS[error.kind] : status.INTERNAL;
  if (code === status.INTERNAL || code === status.UNKNOWN) {
    logger.error(
      { err: error, request_id: requestId, ...errorTraceFields(error) },
      "request failed",
    );
  }
  const metadata = new Metadata();
  metadata.set(REQUEST_ID, requestId);
  if (error instanceof LimitError) metadata.set(RETRY_AFTER, String(error.retryAfterSeconds));
  return {
    code,
    details: known ? error.message : "internal server error",
    metadata,
  };
}

/**
 * Trailer of a RESOURCE_EXHAUSTED answer to a client over its rate limit or daily quota: whole
 * seconds until a retry can succeed (as HTTP's `Retry-After`).
 */
export const RETRY_AFTER = "retry-after";
