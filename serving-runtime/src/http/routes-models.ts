import type { FastifyInstance } from "fastify";
import { modelMetadata, servedModelConfig } from "../repository/model-views";
import type { AppContext } from "./context";
import { versionParam } from "./request-parts";

export { ORIGIN_PREFIX } from "../repository/model-metadata";

interface ModelParams {
  model: string;
  version?: string;
}

/**
 * Model metadata (`GET /v2/models/{m}[/versions/{v}]`), readiness (`…/ready`: 200 or 503,
 * 404 for an unknown model) and configuration (`…/config`): the effective configuration in
 * Triton's form, auto-completed values included, with one `parameters["origin.<field>"]` entry
 * per field saying where its value came from (so the body stays a valid Triton `ModelConfig`).
 */
export function modelRoutes(app: FastifyInstance, context: AppContext): void {
  const { repository } = context;
  const paths = ["/v2/models/:model", "/v2/models/:model/versions/:version"];
  for (const base of paths) {
    app.get<{ Params: ModelParams }>(base, async (request, reply) => {
      const { model, version } = request.params;
      const target = repository.resolve(model, versionParam(version));
      const versions = repository.versionsOf(model).map((v) => v.signature.version);
      return reply.type("application/json").send(JSON.stringify(modelMetadata(target, versions)));
    });
    app.get<{ Params: ModelParams }>(`${base}/ready`, async (request, reply) => {
      const { model, version } = request.params;
      const requested = versionParam(version);
      if (!repository.has(model)) {
        return reply
          .code(404)
          .type("application/json")
          .send(JSON.stringify({ error: `unknown model '${model}'` }));
      }
      const ready = repository
        .versionsOf(model)
        .some((v) => requested === undefined || v.signature.version === requested);
      return reply.code(ready && !context.state.draining ? 200 : 503).send();
    });
    app.get<{ Params: ModelParams }>(`${base}/config`, async (request, reply) => {
      const { model, version } = request.params;
      const target = repository.resolve(model, versionParam(version));
      return reply.type("application/json").send(JSON.stringify(servedModelConfig(target)));
    });
  }
}
