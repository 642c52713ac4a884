import type { FastifyInstance } from "fastify";
import { visibleTo } from "../access-rules";
import { collectStatistics } from "../statistics/model-statistics";
import { callerOf } from "./access";
import type { AppContext } from "./context";
import { versionParam } from "./request-parts";

interface StatisticsParams {
  model?: string;
  version?: string;
}

/**
 * Triton's statistics extension: `GET /v2/models/stats` (every loaded version of every model),
 * `GET /v2/models/{m}/stats` (every loaded version of the model) and
 * `GET /v2/models/{m}/versions/{v}/stats`, answering `{"model_stats": [...]}` with Triton's keys
 * (durations in nanoseconds); 404 for an unknown model or version, 503 for a model not loaded.
 * A tokens-file client sees only the models its entry lists.
 */
export function statisticsRoutes(app: FastifyInstance, context: AppContext): void {
  const { repository } = context;
  const paths = [
    "/v2/models/stats",
    "/v2/models/:model/stats",
    "/v2/models/:model/versions/:version/stats",
  ];
  for (const path of paths) {
    app.get<{ Params: StatisticsParams }>(path, async (request, reply) => {
      const { model, version } = request.params;
      const stats = collectStatistics(repository, model, versionParam(version));
      const visible = visibleTo(callerOf(request), stats, (entry) => entry.name);
      return reply.type("application/json").send(JSON.stringify({ model_stats: visible }));
    });
  }
}
