import type { ServerResponse } from "node:http";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { INFERENCE_HEADER_CONTENT_LENGTH } from "../protocol/binary-codec";
import type { EncodedResponse } from "../protocol/infer-response";
import type { ClientLink } from "../scheduling/scheduler";
import type { AppContext } from "./context";
import { binaryHeaderLength, bodyOf, versionParam } from "./request-parts";

interface InferParams {
  model: string;
  version?: string;
}

/** The client of a request as the scheduler watches it: gone once its connection closed. */
function clientOf(response: ServerResponse): ClientLink {
  return {
    gone: () => !response.writableEnded && (response.socket?.destroyed ?? true),
    watch(listener) {
      const onClose = () => {
        if (!response.writableEnded) listener();
      };
      response.once("close", onClose);
      return () => response.off("close", onClose);
    },
  };
}

/**
 * `POST /v2/models/{m}[/versions/{v}]/infer`: JSON or binary-extension requests; the response
 * is JSON, or JSON plus binary tensors with `Inference-Header-Content-Length`. A client that
 * disconnects while its request is queued takes the request out of the queue. Requests keep
 * being served while the server drains (with `Connection: close`).
 */
export function inferRoutes(app: FastifyInstance, context: AppContext): void {
  const { repository, inference, state } = context;
  const handler = (request: FastifyRequest<{ Params: InferParams }>, reply: FastifyReply) => {
    const { model, version } = request.params;
    const target = repository.resolve(model, versionParam(version));
    const headerLength = binaryHeaderLength(request);
    const send = (response: EncodedResponse) => {
      if (state.draining) reply.header("connection", "close");
      if (response.jsonLength === undefined) {
        reply.type("application/json").send(response.body);
        return;
      }
      reply
        .header(INFERENCE_HEADER_CONTENT_LENGTH, response.jsonLength)
        .type("application/octet-stream")
        .send(response.body);
    };
    inference
      .infer(target, { body: bodyOf(request), headerLength }, clientOf(reply.raw))
      .then(send, (error: Error) => {
        if (state.draining) reply.header("connection", "close");
        reply.send(error);
      });
  };
  app.post("/v2/models/:model/infer", handler);
  app.post("/v2/models/:model/versions/:version/infer", handler);
}
