import type { FastifyInstance, FastifyRequest } from "fastify";
import { changeTraceSetting, readTraceSetting } from "../tracing/trace-setting-api";
import type { AppContext } from "./context";
import { optionalJsonBody } from "./request-parts";

/** Largest body of a trace setting request. */
const TRACE_BODY_LIMIT_BYTES = 64 * 1024;

/**
 * Triton's trace extension: `GET`/`POST /v2/trace/setting` and
 * `/v2/models/{m}/trace/setting`. Reading takes the inference token (as metadata does);
 * changing settings is model control: only with `--model-control-mode explicit` and the
 * repository token.
 */
export function traceRoutes(app: FastifyInstance, context: AppContext): void {
  const { repository } = context;
  const has = (model: string) => repository.has(model);
  const modelOf = (request: FastifyRequest) => (request.params as { model?: string }).model;
  const send = (body: unknown) => JSON.stringify(body);
  const change = {
    bodyLimit: TRACE_BODY_LIMIT_BYTES,
    config: { access: "repository" as const },
  };
  for (const path of ["/v2/trace/setting", "/v2/models/:model/trace/setting"]) {
    app.get(path, async (request, reply) =>
      reply
        .type("application/json")
        .send(send(readTraceSetting(context.tracing, modelOf(request), has))),
    );
    app.post(path, change, async (request, reply) =>
      reply
        .type("application/json")
        .send(
          send(
            changeTraceSetting(context.tracing, modelOf(request), optionalJsonBody(request), has),
          ),
        ),
    );
  }
}
