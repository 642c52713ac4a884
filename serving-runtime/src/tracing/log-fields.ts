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
