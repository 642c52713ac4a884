import { stat } from "node:fs/promises";
import { availableParallelism } from "node:os";
import path from "node:path";
import type { FastifyInstance } from "fastify";
import type { Logger } from "pino";
import { BearerToken } from "./auth";
import { ResponseCache } from "./cache/response-cache";
import { type RunningGrpcServer, startGrpcServer } from "./grpc/grpc-server";
import { buildApp } from "./http/app";
import type { AppContext } from "./http/context";
import { type RunningMetricsServer, startMetricsServer } from "./http/metrics-server";
import { ServerState } from "./http/server-state";
import { InferenceService } from "./inference";
import { ClientRegistry } from "./limits/client-registry";
import { ServerMetrics } from "./metrics";
import { AuditLog } from "./observability/audit/audit-log";
import { DEFAULT_DRIFT_WINDOW } from "./observability/drift-monitor";
import { modelControlProblem, type ServerOptions } from "./options";
import type { LoadSettings } from "./repository/loader";
import { ModelRepository } from "./repository/model-repository";
import { RepositoryPoller } from "./repository/repository-poller";
import { type Clock, systemClock } from "./scheduling/clock";
import type { InferResult } from "./scheduling/scheduler";
import { drainOnce } from "./server-shutdown";
import { Tracing } from "./tracing/tracing";

/** Audit bytes buffered before records are dropped when `--audit-buffer-bytes` is not given. */
const DEFAULT_AUDIT_BUFFER_BYTES = 8 * 1024 * 1024;

/** A started server. */
export interface RunningServer {
  /** Base URL, e.g. `http://127.0.0.1:8000`. */
  url: string;
  /** The HTTP application. */
  app: FastifyInstance;
  /** The models. */
  repository: ModelRepository;
  /** Lifecycle flags. */
  state: ServerState;
  /** Metrics. */
  metrics: ServerMetrics;
  /** The gRPC side (`--grpc-port`); absent when the port is 0. */
  grpc?: RunningGrpcServer;
  /** Base URL of the metrics port (`--metrics-port`); absent when `/metrics` is on the main port. */
  metricsUrl?: string;
  /**
   * Drains and stops without losing a request: readiness answers 503 at once and every response
   * says `Connection: close`; for `graceMs` new requests are still served (load balancers need
   * that long to stop sending any); then the server stops listening, closes idle connections,
   * waits for every request that has begun arriving (from its first byte, mid-body included) to
   * be answered, and releases the models. The gRPC side drains alongside: its health turns
   * NOT_SERVING at once, calls are served through the grace period, then it stops taking calls
   * and waits for those in flight. Resolves true when that finished within `timeoutMs`
   * (grace included), false when connections had to be cut.
   */
  shutdown(timeoutMs: number, graceMs?: number): Promise<boolean>;
}

/**
 * The settings models load with, from the server's options.
 *
 * @param options validated server options
 * @param metrics the server's metrics
 * @param clock time source for queues and measurements
 * @param logger pino logger
 * @param cache the response cache, whose entries of a changed model are dropped
 */
function loadSettings(
  options: ServerOptions,
  metrics: ServerMetrics,
  clock: Clock,
  logger: Logger,
  cache: ResponseCache<InferResult> | undefined,
): LoadSettings {
  return {
    cores: availableParallelism(),
    intraOpThreads: options.intraOpThreads,
    interOpThreads: options.interOpThreads,
    defaultMaxQueueSize: options.maxQueueSize,
    defaultMaxBatchSize: options.defaultMaxBatchSize,
    inlineThresholdMicroseconds: options.inlineThresholdMicroseconds,
    tuningShapes: options.tuningShapes,
    trafficTuning: options.trafficTuning,
    clock,
    logger,
    metrics,
    onModelChanged: (name) => cache?.deleteModel(name),
    observability: {
      driftWindowRows: options.driftWindow ?? DEFAULT_DRIFT_WINDOW,
      metrics: metrics.observability,
    },
  };
}

/**
 * Starts the server: validates the repository and token files, listens, then loads every model
 * (health answers meanwhile; readiness turns 200 once loading and warmup have finished).
 *
 * @param options validated server options
 * @param logger pino logger
 * @param clock time source for queues, measurements and the drain; the system clock by default
 */
