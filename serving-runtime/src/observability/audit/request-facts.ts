import type { InferResult } from "../../scheduling/scheduler";

/** Where a fallback answer came from: a fallback model on this server, or a remote endpoint. */
export type FallbackFact =
  | {
      /** The fallback model. */
      model: string;
      /** Its version. */
      version: string;
      /** What sent the request there (`timeout`, `error`, `overload`, `circuit_open`, `absent`). */
      trigger: string;
    }
  | {
      /** The remote fallback endpoint's base URL. */
      endpoint: string;
      /** What sent the request there. */
      trigger: string;
    };

/**
 * What one audited inference request did, gathered as it runs: the endpoint fills in who and
 * what, the inference service how it was answered. Only sampled requests get one, so requests
 * that are not audited allocate nothing.
 */
export interface RequestFacts {
  /** Wall-clock start, milliseconds since the epoch. */
  startedAt: number;
  /** Monotonic start, milliseconds (`performance.now`). */
  started: number;
  /** `X-Request-Id` (given or generated). */
  requestId?: string;
  /** The protocol the request came over. */
  protocol: "http" | "grpc";
  /** The caller: its tokens-file name, `auth-token-file` for the single token, absent when open. */
  client?: string;
  /** Model the request addressed. */
  model?: string;
  /** Version that was to answer. */
  version?: string;
  /** The request body as received (for gRPC, the `ModelInferRequest` message's bytes). */
  body?: Buffer;
  /** Whether the body is binary: the binary tensor extension, or a gRPC message. */
  binary?: boolean;
  /** Response cache: hit or miss; absent when the model does not cache. */
  cache?: "hit" | "miss";
  /** Set when a fallback model answered. */
  fallback?: FallbackFact;
  /** The outputs returned. */
  result?: InferResult;
  /** The request's trace id (tracing on), 32 hex digits. */
  traceId?: string;
  /** The request's span id (tracing on), 16 hex digits. */
  spanId?: string;
}
