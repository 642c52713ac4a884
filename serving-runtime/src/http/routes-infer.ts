import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { INFERENCE_HEADER_CONTENT_LENGTH } from "../protocol/binary-codec";
import { unavailable } from "../protocol/errors";
import type { AppContext } from "./context";
import { binaryHeaderLength, bodyOf, versionParam } from "./request-parts";

interface InferParams {
  model: string;
  version?: string;
}

/**
 * `POST /v2/models/{m}[/versions/{v}]/infer`: JSON or binary-extension requests; the response
 * is JSON, or JSON plus binary tensors with `Inference-Header-Content-Length`. A client that
 * disconnects while its request is queued takes the request out of the queue.
 */
export function inferRoutes(app: FastifyInstance, context: AppContext): void {
  const { repository, inference, state } = context;
  const handler = async (request: FastifyRequest<{ Params: InferParams }>, reply: FastifyReply) => {
    if (state.draining) throw unavailable("the server is shutting down; retry on another replica");
    return state.track(async () => {
      const { model, version } = request.params;
      const target = repository.resolve(model, versionParam(version));
      const headerLength = binaryHeaderLength(request);
      const controller = new AbortController();
      const onClose = () => {
        if (!reply.raw.writableEnded) controller.abort();
      };
      reply.raw.once("close", onClose);
      try {
        const response = await inference.infer(
          target,
          { body: bodyOf(request), headerLength },
          controller.signal,
        );
        if (response.jsonLength === undefined)
          return reply.type("application/json").send(response.body);
        return reply
          .header(INFERENCE_HEADER_CONTENT_LENGTH, response.jsonLength)
          .type("application/octet-stream")
          .send(response.body);
      } finally {
        reply.raw.off("close", onClose);
      }
    });
  };
  app.post("/v2/models/:model/infer", handler);
  app.post("/v2/models/:model/versions/:version/infer", handler);
}
