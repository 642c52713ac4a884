import type { FastifyInstance, FastifyRequest } from "fastify";
import { type Access, authorizeCall, checkModelAllowed } from "../access-rules";
import type { ApiClient } from "../limits/client-registry";
import type { AppContext } from "./context";

declare module "fastify" {
  interface FastifyContextConfig {
    /** Who may call the route; see {@link Access}. */
    access?: Access;
  }
}

/** The tokens-file client each authorized request was made by. */
const callers = new WeakMap<FastifyRequest, ApiClient>();

/** The tokens-file client that made a request, when a tokens file is set. */
export function callerOf(request: FastifyRequest): ApiClient | undefined {
  return callers.get(request);
}

/**
 * Installs the access rules ({@link authorizeCall}: bearer tokens compared in constant time, the
 * model control mode on load/unload) and the tokens-file clients' model allow-lists on routes
 * that name a model (checked before the model is looked up, so an unknown model gets the same
 * 403 as a forbidden one); a 401 carries `WWW-Authenticate` naming the token's realm (written by
 * the error handler, `errorReply` in `error-reply.ts`). The
 * client stays reachable through {@link callerOf}, for listings filtered to its models.
 */
export function installAccessControl(app: FastifyInstance, context: AppContext): void {
  app.addHook("onRequest", async (request) => {
    const access = request.routeOptions.config.access ?? "inference";
    if (access === "open") return;
    const client = authorizeCall(access, request.headers.authorization, context);
    if (!client) return;
    callers.set(request, client);
    const model = (request.params as { model?: string } | undefined)?.model;
    if (model !== undefined) checkModelAllowed(client, model);
  });
}
