import type { FastifyInstance } from "fastify";
import type { AppContext } from "./context";

/** `GET /metrics`: Prometheus text format, open like health. */
export function metricsRoutes(app: FastifyInstance, context: AppContext): void {
  const { registry } = context.metrics;
  app.get("/metrics", { config: { access: "open" } }, async (_request, reply) =>
    reply.type(registry.contentType).send(await registry.metrics()),
  );
}
