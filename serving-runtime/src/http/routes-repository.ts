import type { FastifyInstance } from "fastify";
import { visibleTo } from "../access-rules";
import { invalidArgument, unavailable } from "../protocol/errors";
import { callerOf } from "./access";
import type { AppContext } from "./context";
import { optionalJsonBody } from "./request-parts";

interface ModelParams {
  model: string;
}

/**
 * Largest body of a repository request: `{"ready": true}` or a load's `parameters.config`. Far
 * below the inference body limit, so a huge body sent here is refused before it is parsed.
 */
export const REPOSITORY_BODY_LIMIT_BYTES = 1024 * 1024;

function configParameter(body: Record<string, unknown>): unknown {
  const parameters = body.parameters as Record<string, unknown> | undefined;
  const config = parameters?.config;
  if (config === undefined) return undefined;
  if (typeof config !== "string") {
    throw invalidArgument("parameters.config must be a string holding the model config as JSON");
  }
  try {
    return JSON.parse(config);
  } catch (error) {
    throw invalidArgument(`parameters.config is not valid JSON: ${(error as Error).message}`);
  }
}

/**
 * Triton's model repository extension: `POST /v2/repository/index` (optional `{"ready": true}`;
 * a tokens-file client sees only the models its entry lists), `POST /v2/repository/models/{m}/load`
 * (optional `parameters.config` replacing `config.json`, without settings that name a file or a
 * URL) and `…/unload`; load and unload only with `--model-control-mode explicit` and the
 * repository token (see the access rules).
 */
export function repositoryRoutes(app: FastifyInstance, context: AppContext): void {
  const { repository, state } = context;
  const small = { bodyLimit: REPOSITORY_BODY_LIMIT_BYTES };
  app.post("/v2/repository/index", small, async (request, reply) => {
    const body = optionalJsonBody(request);
    const rows = await repository.index(body.ready === true);
    const visible = visibleTo(callerOf(request), rows, (row) => row.name);
    return reply.type("application/json").send(JSON.stringify(visible));
  });
  const control = { ...small, config: { access: "repository" as const } };
  app.post<{ Params: ModelParams }>(
    "/v2/repository/models/:model/load",
    control,
    async (request, reply) => {
      if (state.draining) throw unavailable("the server is shutting down");
      const config = configParameter(optionalJsonBody(request));
      await state.track(() => repository.load(request.params.model, config));
      return reply.code(200).send();
    },
  );
  app.post<{ Params: ModelParams }>(
    "/v2/repository/models/:model/unload",
    control,
    async (request, reply) => {
      if (state.draining) throw unavailable("the server is shutting down");
      optionalJsonBody(request);
      await state.track(() => repository.unload(request.params.model));
      return reply.code(200).send();
    },
  );
}
