import type { Logger } from "pino";
import { InferenceError, invalidArgument } from "../protocol/errors";
import type { EncodedResponse } from "../protocol/infer-response";
import type { TraceHeaders } from "../tracing/request-trace";
import { CIRCUIT_STATE_CODE, CircuitBreaker, type Clock } from "./circuit-breaker";
import type { RemoteFallbackConfig } from "./config";
import type { CallOutcome } from "./fallback";
import { RemoteCallError, RemoteInferenceClient } from "./remote-client";
import type { RemoteFallbackMetrics, RemoteFallbackResult } from "./remote-metrics";
import { withResponseParameters } from "./response-parameters";

/** A request to forward: its raw body as it arrived. */
export interface ForwardedRequest {
  /** The request body. */
  body: Buffer;
  /** `Inference-Header-Content-Length` of a binary-extension body. */
  headerLength?: string;
  /** Request id, sent on as `X-Request-Id`. */
  requestId?: string;
}

/** What a {@link RemoteFallback} is made of. */
export interface RemoteFallbackOptions {
  /** The model; requests go to the same model name on the endpoint. */
  model: string;
  /** The model's resolved remote `fallback` block. */
  config: RemoteFallbackConfig;
  /** The server's registry, where the endpoint metrics live. */
  metrics: RemoteFallbackMetrics;
  /** Logger. */
  logger: Logger;
  /** Time source of the endpoint's breaker; monotonic by default. */
  clock?: Clock;
}

const MESSAGE_LIMIT = 500;

/** The error message of a remote answer that is not 200: its `error`, or the start of its body. */
export function errorText(body: Buffer): string {
  const text = body.toString("utf8", 0, Math.min(body.length, 4096));
  try {
    const parsed = JSON.parse(text) as { error?: unknown };
    if (typeof parsed.error === "string") return parsed.error.slice(0, MESSAGE_LIMIT);
  } catch {
    // not the protocol's error body: quote the start of it
  }
  return text.slice(0, MESSAGE_LIMIT) || "(empty body)";
}

/**
 * A model's remote fallback endpoint: forwards a request the model could not answer to
 * `POST {url}/v2/models/{model}/infer` (body, binary header, bearer token, request id), behind
 * the endpoint's own circuit breaker, and relays the answer with `parameters.fallback_endpoint`
 * and `parameters.fallback_trigger` added. When the endpoint cannot answer either (breaker open,
 * no connection, timeout, any status but 200 and 400) the caller gets the model's own error, its
 * message extended by why the endpoint did not help; a 400 (the endpoint found the request
 * itself wrong) is relayed as 400.
 */
export class RemoteFallback {
  /** The endpoint's circuit breaker (failures and timeouts count; 200 and 400 answers succeed). */
  readonly breaker: CircuitBreaker;
  private readonly client: RemoteInferenceClient;

  /** @param options model, config, metrics, logger and clock */
  constructor(private readonly options: RemoteFallbackOptions) {
    const { model, config, metrics } = options;
    this.client = new RemoteInferenceClient({
      url: config.url,
      tokenFile: config.token_file,
      timeoutMs: config.timeout_ms,
    });
    this.breaker = new CircuitBreaker({
      model,
      config: config.circuit_breaker,
      clock: options.clock,
      onStateChange: (change) => {
        metrics.breakerState.set({ model }, CIRCUIT_STATE_CODE[change.to]);
        options.logger.warn(
          { model, endpoint: config.url, from: change.from, to: change.to, reason: change.reason },
          "fallback endpoint circuit breaker state changed",
        );
      },
    });
    metrics.breakerState.set({ model }, CIRCUIT_STATE_CODE.closed);
  }

  /** The endpoint's base URL. */
  get url(): string {
    return this.client.url;
  }

  /**
   * Forwards a request the model could not answer.
   *
   * @param request the raw request
   * @param trigger why the model did not answer
   * @param cause the model's own error, thrown (extended) when the endpoint cannot answer either
   * @param signal aborts the call, e.g. when the client disconnects
   * @param traceHeaders the trace context sent with the request
   * @returns the endpoint's answer, marked as a fallback answer
   */
  async forward(
    request: ForwardedRequest,
    trigger: CallOutcome,
    cause: unknown,
    signal?: AbortSignal,
    traceHeaders?: TraceHeaders,
  ): Promise<EncodedResponse> {
    const { model, config, logger } = this.options;
    const permit = this.breaker.tryAcquire();
    if (!permit) {
      this.count(trigger, "circuit_open");
      throw this.ownError(
        cause,
        "its circuit breaker is open after repeated failures, so it was not tried",
      );
    }
    let answer: Awaited<ReturnType<RemoteInferenceClient["infer"]>>;
    try {
      answer = await this.client.infer({
        model,
        body: request.body,
        headerLength: request.headerLength,
        requestId: request.requestId,
        purpose: "fallback",
        signal,
        traceHeaders,
      });
    } catch (error) {
      const failure = error instanceof RemoteCallError ? error.failure : "error";
      if (failure === "cancelled") permit.release();
      else permit.failure();
      this.count(trigger, failure);
      if (failure !== "cancelled") {
        logger.warn(
          { model, endpoint: config.url, trigger, failure, error: (error as Error).message },
          "fallback endpoint failed",
        );
      }
      throw this.ownError(cause, `it failed: ${(error as Error).message}`);
    }
    if (answer.status === 200) {
      try {
        const encoded = this.relay(answer.body, answer.jsonLength, trigger);
        permit.success(answer.durationMs);
        this.count(trigger, "success");
        logger.debug({ model, endpoint: config.url, trigger }, "served by fallback endpoint");
        return encoded;
      } catch (error) {
        permit.failure(answer.durationMs);
        this.count(trigger, "error");
        throw this.ownError(
          cause,
          `its answer is not an inference response: ${(error as Error).message}`,
        );
      }
    }
    if (answer.status === 400) {
      permit.success(answer.durationMs);
      this.count(trigger, "rejected");
      throw invalidArgument(
        `model '${model}' could not answer (${trigger}) and its fallback endpoint ${config.url} rejected the request: ${errorText(answer.body)}`,
      );
    }
    permit.failure(answer.durationMs);
    this.count(trigger, "error");
    logger.warn(
      { model, endpoint: config.url, trigger, status: answer.status },
      "fallback endpoint failed",
    );
    throw this.ownError(cause, `it answered ${answer.status}: ${errorText(answer.body)}`);
  }

  private relay(body: Buffer, jsonLength: number | undefined, trigger: CallOutcome) {
    const parameters = { fallback_endpoint: this.url, fallback_trigger: trigger };
    const json = body.toString("utf8", 0, jsonLength ?? body.length);
    const marked = withResponseParameters(json, parameters);
    if (jsonLength === undefined) return { body: marked };
    const head = Buffer.from(marked, "utf8");
    return { body: Buffer.concat([head, body.subarray(jsonLength)]), jsonLength: head.length };
  }

  private ownError(cause: unknown, detail: string): unknown {
    if (!(cause instanceof InferenceError)) return cause;
    return new InferenceError(
      cause.kind,
      `${cause.message.trimEnd()}; the fallback endpoint ${this.url} could not answer instead: ${detail}`,
    );
  }

  private count(trigger: CallOutcome, result: RemoteFallbackResult): void {
    this.options.metrics.requests.inc({ model: this.options.model, trigger, result });
  }
}
