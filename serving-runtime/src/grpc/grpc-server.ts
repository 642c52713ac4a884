import { Server, ServerCredentials } from "@grpc/grpc-js";
import { ReflectionService } from "@grpc/reflection";
import { serverReady } from "../http/routes-health";
import { ReadinessHealth } from "./health";
import { inferenceServiceDefinition, reflectedProtocols } from "./proto";
import { type GrpcContext, inferenceService } from "./service";

/** Where and how the gRPC server listens. */
export interface GrpcListenOptions {
  /** Address to listen on (the HTTP server's). */
  host: string;
  /** Port. */
  port: number;
  /** Largest request message in bytes: the HTTP body limit. */
  maxMessageBytes: number;
}

/** A listening gRPC server. */
export interface RunningGrpcServer {
  /** `host:port` as clients dial it, e.g. `127.0.0.1:8001`. */
  address: string;
  /** The port it listens on. */
  port: number;
  /** Health statuses; {@link ReadinessHealth.refresh} after readiness changed. */
  health: ReadinessHealth;
  /**
   * Stops taking calls (clients are told to go away) and resolves once every call in flight
   * has been answered.
   */
  close(): Promise<void>;
  /** Cancels every call in flight and closes every connection at once. */
  forceClose(): void;
}

/**
 * Starts the gRPC side on its own port: `inference.GRPCInferenceService` on the shared inference
 * core, `grpc.health.v1.Health` following readiness, and server reflection (so `grpcurl` needs no
 * .proto files). A request message over `maxMessageBytes` is refused with RESOURCE_EXHAUSTED
 * before it is decoded; answers are not limited (as HTTP responses are not).
 *
 * @param context what the handlers work with
 * @param listen host, port and message limit
 */
export async function startGrpcServer(
  context: GrpcContext,
  listen: GrpcListenOptions,
): Promise<RunningGrpcServer> {
  const server = new Server({
    "grpc.max_receive_message_length": listen.maxMessageBytes,
    "grpc.max_send_message_length": -1,
  });
  const health = new ReadinessHealth(() => serverReady(context));
  server.addService(
    inferenceServiceDefinition(),
    inferenceService({ ...context, onRepositoryChanged: () => health.refresh() }),
  );
  health.addTo(server);
  new ReflectionService(reflectedProtocols()).addToServer(server);
  const host = listen.host.includes(":") ? `[${listen.host}]` : listen.host;
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync(
      `${host}:${listen.port}`,
      ServerCredentials.createInsecure(),
      (error, bound) =>
        error
          ? reject(
              new Error(`--grpc-port: cannot listen on ${host}:${listen.port}: ${error.message}`),
            )
          : resolve(bound),
    ),
  );
  return {
    address: `${host}:${port}`,
    port,
    health,
    close: () =>
      new Promise<void>((resolve) => {
        server.tryShutdown(() => resolve());
      }),
    forceClose: () => server.forceShutdown(),
  };
}
