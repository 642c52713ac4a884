import type { Logger } from "pino";
import {
  type ResponseCache,
  type ResponseCacheKey,
  responseCacheKey,
} from "./cache/response-cache";
import { isDegraded, resultParameters } from "./ensemble/ensemble-result";
import type { ServerMetrics } from "./metrics";
import type { RequestFacts } from "./observability/audit/request-facts";
import { InferenceError, unavailable } from "./protocol/errors";
import type { InferenceRequestBody } from "./protocol/http-body";
import { decodeInferRequest, type InferRequest } from "./protocol/infer-request";
import {
  type EncodedResponse,
  encodeInferResponse,
  type OutputTensor,
  type ResponseHeader,
} from "./protocol/infer-response";
import type { ModelSignature } from "./protocol/tensor-spec";
import type { LoadedVersion } from "./repository/loaded-version";
import type { ModelRepository } from "./repository/model-repository";
import {
  type CallOutcome,
  type CircuitPermit,
  type FallbackConfig,
  isRemoteFallback,
  type RemoteFallback,
  shouldFallback,
} from "./resilience";
import { blamesModel, failureReason, outcomeOf } from "./scheduling/failure-outcome";
import { type ClientLink, type InferResult, SchedulingError } from "./scheduling/scheduler";
import type { OutputData } from "./scheduling/tensor-batch";
import { ATTR, SPAN } from "./tracing/attributes";
import { endSpan, type RequestTrace, type TraceHeaders } from "./tracing/request-trace";

/** An HTTP inference request: its encoded body and, with tracing on, its trace. */
export interface TracedRequestBody extends InferenceRequestBody {
  /** The request's trace (tracing on): carried to the scheduler, fallbacks and shadows. */
  trace?: RequestTrace;
}

/**
 * How one transport's inference request is read and its answer written: HTTP bodies (JSON or
 * the binary tensor extension) or gRPC `ModelInferRequest`s.
 */
export interface InferenceCodec<T> {
  /**
   * Decodes the request and checks it against a model version; called once more for the
   * fallback model when the request is answered from it.
   */
  decode(model: ModelSignature): InferRequest;
  /** Encodes the answer. */
  encode(header: ResponseHeader, outputs: readonly OutputTensor[]): T;
  /** The request's trace, with tracing on. */
  readonly trace?: RequestTrace;
  /**
   * The request as an HTTP body, which remote fallback endpoints and shadows are sent: the body
   * as it arrived for HTTP requests, one built from the decoded request for gRPC (absent before
   * the request is decoded).
   */
  readonly http?: {
    /** The HTTP body, with the request's trace. */
    request: TracedRequestBody;
    /**
     * Forwards the request to a remote endpoint and relays its answer; `traceHeaders` carry the
     * trace (`traceparent`, `tracestate`) to the endpoint.
     */
    forward(
      endpoint: RemoteFallback,
      trigger: CallOutcome,
      cause: unknown,
      signal?: AbortSignal,
      traceHeaders?: TraceHeaders,
    ): Promise<T>;
  };
}

/** The codec of an HTTP request body. */
function bodyCodec(request: TracedRequestBody): InferenceCodec<EncodedResponse> {
  return {
    decode: (model) => {
      const decoded = decodeInferRequest(request.body, request.headerLength, model);
      if (request.forwarded) decoded.forwarded = true;
      return decoded;
    },
    encode: encodeInferResponse,
    trace: request.trace,
    http: {
      request,
      forward: (endpoint, trigger, cause, signal, traceHeaders) =>
        endpoint.forward(request, trigger, cause, signal, traceHeaders),
    },
  };
}

/** A request on its way to a fallback: whose it was, why, and the error it gets otherwise. */
interface FallbackCall<T> {
  /** The model the request addressed. */
  primary: string;
  /** Its version; absent when the model has no loaded version. */
  primaryVersion?: string;
  /** Why the model did not answer. */
  trigger: CallOutcome;
  /** The request as it arrived, read and answered by its transport's codec. */
  codec: InferenceCodec<T>;
  /** The model's own error, answered when the fallback cannot answer either. */
  cause: unknown;
  /** The client, watched while the request waits. */
  client?: ClientLink;
  /** The audit record's facts (audited requests only). */
  facts?: RequestFacts;
}

