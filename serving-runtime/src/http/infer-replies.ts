import type { IncomingMessage, ServerResponse } from "node:http";
import type { Logger } from "pino";
import type { RequestFacts } from "../observability/audit/request-facts";
import { INFERENCE_HEADER_CONTENT_LENGTH } from "../protocol/binary-codec";
import type { InferenceError } from "../protocol/errors";
import type { EncodedResponse } from "../protocol/infer-response";
import { traceFields } from "../tracing/log-fields";
import type { RequestTrace } from "../tracing/request-trace";
import type { AppContext } from "./context";
import { errorReply } from "./error-reply";

/** How the inference endpoint writes its answers on the raw Node response. */
export interface InferReplies {
  /**
   * Answers an error ({@link errorReply}) and ends the request's trace and audit record with
   * the message the client gets; a client that is gone gets nothing and both say 499.
   *
   * @param trace the request's trace (tracing on)
   * @param bodyRefused whether the error refused the body while it was arriving
   */
  fail(
    request: IncomingMessage,
    response: ServerResponse,
    error: Error,
    facts?: RequestFacts,
    trace?: RequestTrace,
    bodyRefused?: boolean,
  ): void;
  /**
   * Answers an encoded inference response (JSON, or JSON plus binary tensors) and ends the
   * request's trace and audit record.
   */
  send(
    request: IncomingMessage,
    response: ServerResponse,
    encoded: EncodedResponse,
    facts?: RequestFacts,
    trace?: RequestTrace,
  ): void;
}

/**
 * The inference endpoint's answers: one `writeHead` and `end` each, `Connection: close` while
 * the server drains, a debug line per answer carrying the request's trace and span ids.
 *
 * @param context what the routes work with
 * @param logger where answers and server errors are logged
 */
export function inferReplies(context: AppContext, logger: Logger): InferReplies {
  const { state, audit } = context;
  const finish = (
    request: IncomingMessage,
    response: ServerResponse,
    status: number,
    body: string | Buffer,
    headers: Record<string, string | number>,
    trace: RequestTrace | undefined,
  ) => {
    if (state.draining) headers.connection = "close";
    headers["content-length"] = Buffer.byteLength(body);
    response.writeHead(status, headers);
    response.end(body);
    if (logger.isLevelEnabled("debug")) {
      logger.debug(
        {
          request_id: request.headers["x-request-id"],
          ...traceFields(trace),
          url: request.url,
          status,
        },
        "request completed",
      );
    }
  };
  const fail = (
    request: IncomingMessage,
    response: ServerResponse,
    error: Error,
    facts?: RequestFacts,
    trace?: RequestTrace,
    bodyRefused = false,
  ) => {
    const { status, message, body, headers } = errorReply(error as InferenceError, {
      log: logger,
      requestId: request.headers["x-request-id"],
      socket: request.socket,
      realm: "inference",
      bodyUnread: bodyRefused && !request.complete,
      logFields: traceFields(trace),
    });
    if (response.headersSent || response.destroyed) {
      trace?.end(499, "the client disconnected");
      if (facts) audit?.end(facts, { status: 499, error: "the client disconnected" });
      return;
    }
    trace?.end(status, message);
    const replyHeaders = { "content-type": "application/json", ...headers };
    finish(request, response, status, body, replyHeaders, trace);
    if (facts) audit?.end(facts, { status, error: message, response: body });
  };
  const send = (
    request: IncomingMessage,
    response: ServerResponse,
    encoded: EncodedResponse,
    facts?: RequestFacts,
    trace?: RequestTrace,
  ) => {
    if (response.destroyed) {
      trace?.end(499, "the client disconnected");
      if (facts) audit?.end(facts, { status: 499, error: "the client disconnected" });
      return;
    }
    trace?.end(200);
    if (encoded.jsonLength === undefined) {
      finish(request, response, 200, encoded.body, { "content-type": "application/json" }, trace);
    } else {
      const headers = {
        "content-type": "application/octet-stream",
        [INFERENCE_HEADER_CONTENT_LENGTH]: encoded.jsonLength,
      };
      finish(request, response, 200, encoded.body, headers, trace);
    }
    if (facts) {
      audit?.end(facts, {
        status: 200,
        response: encoded.body,
        binaryResponse: encoded.jsonLength !== undefined,
      });
    }
  };
  return { fail, send };
}
