import type { RequestTrace } from "./request-trace";

/**
 * The trace and span ids a request's log line carries (`trace_id`, `span_id`, the names
 * OpenTelemetry's log data model and pino's instrumentation use); nothing with tracing off.
 *
 * @param trace the request's trace
 */
export function traceFields(trace: RequestTrace | undefined): {
  trace_id?: string;
  span_id?: string;
} {
  return trace ? { trace_id: trace.traceId, span_id: trace.spanId } : {};
}

/** The trace of each failed request's error, so the line that logs the error can carry its ids. */
const tracesOfErrors = new WeakMap<object, RequestTrace>();

/**
 * Remembers which request's trace an error failed, for a log line written where the trace is
 * out of reach (the gRPC status mapping).
 *
 * @param error what the request failed with (primitives are not remembered)
 * @param trace the request's trace
 */
export function rememberTraceOf(error: unknown, trace: RequestTrace | undefined): void {
  if (trace && typeof error === "object" && error !== null) tracesOfErrors.set(error, trace);
}

/**
 * The trace and span ids of the request an error failed ({@link traceFields}); nothing when the
 * error was not remembered.
 *
 * @param error the error being logged
 */
export function errorTraceFields(error: unknown): { trace_id?: string; span_id?: string } {
  return typeof error === "object" && error !== null ? traceFields(tracesOfErrors.get(error)) : {};
}
