import type { Server } from "@grpc/grpc-js";
import { HealthImplementation } from "grpc-health-check";
import { INFERENCE_SERVICE } from "./proto";

/** Health service name that reports liveness (for a Kubernetes gRPC liveness probe). */
export const LIVENESS_SERVICE = "live";

type ServingStatus = "SERVING" | "NOT_SERVING";

/**
 * `grpc.health.v1.Health` for Kubernetes' native gRPC probes: the server as a whole (`""`, what a
 * probe without `service` asks) and `inference.GRPCInferenceService` are SERVING exactly when the
 * server is ready (as `GET /v2/health/ready`: started, not draining and, with strict readiness,
 * every model ready); `live` is SERVING while the process serves (as `GET /v2/health/live`).
 * Statuses are brought up to date before every Check and by {@link ReadinessHealth.refresh}, so
 * Watch streams see changes too.
 */
export class ReadinessHealth {
  private readonly health = new HealthImplementation({
    "": "NOT_SERVING",
    [INFERENCE_SERVICE]: "NOT_SERVING",
    [LIVENESS_SERVICE]: "SERVING",
  });
  private last: ServingStatus = "NOT_SERVING";

  /** @param ready whether the server is ready now */
  constructor(private readonly ready: () => boolean) {}

  /** Sets the statuses from the server's readiness now. */
  refresh(): void {
    const next: ServingStatus = this.ready() ? "SERVING" : "NOT_SERVING";
    if (next === this.last) return;
    this.last = next;
    this.health.setStatus("", next);
    this.health.setStatus(INFERENCE_SERVICE, next);
  }

  /** Adds the health service to a gRPC server, refreshing the statuses before every Check. */
  addTo(server: Server): void {
    const refreshing = {
      addService: (service: Parameters<Server["addService"]>[0], handlers: HealthHandlers) =>
        server.addService(service, {
          ...handlers,
          check: (call: unknown, callback: unknown) => {
            this.refresh();
            handlers.check(call, callback);
          },
        }),
    };
    this.health.addToServer(refreshing as unknown as Server);
  }
}

interface HealthHandlers {
  check(call: unknown, callback: unknown): void;
  [method: string]: unknown;
}
