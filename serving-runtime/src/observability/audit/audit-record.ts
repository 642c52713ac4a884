import { createHash } from "node:crypto";
import type { OutputData } from "../../scheduling/tensor-batch";
import { elementReader } from "../element-reader";
import type { RequestFacts } from "./request-facts";

/** How a request ended, for the record. */
export interface AuditEnding {
  /** HTTP status answered (for gRPC, the HTTP status its error maps from: 200 when answered). */
  status: number;
  /** The error message answered, for failures. */
  error?: string;
  /** The response body, when payloads are recorded. */
  response?: Buffer | string;
  /** Whether the response carried binary tensors. */
  binaryResponse?: boolean;
}

/** What each output looked like, without its data. */
export interface OutputSummary {
  /** Output name. */
  name: string;
  /** Datatype. */
  datatype: string;
  /** Shape. */
  shape: readonly number[];
  /** Smallest element (numeric outputs). */
  min?: number;
  /** Largest element. */
  max?: number;
  /** Mean of the elements. */
  mean?: number;
  /** Row-major index of the largest element: the top class of a one-row class-score output. */
  argmax?: number;
}

function summarize(name: string, output: OutputData): OutputSummary {
  const summary: OutputSummary = { name, datatype: output.datatype, shape: output.shape };
  const read = elementReader(output.datatype);
  const count = output.data.length;
  if (!read || count === 0) return summary;
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  let sum = 0;
  let argmax = 0;
  for (let i = 0; i < count; i++) {
    const value = read(output.data, i);
    if (value < min) min = value;
    if (value > max) {
      max = value;
      argmax = i;
    }
    sum += value;
  }
  return { ...summary, min, max, mean: sum / count, argmax };
}

function payload(
  bytes: Buffer | string,
  binary: boolean,
  cap: number,
): { text: string; encoding: "utf8" | "base64"; bytes: number; truncated: boolean } {
  const buffer = typeof bytes === "string" ? Buffer.from(bytes) : bytes;
  const kept = buffer.subarray(0, cap);
  return {
    text: kept.toString(binary ? "base64" : "utf8"),
    encoding: binary ? "base64" : "utf8",
    bytes: buffer.length,
    truncated: kept.length < buffer.length,
  };
}

/** A finite number as JSON can carry it; NaN and infinities become null. */
function finite(value: number | undefined): number | null | undefined {
  return value === undefined ? undefined : Number.isFinite(value) ? value : null;
}

/**
 * One audit record as a JSON line: time, request id, client, model, version, SHA-256 of the
 * request body, output summaries, latency, status and outcome, cache and fallback use, and —
 * when `payloadBytes` is above 0 — the request and response bodies cut at that many bytes
 * (UTF-8 for JSON bodies, base64 for binary ones). Headers, and so tokens, are never recorded.
 *
 * @param facts what the request did
 * @param ending how it ended
 * @param finishedAt monotonic time it was answered, milliseconds
 * @param payloadBytes body bytes to copy into the record; 0 for none
 */
export function auditLine(
  facts: RequestFacts,
  ending: AuditEnding,
  finishedAt: number,
  payloadBytes: number,
): string {
  const body = facts.body;
  const record: Record<string, unknown> = {
    time: new Date(facts.startedAt).toISOString(),
    request_id: facts.requestId ?? null,
    protocol: facts.protocol,
    client: facts.client ?? null,
    model: facts.model ?? null,
    version: facts.version ?? null,
    input_digest: body ? `sha256:${createHash("sha256").update(body).digest("hex")}` : null,
    input_bytes: body?.length ?? 0,
    outputs: facts.result
      ? [...facts.result].map(([name, output]) => {
          const summary = summarize(name, output);
          return {
            ...summary,
            min: finite(summary.min),
            max: finite(summary.max),
            mean: finite(summary.mean),
          };
        })
      : [],
    latency_ms: Math.round((finishedAt - facts.started) * 1000) / 1000,
    status: ending.status,
    outcome: ending.status < 400 ? "success" : "error",
    ...(ending.error !== undefined ? { error: ending.error } : {}),
    cache: facts.cache ?? null,
    fallback: facts.fallback ?? null,
    ...(facts.traceId !== undefined ? { trace_id: facts.traceId, span_id: facts.spanId } : {}),
  };
  if (payloadBytes > 0) {
    if (body) record.request_body = payload(body, facts.binary === true, payloadBytes);
    if (ending.response !== undefined) {
      record.response_body = payload(ending.response, ending.binaryResponse === true, payloadBytes);
    }
  }
  return `${JSON.stringify(record)}\n`;
}
