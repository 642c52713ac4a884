import type { FastifyInstance } from "fastify";
import { InferenceError } from "../protocol/errors";
import type { AppContext } from "./context";

/**
 * Who may call a route: `open` (health, metrics), `inference` (inference, metadata, index:
 * the inference token when one is set, or any client of the tokens file — only for the models
 * its entry allows) or `repository` (load/unload: the repository token when
 * one is set; refused when only an inference token is set, so that enabling auth never leaves
 * model control open).
 */
export type Access = "open" | "inference" | "repository";

declare module "fastify" {
  interface FastifyContextConfig {
    /** Who may call the route; see {@link Access}. */
    access?: Access;
  }
}

function unauthenticated(message: string): InferenceError {
  return new InferenceError("UNAUTHENTICATED", message);
}

/** Installs the bearer-token check, comparing tokens in constant time. */
export function installAccessControl(app: FastifyInstance, context: AppContext): void {
  const { authToken, repositoryToken, clients } = context;
  if (!authToken && !repositoryToken && !clients) return;
  app.addHook("onRequest", async (request, reply) => {
    const access = request.routeOptions.config.access ?? "inference";
    if (access === "open") return;
    const header = request.headers.authorization;
    if (access === "repository") {
      if (!repositoryToken) {
        throw new InferenceError(
          "FORBIDDEN",
          "model load/unload is disabled while --auth-token-file or --tokens-file is set without --repository-auth-token-file",
        );
      }
      if (!repositoryToken.accepts(header)) {
        reply.header("www-authenticate", 'Bearer realm="repository"');
        throw unauthenticated("model load/unload needs 'Authorization: Bearer <repository token>'");
      }
      return;
    }
    if (clients) {
      const client = clients.identify(header);
      if (!client) {
        reply.header("www-authenticate", 'Bearer realm="inference"');
        throw unauthenticated("this endpoint needs 'Authorization: Bearer <token>'");
      }
      const model = (request.params as { model?: string } | undefined)?.model;
      if (model !== undefined && !client.allows(model)) {
        throw new InferenceError(
          "FORBIDDEN",
          `client '${client.name}' may not use model '${model}'`,
        );
      }
      return;
    }
    if (authToken && !authToken.accepts(header)) {
      reply.header("www-authenticate", 'Bearer realm="inference"');
      throw unauthenticated("this endpoint needs 'Authorization: Bearer <token>'");
    }
  });
}