/** What the inference service works with. */
export interface InferenceServiceOptions {
  /** The models, to find fallback models. */
  repository: ModelRepository;
  /** Server metrics (fallback counts). */
  metrics: ServerMetrics;
  /** The shared response cache; absent when `--cache-size-bytes` is 0. */
  cache?: ResponseCache<InferResult>;
  /** Logger. */
  logger: Logger;
}

function sizeOf(result: InferResult): number {
  let bytes = 0;
  for (const [name, output] of result) {
    bytes += name.length + 8 * output.shape.length;
    bytes += Array.isArray(output.data)
      ? output.data.reduce((sum, element) => sum + 4 + element.length, 0)
      : output.data.byteLength;
  }
  return bytes;
}

function detached(result: InferResult): InferResult {
  const copy = new Map<string, OutputData>();
  for (const [name, output] of result) copy.set(name, { ...output, data: output.data.slice() });
  return copy;
}

/**
 * Runs inference requests end to end: decodes and validates the body against the model, answers
 * from the response cache when the model enables it, asks the model's circuit breaker, queues
 * the request on the model's scheduler, and — when the model names a fallback and the call was
 * refused by the breaker or ended in a listed condition (timeout, error, overload) — answers from
 * the fallback model, saying so in `parameters.fallback_model`, or forwards it to the fallback
 * endpoint, saying so in `parameters.fallback_endpoint`. A model without a loaded version answers
 * from its fallback too ({@link InferenceService.inferAbsent}). A model with a shadow gets each
 * answered request offered to it (sampled and compared off the request path). Success, failure
 * and durations are counted in the model's metrics.
 */
export class InferenceService {
  /** @param options repository, metrics, cache and logger */
  constructor(private readonly options: InferenceServiceOptions) {}

  /**
   * Answers one HTTP inference request for a loaded model version.
   *
   * @param target the model version addressed
   * @param request the body and binary header length
   * @param client the client, watched while the request waits in a queue
   * @param facts the audit record's facts, filled in with cache use, fallback and outputs
   *   (audited requests only)
   */
  infer(
    target: LoadedVersion,
    request: TracedRequestBody,
    client?: ClientLink,
    facts?: RequestFacts,
  ): Promise<EncodedResponse> {
    return this.inferWith(target, bodyCodec(request), client, facts);
  }

  /**
   * Answers one inference request of any transport for a loaded model version.
   *
   * @param target the model version addressed
   * @param codec reads the request and writes the answer
   * @param client the client, watched while the request waits in a queue
   * @param facts the audit record's facts, filled in with cache use, fallback and outputs
   *   (audited requests only)
   */
  async inferWith<T>(
    target: LoadedVersion,
    codec: InferenceCodec<T>,
    client?: ClientLink,
    facts?: RequestFacts,
  ): Promise<T> {
    const started = performance.now();
    const elapsedUs = () => (performance.now() - started) * 1000;
    const trace = codec.trace;
    trace?.set(ATTR.version, target.signature.version);
    const decodeSpan = trace?.child(SPAN.decode);
    let decoded: InferRequest;
    try {
      decoded = codec.decode(target.signature);
    } catch (error) {
      target.metrics.failure("OTHER", elapsedUs());
      endSpan(decodeSpan, error);
      throw error;
    }
    decodeSpan?.end();
    target.observer?.inputs(decoded.inputs);
    const cacheKey = this.cacheKey(target, decoded);
    if (cacheKey) {
      const lookupStarted = performance.now();
      const cached = this.options.cache?.get(cacheKey);
      target.metrics.cache(cached !== undefined, (performance.now() - lookupStarted) * 1000);
      trace?.child(SPAN.cache, { [ATTR.cacheHit]: cached !== undefined }, lookupStarted)?.end();
      if (facts) {
        facts.cache = cached ? "hit" : "miss";
        facts.result = cached;
      }
      if (cached) {
        target.metrics.success(elapsedUs());
        return this.answered(codec, target, decoded, cached, facts);
      }
    }
    let permit: CircuitPermit | undefined;
    let outcome: CallOutcome | undefined;
    let failure: unknown;
    if (target.breaker) permit = target.breaker.tryAcquire();
    if (target.breaker && !permit) {
      outcome = "circuit_open";
      failure = new SchedulingError(
        "UNAVAILABLE",
        `model '${target.signature.name}': the circuit breaker is open after repeated failures or slow responses; retry later`,
        "overload",
      );
    } else {
      try {
        const result = await target.scheduler.submit(decoded, client, trace && { trace });
        permit?.success();
        if (cacheKey && !isDegraded(result)) {
          this.options.cache?.set(cacheKey, detached(result), sizeOf(result));
        }
        target.metrics.success(elapsedUs());
        return this.answered(codec, target, decoded, result, facts);
      } catch (error) {
        outcome = outcomeOf(error);
        if (blamesModel(error, outcome)) permit?.failure();
        else permit?.release();
        failure = error;
      }
    }
    target.metrics.failure(failureReason(failure), elapsedUs());
    if (!outcome || !shouldFallback(target.fallback, outcome)) throw failure;
    const call: FallbackCall<T> = {
      primary: target.signature.name,
      primaryVersion: target.signature.version,
      trigger: outcome,
      codec,
      cause: failure,
      client,
      facts,
    };
    return this.viaFallback(call, target.fallback, target.remoteFallback);
  }

