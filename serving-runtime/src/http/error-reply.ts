import type { Socket } from "node:net";
import type { FastifyError } from "fastify";
import type { Logger } from "pino";
import { LimitError } from "../limits/limit-error";
import { InferenceError } from "../protocol/errors";
import { lingerBeforeClose } from "./linger";

/** The status and client-facing message of an error, as Triton maps them. */
export function statusOf(error: Partial<FastifyError> | InferenceError): {
  status: number;
  message: string;
} {
  if (error instanceof InferenceError) return { status: error.status, message: error.message };
  switch (error.code) {
    case "FST_ERR_CTP_INVALID_MEDIA_TYPE":
      return { status: 415, message: error.message ?? "unsupported media type" };
    default: {
      const status = error.statusCode && error.statusCode >= 400 ? error.statusCode : 500;
      return {
        status,
        message: status >= 500 ? "internal server error" : (error.message ?? "request failed"),
      };
    }
  }
}

/** The request an error answers, as {@link errorReply} needs it. */
export interface ErrorRequest {
  /** Where the error is logged. */
  log: Pick<Logger, "error" | "debug">;
  /** The request id, logged with the error. */
  requestId: unknown;
  /** The request's socket, read on after the answer when the body was not read to its end. */
  socket: Socket | null;
  /** The token realm a 401 names in `WWW-Authenticate`: `inference` or `repository`. */
  realm: string;
  /** Whether the answer goes out before the request's body has all arrived. */
  bodyUnread: boolean;
  /** More fields of the error's log line (the request's `trace_id` and `span_id`). */
  logFields?: Readonly<Record<string, string>>;
}

/** An error answer, ready to be written: `{"error": "…"}` under its status and headers. */
export interface ErrorReply {
  /** HTTP status. */
  status: number;
  /** The client-facing message. */
  message: string;
  /** The JSON body. */
  body: string;
  /** Headers besides `content-type` (`WWW-Authenticate`, `Retry-After`, `Connection`). */
  headers: Record<string, string | number>;
}

/**
 * The one place an HTTP error answer is decided, for the framework's routes and the inference
 * endpoint alike: the status and message as Triton maps them ({@link statusOf}); server errors
 * (5xx except 503, which is the model's or the server's state, not a fault) logged at error with
 * the request id, the rest at debug; a 401 names the token's realm in `WWW-Authenticate`; a
 * client over its limits is told when to retry; and an answer sent before the body has all
 * arrived (a 413, or a body refused as it came in) closes the connection after reading and
 * discarding the rest for a while, so the client sees the answer rather than a reset.
 *
 * @param error what went wrong
 * @param request the request answered
 */
export function errorReply(
  error: Partial<FastifyError> | InferenceError,
  request: ErrorRequest,
): ErrorReply {
  const { status, message } = statusOf(error);
  if (status >= 500 && status !== 503) {
    request.log.error(
      { err: error, request_id: request.requestId, ...request.logFields },
      "request failed",
    );
  } else {
    request.log.debug(
      { status, error: message, request_id: request.requestId, ...request.logFields },
      "request rejected",
    );
  }
  const headers: Record<string, string | number> = {};
  if (status === 401) headers["www-authenticate"] = `Bearer realm="${request.realm}"`;
  if (error instanceof LimitError) headers["retry-after"] = error.retryAfterSeconds;
  if (status === 413 || request.bodyUnread) {
    headers.connection = "close";
    lingerBeforeClose(request.socket);
  }
  return { status, message, body: JSON.stringify({ error: message }), headers };
}
