import Fastify, { type FastifyInstance, LogController } from "fastify";
import type { Logger } from "pino";
import { REQUEST_ID, requestIds } from "../request-id";
import { installAccessControl } from "./access";
import { readBody } from "./body-reader";
import type { AppContext } from "./context";
import { installErrorHandlers } from "./errors";
import { createHttpServer } from "./http-server";
import { inferEndpoint } from "./infer-endpoint";
import { healthRoutes } from "./routes-health";
import { metricsRoutes } from "./routes-metrics";
import { modelRoutes } from "./routes-models";
import { repositoryRoutes } from "./routes-repository";
import { serverRoutes } from "./routes-server";
import { statisticsRoutes } from "./routes-statistics";
import { traceRoutes } from "./routes-trace";

/**
 * Builds the HTTP application. Inference requests take a framework-free path
 * ({@link inferEndpoint}); every other route runs on fastify. Every body is read as bytes up to
 * the body limit (the routes decode JSON and binary themselves); request ids come from
 * `X-Request-Id` or are generated and echoed back; while draining every response carries
 * `Connection: close`. No route has per-request hooks, child loggers or abort plumbing: the
 * request id and the drain header are set once on the raw response, and the logger gets the id
 * only when something is logged.
 *
 * @param context what the routes work with
 * @param logger the server's pino logger
 */
export function buildApp(context: AppContext, logger: Logger): FastifyInstance {
  const requestId = requestIds();
  const infer = inferEndpoint(context, logger);
  const app = Fastify({
    loggerInstance: logger,
    childLoggerFactory: (parent) => parent,
    logController: new LogController({
      disableRequestLogging: true,
      requestIdLogLabel: "request_id",
    }),
    bodyLimit: context.bodyLimitBytes,
    requestIdHeader: REQUEST_ID,
    return503OnClosing: false,
    forceCloseConnections: "idle",
    serverFactory: (handler) =>
      createHttpServer(
        (request, response) => {
          const id = requestId(request.headers[REQUEST_ID]);
          request.headers[REQUEST_ID] = id;
          response.setHeader(REQUEST_ID, id);
          if (!infer(request, response)) handler(request, response);
        },
        {
          bodyLimitBytes: context.bodyLimitBytes,
          draining: () => context.state.draining,
          requestTimeoutMs: context.requestTimeoutMs,
        },
      ),
  }) as unknown as FastifyInstance;
  app.removeAllContentTypeParsers();
  app.addContentTypeParser("*", (request, payload, done) =>
    readBody(payload, Math.min(request.routeOptions.bodyLimit, context.bodyLimitBytes), done),
  );
  if (logger.isLevelEnabled("debug")) {
    app.addHook("onResponse", (request, reply, done) => {
      request.log.debug(
        {
          request_id: request.id,
          method: request.method,
          url: request.url,
          status: reply.statusCode,
          ms: reply.elapsedTime,
        },
        "request completed",
      );
      done();
    });
  }
  installErrorHandlers(app);
  installAccessControl(app, context);
  healthRoutes(app, context);
  serverRoutes(app);
  modelRoutes(app, context);
  repositoryRoutes(app, context);
  if (!context.metricsOnOwnPort) metricsRoutes(app, context);
  statisticsRoutes(app, context);
  traceRoutes(app, context);
  return app;
}