  /**
   * Answers an HTTP request for a model that has no loaded version on this server (still
   * loading, failed to load, unloaded, or its files absent on this device) from the model's
   * fallback.
   *
   * @param name the model addressed
   * @param request the body and binary header length
   * @param absent the error the request gets without a fallback (503, model not ready)
   * @param client the client, watched while the request waits
   * @param facts the audit record's facts, filled in with the fallback used (audited requests only)
   */
  inferAbsent(
    name: string,
    request: TracedRequestBody,
    absent: Error,
    client?: ClientLink,
    facts?: RequestFacts,
  ): Promise<EncodedResponse> {
    return this.inferAbsentWith(name, bodyCodec(request), absent, client, facts);
  }

  /**
   * Answers a request of any transport for a model that has no loaded version from the model's
   * fallback.
   *
   * @param name the model addressed
   * @param codec reads the request and writes the answer
   * @param absent the error the request gets without a fallback (model not ready)
   * @param client the client, watched while the request waits
   * @param facts the audit record's facts, filled in with the fallback used (audited requests only)
   */
  async inferAbsentWith<T>(
    name: string,
    codec: InferenceCodec<T>,
    absent: Error,
    client?: ClientLink,
    facts?: RequestFacts,
  ): Promise<T> {
    const route = this.options.repository.fallbackRoute(name);
    if (!route || !shouldFallback(route.fallback, "absent")) throw absent;
    const call: FallbackCall<T> = {
      primary: name,
      trigger: "absent",
      codec,
      cause: absent,
      client,
      facts,
    };
    return this.viaFallback(call, route.fallback, route.remoteFallback);
  }

  private viaFallback<T>(
    call: FallbackCall<T>,
    fallback: FallbackConfig,
    endpoint: RemoteFallback | undefined,
  ): Promise<T> {
    if (!isRemoteFallback(fallback)) return this.viaModel(call, fallback.model);
    const http = call.codec.http;
    if (!http || http.request.forwarded || !endpoint) return Promise.reject(call.cause);
    return this.viaEndpoint(call, http.forward, endpoint);
  }

  private async viaEndpoint<T>(
    call: FallbackCall<T>,
    forward: NonNullable<InferenceCodec<T>["http"]>["forward"],
    endpoint: RemoteFallback,
  ): Promise<T> {
    const { client, trigger, cause, facts } = call;
    const traced = call.codec.trace?.outgoing(SPAN.fallback, {
      [ATTR.fallbackTrigger]: trigger,
      [ATTR.fallbackEndpoint]: endpoint.url,
    });
    let answer: T;
    try {
      if (!client) answer = await forward(endpoint, trigger, cause, undefined, traced?.headers);
      else {
        const abandon = new AbortController();
        const unwatch = client.watch(() => abandon.abort());
        if (client.gone()) abandon.abort();
        try {
          answer = await forward(endpoint, trigger, cause, abandon.signal, traced?.headers);
        } finally {
          unwatch();
        }
      }
    } catch (error) {
      endSpan(traced?.span, error);
      throw error;
    }
    traced?.span?.end();
    if (facts) facts.fallback = { endpoint: endpoint.url, trigger };
    return answer;
  }

