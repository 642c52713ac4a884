import Fastify, { type FastifyInstance, LogController } from "fastify";
import type { Logger } from "pino";
import { installAccessControl } from "./access";
import type { AppContext } from "./context";
import { installErrorHandlers } from "./errors";
import { healthRoutes } from "./routes-health";
import { inferRoutes } from "./routes-infer";
import { metricsRoutes } from "./routes-metrics";
import { modelRoutes } from "./routes-models";
import { repositoryRoutes } from "./routes-repository";
import { serverRoutes } from "./routes-server";

/**
 * Builds the HTTP application: every body is read as bytes up to the body limit (the routes
 * decode JSON and binary themselves), request ids come from `X-Request-Id` or are generated and
 * echoed back, and while draining every response carries `Connection: close`.
 *
 * @param context what the routes work with
 * @param logger the server's pino logger
 */
export function buildApp(context: AppContext, logger: Logger): FastifyInstance {
  const app = Fastify({
    loggerInstance: logger,
    logController: new LogController({
      disableRequestLogging: true,
      requestIdLogLabel: "request_id",
    }),
    bodyLimit: context.bodyLimitBytes,
    requestIdHeader: "x-request-id",
    return503OnClosing: false,
    forceCloseConnections: "idle",
  }) as unknown as FastifyInstance;
  app.removeAllContentTypeParsers();
  app.addContentTypeParser("*", { parseAs: "buffer" }, (_request, body, done) => done(null, body));
  app.addHook("onSend", async (request, reply) => {
    reply.header("x-request-id", request.id);
    if (context.state.draining) reply.header("connection", "close");
  });
  if (logger.isLevelEnabled("debug")) {
    app.addHook("onResponse", async (request, reply) => {
      request.log.debug(
        {
          method: request.method,
          url: request.url,
          status: reply.statusCode,
          ms: reply.elapsedTime,
        },
        "request completed",
      );
    });
  }
  installErrorHandlers(app);
  installAccessControl(app, context);
  healthRoutes(app, context);
  serverRoutes(app);
  modelRoutes(app, context);
  inferRoutes(app, context);
  repositoryRoutes(app, context);
  metricsRoutes(app, context);
  return app;
}
