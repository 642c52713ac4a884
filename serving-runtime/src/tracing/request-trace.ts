import {
  type Attributes,
  type Context,
  type Link,
  type Span,
  SpanKind,
  SpanStatusCode,
  type TextMapPropagator,
  type Tracer,
  trace,
} from "@opentelemetry/api";
import { ERROR_STATUS, InferenceError } from "../protocol/errors";

/** W3C trace context headers (`traceparent`, and `tracestate` when there is one). */
export type TraceHeaders = Record<string, string>;

/**
 * Marks a span as failed with the message the client got: an `exception` event and, for
 * server-side faults (5xx, which includes 503), the span's error status.
 *
 * @param span the span
 * @param message the message the client got
 * @param serverFault whether the failure is the server's (5xx) rather than the request's (4xx)
 */
export function recordFailure(span: Span, message: string, serverFault = true): void {
  span.recordException({ name: "InferenceError", message });
  if (serverFault) span.setStatus({ code: SpanStatusCode.ERROR, message });
}

/**
 * Ends a phase's span (when there is one), marking it failed when `error` is given: a request
 * error (4xx) as an exception event, anything else also as the span's error status.
 *
 * @param span the span, absent when the request is not sampled
 * @param error why the phase failed
 */
export function endSpan(span: Span | undefined, error?: unknown): void {
  if (!span) return;
  if (error !== undefined) {
    const status = error instanceof InferenceError ? ERROR_STATUS[error.kind] : 500;
    recordFailure(span, error instanceof Error ? error.message : String(error), status >= 500);
  }
  span.end();
}

/** A span of a call this runtime makes to another (fallback, shadow, ensemble step). */
export interface OutgoingCall {
  /** The client span; absent when the request is not sampled. */
  span?: Span;
  /** The headers that carry the trace to the callee. */
  headers: TraceHeaders;
}

/**
 * The trace of one inference request: its server span and the context its phases (decode, queue
 * wait, batch, execution, encode, fallback, shadow) start under. A request that is not sampled
 * still carries its trace context (forwarded requests keep the caller's trace id and sampled
 * flag) but records no child spans, so it costs a context and nothing more.
 */
export class RequestTrace {
  /** The context whose active span is the request's span. */
  readonly context: Context;
  /** Whether the request is sampled (its spans are recorded and exported). */
  readonly recording: boolean;

  /**
   * @param span the request's server span
   * @param parent the context extracted from the request (a remote parent, or none)
   * @param tracer where child spans come from
   * @param propagator writes the trace context into forwarded requests
   */
  constructor(
    readonly span: Span,
    parent: Context,
    private readonly tracer: Tracer,
    private readonly propagator: TextMapPropagator,
  ) {
    this.context = trace.setSpan(parent, span);
    this.recording = span.isRecording();
  }

  /** The trace id, 32 hex digits. */
  get traceId(): string {
    return this.span.spanContext().traceId;
  }

  /** The request span's id, 16 hex digits. */
  get spanId(): string {
    return this.span.spanContext().spanId;
  }

  /**
   * Starts a child span of the request; undefined when the request is not sampled.
   *
   * @param name span name
   * @param attributes its attributes
   * @param startTime when it started (`performance.now()` milliseconds); now by default
   * @param links spans it relates to besides its parent
   */
  child(
    name: string,
    attributes?: Attributes,
    startTime?: number,
    links?: Link[],
  ): Span | undefined {
    if (!this.recording) return undefined;
    return this.tracer.startSpan(
      name,
      { kind: SpanKind.INTERNAL, attributes, startTime, links },
      this.context,
    );
  }

  /**
   * Starts a span under another span of this request (e.g. the execution under its batch).
   *
   * @param parent the parent span
   * @param name span name
   * @param attributes its attributes
   */
  nested(parent: Span, name: string, attributes?: Attributes): Span {
    return this.tracer.startSpan(
      name,
      { kind: SpanKind.INTERNAL, attributes },
      trace.setSpan(this.context, parent),
    );
  }

  /**
   * Starts the client span of a call to another runtime and the headers that carry it there.
   * An unsampled request sends its own context on (same trace id, sampled flag off), so the
   * callee makes the same decision.
   *
   * @param name span name
   * @param attributes its attributes
   */
  outgoing(name: string, attributes?: Attributes): OutgoingCall {
    const headers: TraceHeaders = {};
    if (!this.recording) {
      this.propagator.inject(this.context, headers, defaultSetter);
      return { headers };
    }
    const span = this.tracer.startSpan(name, { kind: SpanKind.CLIENT, attributes }, this.context);
    this.propagator.inject(trace.setSpan(this.context, span), headers, defaultSetter);
    return { span, headers };
  }

  /**
   * Sets an attribute on the request span (sampled requests only).
   *
   * @param key attribute key
   * @param value its value
   */
  set(key: string, value: string | number | boolean): void {
    if (this.recording) this.span.setAttribute(key, value);
  }

  /**
   * Ends the request span with its outcome.
   *
   * @param status the HTTP status the request got (for gRPC, the HTTP status its error maps from)
   * @param error the message the client got, for a failed request
   * @param grpcCode the gRPC status code, for gRPC requests
   */
  end(status: number, error?: string, grpcCode?: number): void {
    if (!this.recording) return;
    const span = this.span;
    if (grpcCode === undefined) span.setAttribute("http.response.status_code", status);
    else span.setAttribute("rpc.grpc.status_code", grpcCode);
    if (error !== undefined) {
      span.setAttribute("error.type", String(grpcCode ?? status));
      recordFailure(span, error, status >= 500);
    }
    span.end();
  }
}

const defaultSetter = {
  set(carrier: TraceHeaders, key: string, value: string) {
    carrier[key] = value;
  },
};
