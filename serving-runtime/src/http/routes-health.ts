import type { FastifyInstance } from "fastify";
import type { AppContext } from "./context";

/** Whether the server is ready: started, not draining, and (strict) every model ready. */
export function serverReady(context: AppContext): boolean {
  const { state, repository, strictReadiness } = context;
  return state.started && !state.draining && (!strictReadiness || repository.allReady());
}

/**
 * `GET /v2/health/live` (200 while the process serves) and `GET /v2/health/ready` (200 ready,
 * 503 not, at once after SIGTERM); status code only, as Triton answers.
 */
export function healthRoutes(app: FastifyInstance, context: AppContext): void {
  const open = { config: { access: "open" as const } };
  app.get("/v2/health/live", open, async (_request, reply) => reply.code(200).send());
  app.get("/v2/health/ready", open, async (_request, reply) =>
    reply.code(serverReady(context) ? 200 : 503).send(),
  );
}
