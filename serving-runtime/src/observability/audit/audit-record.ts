import { hash } from "node:crypto";
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

/** A finite number as JSON text; NaN and infinities become `null`. */
function number(value: number): string {
  return Number.isFinite(value) ? String(value) : "null";
}

/** A string as JSON text, or `null` when absent. */
function text(value: string | undefined): string {
  return value === undefined ? "null" : JSON.stringify(value);
}

/**
 * What an output looked like, without its data, as JSON text: name, datatype, shape and — for a
 * numeric output — its smallest, largest and mean element and the row-major index of the largest
 * (the top class of a one-row class-score output).
 */
function outputSummary(name: string, output: OutputData): string {
  const head = `{"name":${JSON.stringify(name)},"datatype":"${output.datatype}","shape":[${output.shape.join(",")}]`;
  const read = elementReader(output.datatype);
  const data = output.data;
  const count = data.length;
  if (!read || count === 0) return `${head}}`;
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  let sum = 0;
  let argmax = 0;
  for (let i = 0; i < count; i++) {
    const value = read(data, i);
    if (value < min) min = value;
    if (value > max) {
      max = value;
      argmax = i;
    }
    sum += value;
  }
  return `${head},"min":${number(min)},"max":${number(max)},"mean":${number(sum / count)},"argmax":${argmax}}`;
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

/**
 * One audit record as a JSON line: time, request id, client, model, version, SHA-256 of the
 * request body, output summaries, latency, status and outcome, cache and fallback use, and —
 * when `payloadBytes` is above 0 — the request and response bodies cut at that many bytes
 * (UTF-8 for JSON bodies, base64 for binary ones). Headers, and so tokens, are never recorded.
 * The line is written as text directly (no record object to stringify): at sample rate 1 it is
 * built for every request.
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
  let line =
    `{"time":"${new Date(facts.startedAt).toISOString()}","request_id":${text(facts.requestId)}` +
    `,"protocol":"${facts.protocol}","client":${text(facts.client)},"model":${text(facts.model)}` +
    `,"version":${text(facts.version)}` +
    `,"input_digest":${body ? `"sha256:${hash("sha256", body, "hex")}"` : "null"}` +
    `,"input_bytes":${body?.length ?? 0},"outputs":[`;
  if (facts.result) {
    let first = true;
    for (const [name, output] of facts.result) {
      line += first ? outputSummary(name, output) : `,${outputSummary(name, output)}`;
      first = false;
    }
  }
  line +=
    `],"latency_ms":${number(Math.round((finishedAt - facts.started) * 1000) / 1000)}` +
    `,"status":${ending.status},"outcome":"${ending.status < 400 ? "success" : "error"}"`;
  if (ending.error !== undefined) line += `,"error":${JSON.stringify(ending.error)}`;
  line += `,"cache":${text(facts.cache)},"fallback":${facts.fallback ? JSON.stringify(facts.fallback) : "null"}`;
  if (facts.traceId !== undefined) {
    line += `,"trace_id":${JSON.stringify(facts.traceId)}`;
    if (facts.spanId !== undefined) line += `,"span_id":${JSON.stringify(facts.spanId)}`;
  }
  if (payloadBytes > 0) {
    if (body) {
      line += `,"request_body":${JSON.stringify(payload(body, facts.binary === true, payloadBytes))}`;
    }
    if (ending.response !== undefined) {
      line += `,"response_body":${JSON.stringify(payload(ending.response, ending.binaryResponse === true, payloadBytes))}`;
    }
  }
  return `${line}}\n`;
}