export async function startServer(
  options: ServerOptions,
  logger: Logger,
  clock: Clock = systemClock,
): Promise<RunningServer> {
  const root = await repositoryRoot(options);
  const metrics = new ServerMetrics();
  const { authToken, repositoryToken, clients, audit } = await openAccess(options, metrics);
  const tracing = startTracing(options, logger);
  const state = new ServerState();
  const cache =
    options.cacheSizeBytes > 0
      ? new ResponseCache<InferResult>({ maxBytes: options.cacheSizeBytes })
      : undefined;
  const repository = new ModelRepository(
    root,
    loadSettings(options, metrics, clock, logger, cache),
  );
  const context = {
    repository,
    inference: new InferenceService({ repository, metrics, cache, logger }),
    metrics,
    state,
    strictReadiness: options.strictReadiness,
    bodyLimitBytes: options.bodyLimitBytes,
    authToken,
    repositoryToken,
    clients,
    audit,
    modelControlMode: options.modelControlMode,
    requestTimeoutMs: options.requestTimeoutSeconds * 1000,
    metricsOnOwnPort: options.metricsPort !== undefined,
    tracing,
  };
  const app = buildApp(context, logger);
  await app.listen({ host: options.host, port: options.port });
  const { grpc, metricsServer } = await startSideServers(options, context, logger, app);
  const address = app.server.address();
  const port = typeof address === "object" && address ? address.port : options.port;
  const host = options.host.includes(":") ? `[${options.host}]` : options.host;
  const poller =
    options.modelControlMode === "poll"
      ? new RepositoryPoller({
          repository,
          intervalMs: options.repositoryPollSeconds * 1000,
          logger,
          track: (work) => state.track(work),
          onChanged: () => grpc?.health.refresh(),
        })
      : undefined;
  await poller?.remember();
  await repository.loadAll();
  state.started = true;
  grpc?.health.refresh();
  poller?.start();

  const shutdown = drainOnce({
    app,
    grpc,
    metricsServer,
    poller,
    state,
    audit,
    repository,
    tracing,
    clock,
    logger,
  });
  return {
    url: `http://${host}:${port}`,
    app,
    repository,
    state,
    metrics,
    grpc,
    metricsUrl: metricsServer?.url,
    shutdown,
  };
}

/**
 * Checks the model control mode and that `--model-repository` is a directory.
 *
 * @returns the repository's absolute path
 */
async function repositoryRoot(options: ServerOptions): Promise<string> {
  const controlProblem = modelControlProblem(options);
  if (controlProblem) throw new Error(controlProblem);
  const root = path.resolve(options.modelRepository);
  const info = await stat(root).catch(() => undefined);
  if (!info?.isDirectory()) {
    throw new Error(
      `--model-repository: '${options.modelRepository}' is not a directory; it must hold <model>/<version>/model.onnx`,
    );
  }
  return root;
}

/** The bearer tokens, the tokens-file clients and the audit log the options name. */
async function openAccess(options: ServerOptions, metrics: ServerMetrics) {
  const [authToken, repositoryToken] = await Promise.all([
    options.authTokenFile
      ? BearerToken.fromFile(options.authTokenFile, "--auth-token-file")
      : undefined,
    options.repositoryAuthTokenFile
      ? BearerToken.fromFile(options.repositoryAuthTokenFile, "--repository-auth-token-file")
      : undefined,
  ]);
  const clients = options.tokensFile
    ? await ClientRegistry.fromFile(
        options.tokensFile,
        "--tokens-file",
        metrics.registry,
        options.metricsClientLabels,
      )
    : undefined;
  const audit = options.auditLog
    ? await AuditLog.open(
        {
          destination: options.auditLog,
          sampleRate: options.auditSampleRate ?? 1,
          bufferBytes: options.auditBufferBytes ?? DEFAULT_AUDIT_BUFFER_BYTES,
          payloadBytes: options.auditPayloadBytes ?? 0,
        },
        metrics.registry,
      )
    : undefined;
  return { authToken, repositoryToken, clients, audit };
}

/** Tracing, when the options turn it on (logged with where spans go); undefined otherwise. */
function startTracing(options: ServerOptions, logger: Logger): Tracing | undefined {
  if (!options.tracing) return undefined;
  const tracing = new Tracing(options.tracing);
  logger.info(
    { traces_url: options.tracing.tracesUrl, ...tracing.settings.effective() },
    "tracing on: exporting OTLP/HTTP",
  );
  return tracing;
}

/**
 * Starts the gRPC server and the metrics port when the options ask for them; when one fails to
 * start, what did start is closed, the HTTP app included, and tracing shut down.
 */
async function startSideServers(
  options: ServerOptions,
  context: AppContext,
  logger: Logger,
  app: FastifyInstance,
): Promise<{ grpc?: RunningGrpcServer; metricsServer?: RunningMetricsServer }> {
  let grpc: RunningGrpcServer | undefined;
  let metricsServer: RunningMetricsServer | undefined;
  try {
    if (options.grpcPort > 0) {
      grpc = await startGrpcServer(
        { ...context, logger },
        { host: options.host, port: options.grpcPort, maxMessageBytes: options.bodyLimitBytes },
      );
    }
    if (options.metricsPort !== undefined) {
      metricsServer = await startMetricsServer(context.metrics.registry, {
        host: options.host,
        port: options.metricsPort,
        requestTimeoutMs: context.requestTimeoutMs,
      });
    }
  } catch (error) {
    grpc?.forceClose();
    await app.close();
    await context.tracing?.shutdown();
    throw error;
  }
  return { grpc, metricsServer };
}
