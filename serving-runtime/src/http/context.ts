import type { BearerToken } from "../auth";
import type { InferenceService } from "../inference";
import type { ClientRegistry } from "../limits/client-registry";
import type { ServerMetrics } from "../metrics";
import type { AuditLog } from "../observability/audit/audit-log";
import type { ModelControlMode } from "../options";
import type { ModelRepository } from "../repository/model-repository";
import type { Tracing } from "../tracing/tracing";
import type { ServerState } from "./server-state";

/** What the HTTP routes work with. */
export interface AppContext {
  /** The models. */
  repository: ModelRepository;
  /** Runs inference requests (cache, breaker, fallback, scheduler). */
  inference: InferenceService;
  /** Prometheus metrics. */
  metrics: ServerMetrics;
  /** Lifecycle flags and in-flight work. */
  state: ServerState;
  /** Ready only when every model is ready. */
  strictReadiness: boolean;
  /** Largest request body in bytes. */
  bodyLimitBytes: number;
  /** Token required for everything but health and metrics, when set. */
  authToken?: BearerToken;
  /** Token required for repository load/unload, when set. */
  repositoryToken?: BearerToken;
  /** Named clients with their limits (`--tokens-file`); replaces `authToken` when set. */
  clients?: ClientRegistry;
  /** The audit log of inference requests (`--audit-log`), when on. */
  audit?: AuditLog;
  /** `--model-control-mode`: load/unload are refused unless `explicit`. */
  modelControlMode: ModelControlMode;
  /** Longest a client may take to send a request's headers and body, in ms. */
  requestTimeoutMs: number;
  /** `/metrics` is served on its own port (`--metrics-port`), not on this one. */
  metricsOnOwnPort: boolean;
  /**
   * OpenTelemetry tracing (`--trace-endpoint` or `OTEL_EXPORTER_OTLP_ENDPOINT`); absent when
   * tracing is off.
   */
  tracing?: Tracing;
}
