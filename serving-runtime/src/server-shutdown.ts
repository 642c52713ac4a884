import type { FastifyInstance } from "fastify";
import type { Logger } from "pino";
import type { RunningGrpcServer } from "./grpc/grpc-server";
import type { RunningMetricsServer } from "./http/metrics-server";
import type { ServerState } from "./http/server-state";
import type { AuditLog } from "./observability/audit/audit-log";
import type { ModelRepository } from "./repository/model-repository";
import type { RepositoryPoller } from "./repository/repository-poller";
import { type Clock, sleep } from "./scheduling/clock";
import type { Tracing } from "./tracing/tracing";

/** What a running server stops. */
export interface DrainedParts {
  /** The HTTP application. */
  app: FastifyInstance;
  /** The gRPC side, when started. */
  grpc?: RunningGrpcServer;
  /** The metrics port, when started. */
  metricsServer?: RunningMetricsServer;
  /** The repository poller (`--model-control-mode poll`). */
  poller?: RepositoryPoller;
  /** Lifecycle flags and the work in flight. */
  state: ServerState;
  /** The audit log, flushed last. */
  audit?: AuditLog;
  /** The models, released at the end. */
  repository: ModelRepository;
  /** Tracing, when on: its last spans are exported before the server stops. */
  tracing?: Tracing;
  /** Time source of the grace period and the deadline. */
  clock: Clock;
  /** Logger. */
  logger: Logger;
}

/**
 * The server's `shutdown` (see `RunningServer.shutdown`): drains once, however often it is
 * called, and resolves true when everything finished within `timeoutMs`.
 *
 * @param parts what the server stops
 */
export function drainOnce(
  parts: DrainedParts,
): (timeoutMs: number, graceMs?: number) => Promise<boolean> {
  const { app, grpc, metricsServer, poller, state, audit, repository, tracing, clock, logger } =
    parts;
  let stopping: Promise<boolean> | undefined;
  return (timeoutMs: number, graceMs = 0) => {
    stopping ??= (async () => {
      state.draining = true;
      grpc?.health.refresh();
      // No further read starts; a load a read already began is tracked, and waited for below.
      void poller?.stop();
      const connections = () =>
        new Promise<number>((resolve) => app.server.getConnections((_e, count) => resolve(count)));
      logger.info({ connections: await connections(), graceMs, timeoutMs }, "draining");
      let timedOut = false;
      const deadline = clock.setTimer(() => {
        timedOut = true;
        logger.warn("drain timeout reached; closing connections");
        app.server.closeAllConnections();
        grpc?.forceClose();
      }, timeoutMs);
      if (graceMs > 0) await sleep(clock, Math.min(graceMs, timeoutMs));
      logger.info(
        { connections: await connections() },
        "stopped listening; waiting for requests in flight",
      );
      await Promise.all([app.close(), grpc?.close(), metricsServer?.close()]);
      await state.idle();
      deadline.cancel();
      await audit?.close();
      await repository.close();
      await tracing?.shutdown();
      logger.info({ drained: !timedOut }, "stopped");
      return !timedOut;
    })();
    return stopping;
  };
}
