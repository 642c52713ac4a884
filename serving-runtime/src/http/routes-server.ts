import type { FastifyInstance } from "fastify";
import { version } from "../version";

/** Protocol extensions this server implements, as `GET /v2` lists them. */
export const EXTENSIONS = [
  "binary_tensor_data",
  "model_repository",
  "model_configuration",
  "schedule_policy",
  "parameters",
  "statistics",
  "trace",
];

/** `GET /v2`: server metadata `{name, version, extensions}`. */
export function serverRoutes(app: FastifyInstance): void {
  const body = JSON.stringify({ name: "hybridai", version, extensions: EXTENSIONS });
  app.get("/v2", async (_request, reply) => reply.type("application/json").send(body));
}
