import type { FastifyError, FastifyInstance } from "fastify";
import type { InferenceError } from "../protocol/errors";
import { errorReply } from "./error-reply";

/**
 * Answers every error as Triton does, `{"error": "…"}` with the mapped status code, and
 * unknown routes with 404 in the same shape, through {@link errorReply}.
 */
export function installErrorHandlers(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError | InferenceError, request, reply) => {
    const { status, body, headers } = errorReply(error, {
      log: request.log,
      requestId: request.id,
      socket: request.raw.socket,
      realm: request.routeOptions.config.access === "repository" ? "repository" : "inference",
      bodyUnread: false,
    });
    return reply.code(status).headers(headers).type("application/json").send(body);
  });
  app.setNotFoundHandler((request, reply) =>
    reply
      .code(404)
      .type("application/json")
      .send(JSON.stringify({ error: `no endpoint ${request.method} ${request.url}; see GET /v2` })),
  );
}