  /**
   * Encodes the model's own answer, observes its outputs (output distributions), hands them to
   * the audit record, and offers an HTTP request to the model's shadow, if any.
   */
  private answered<T>(
    codec: InferenceCodec<T>,
    target: LoadedVersion,
    decoded: InferRequest,
    result: InferResult,
    facts?: RequestFacts,
  ): T {
    target.observer?.results(result);
    if (facts) facts.result = result;
    const { name, version } = target.signature;
    const encodeSpan = codec.trace?.child(SPAN.encode);
    const encoded = this.encode(codec, name, version, decoded, result, resultParameters(result));
    encodeSpan?.end();
    if (target.shadow !== undefined) {
      const request = codec.http?.request;
      if (request !== undefined && request.forwarded !== true) {
        const taken = target.shadow.offer(version, request, decoded.outputs, result);
        codec.trace?.set(ATTR.shadowSampled, taken);
      }
    }
    return encoded;
  }

  private cacheKey(target: LoadedVersion, request: InferRequest): ResponseCacheKey | undefined {
    if (!this.options.cache || target.config.response_cache?.enable !== true) return undefined;
    const variant = request.outputs.map((output) => output.name).join("\u0000");
    return responseCacheKey(
      target.signature.name,
      target.signature.version,
      request.inputs,
      variant,
    );
  }

  private async viaModel<T>(call: FallbackCall<T>, name: string): Promise<T> {
    const span = call.codec.trace?.child(SPAN.fallback, {
      [ATTR.fallbackTrigger]: call.trigger,
      [ATTR.fallbackModel]: name,
    });
    try {
      const answer = await this.viaModelTraced(call, name);
      span?.end();
      return answer;
    } catch (error) {
      endSpan(span, error);
      throw error;
    }
  }

  private async viaModelTraced<T>(call: FallbackCall<T>, name: string): Promise<T> {
    const { primary, primaryVersion, trigger, codec, client, facts } = call;
    const trace = codec.trace;
    let fallback: LoadedVersion;
    let decoded: InferRequest;
    try {
      fallback = this.options.repository.resolve(name);
      decoded = codec.decode(fallback.signature);
    } catch (error) {
      throw unavailable(
        `model '${primary}' could not answer (${trigger}) and its fallback '${name}' cannot: ${(error as Error).message}`,
      );
    }
    const started = performance.now();
    fallback.observer?.inputs(decoded.inputs);
    try {
      const result = await fallback.scheduler.submit(decoded, client, trace && { trace });
      fallback.metrics.success((performance.now() - started) * 1000);
      fallback.observer?.results(result);
      if (facts) {
        facts.result = result;
        facts.fallback = { model: name, version: fallback.signature.version, trigger };
      }
      this.options.metrics.fallbackCount.inc({ model: primary, fallback_model: name, trigger });
      this.options.logger.debug({ model: primary, fallback: name, trigger }, "served by fallback");
      const version = primaryVersion ?? fallback.signature.version;
      return this.encode(codec, primary, version, decoded, result, {
        ...resultParameters(result),
        fallback_model: name,
        fallback_model_version: fallback.signature.version,
        fallback_trigger: trigger,
      });
    } catch (error) {
      fallback.metrics.failure(failureReason(error), (performance.now() - started) * 1000);
      throw error;
    }
  }

  private encode<T>(
    codec: InferenceCodec<T>,
    modelName: string,
    modelVersion: string,
    request: InferRequest,
    result: InferResult,
    parameters?: Record<string, string>,
  ): T {
    const outputs: OutputTensor[] = [];
    for (const wanted of request.outputs) {
      const output = result.get(wanted.name);
      // A degraded ensemble answer leaves out the outputs of the steps it skipped.
      if (!output && isDegraded(result)) continue;
      if (!output)
        throw new InferenceError("INTERNAL", `model returned no output '${wanted.name}'`);
      outputs.push({ name: wanted.name, ...output, binary: wanted.binary });
    }
    return codec.encode({ modelName, modelVersion, id: request.id, parameters }, outputs);
  }
}
