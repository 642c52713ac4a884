import type { EnsembleVersionInfo } from "../ensemble/ensemble-version-info";
import type { ModelMetrics } from "../metrics";
import type { VersionObserver } from "../observability/version-observer";
import type { ModelSignature } from "../protocol/tensor-spec";
import type { CircuitBreaker, FallbackConfig, RemoteFallback } from "../resilience";
import type { Placement } from "../runtime/placement";
import type { ExecutionProvider } from "../runtime/sessions";
import type { RequestScheduler } from "../scheduling/scheduler";
import type { ShadowRunner } from "../shadow/shadow-runner";
import type { ConfigOrigins } from "./auto-complete";
import type { EffectiveConfig } from "./model-config";

/** One loaded, ready model version. */
export interface LoadedVersion {
  /** What requests must match. */
  signature: ModelSignature;
  /** The effective configuration, auto-completed values included. */
  config: EffectiveConfig;
  /** Where each value of the effective configuration came from. */
  origins: ConfigOrigins;
  /** The queue and batcher (an ensemble's: its steps). */
  scheduler: RequestScheduler;
  /** This version's metrics. */
  metrics: ModelMetrics;
  /** Provider the sessions run on. */
  executionProvider: ExecutionProvider;
  /** Why a preferred provider was not used. */
  executionProviderFallbackReason?: string;
  /** Where executions run now (may change when execution time drifts). */
  placement(): Placement;
  /** Instances (sessions) in use now: 1 on the event loop, `instance_group` count in workers. */
  instanceCount(): number;
  /** Intra-op threads of each session. */
  intraOpThreads: number;
  /** The model's circuit breaker, when its config has a `circuit_breaker` block. */
  breaker?: CircuitBreaker;
  /** The model's fallback, when its config has a `fallback` block. */
  fallback?: FallbackConfig;
  /** Drift monitor and output histograms, when the version has a baseline or the config asks. */
  observer?: VersionObserver;
  /** The remote endpoint, when the `fallback` block names a `url`. */
  remoteFallback?: RemoteFallback;
  /** Runs sampled copies on the shadow, when the config has a `shadow` block. */
  shadow?: ShadowRunner;
  /** The steps of an ensemble (`platform: "ensemble"`); absent for an ONNX model. */
  ensemble?: EnsembleVersionInfo;
  /** Waits for queued and running work, then releases the sessions. */
  close(): Promise<void>;
}
