import type { FastifyInstance } from "fastify";
import { type Access, authorizeCall, checkModelAllowed } from "../access-rules";
import { InferenceError } from "../protocol/errors";
import type { AppContext } from "./context";

declare module "fastify" {
  interface FastifyContextConfig {
    /** Who may call the route; see {@link Access}. */
    access?: Access;
  }
}

/**
 * Installs the bearer-token check ({@link authorizeCall}: tokens compared in constant time) and
 * the tokens-file clients' model allow-lists on routes that name a model; a 401 carries
 * `WWW-Authenticate` naming the token's realm.
 */
export function installAccessControl(app: FastifyInstance, context: AppContext): void {
  const { authToken, repositoryToken, clients } = context;
  if (!authToken && !repositoryToken && !clients) return;
  app.addHook("onRequest", async (request, reply) => {
    const access = request.routeOptions.config.access ?? "inference";
    try {
      const client = authorizeCall(access, request.headers.authorization, context);
      const model = (request.params as { model?: string } | undefined)?.model;
      if (model !== undefined) checkModelAllowed(client, model);
    } catch (error) {
      if (error instanceof InferenceError && error.kind === "UNAUTHENTICATED") {
        const realm = access === "repository" ? "repository" : "inference";
        reply.header("www-authenticate", `Bearer realm="${realm}"`);
      }
      throw error;
    }
  });
}
