import type { FastifyError, FastifyInstance } from "fastify";
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

/**
 * Answers every error as Triton does, `{"error": "…"}` with the mapped status code, and
 * unknown routes with 404 in the same shape. Server errors are logged with the request id.
 */
export function installErrorHandlers(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError | InferenceError, request, reply) => {
    const { status, message } = statusOf(error);
    if (status >= 500 && status !== 503) {
      request.log.error({ err: error, request_id: request.id }, "request failed");
    } else {
      request.log.debug({ status, error: message, request_id: request.id }, "request rejected");
    }
    if (status === 413) {
      reply.header("connection", "close");
      lingerBeforeClose(request.raw.socket);
    }
    return reply
      .code(status)
      .type("application/json")
      .send(JSON.stringify({ error: message }));
  });
  app.setNotFoundHandler((request, reply) =>
    reply
      .code(404)
      .type("application/json")
      .send(JSON.stringify({ error: `no endpoint ${request.method} ${request.url}; see GET /v2` })),
  );
}
