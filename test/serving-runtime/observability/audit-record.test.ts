import { createHash } from "node:crypto";
import { auditLine } from "@hybridai/serving-runtime/src/observability/audit/audit-record";
import { describe, expect, it } from "vitest";

const body = Buffer.from('{"inputs":[]}');

describe("auditLine", () => {
  it("writes one JSON line with every field in order, numbers JSON cannot carry as null", () => {
    const line = auditLine(
      {
        startedAt: Date.UTC(2026, 11, 8, 1, 2, 3, 456),
        started: 10,
        requestId: 'r "1"\n',
        protocol: "grpc",
        client: "web",
        model: "m\u2028",
        version: "3",
        body,
        binary: false,
        cache: "miss",
        fallback: { model: "f", version: "2", trigger: "timeout" },
        traceId: "a".repeat(32),
        spanId: "b".repeat(16),
        result: new Map([
          ["scores", { datatype: "FP32", shape: [1, 4], data: Float32Array.of(0.5, NaN, 2, -1) }],
          ["big", { datatype: "FP64", shape: [2], data: Float64Array.of(Infinity, 1) }],
          ["ids", { datatype: "INT64", shape: [2], data: BigInt64Array.of(7n, -3n) }],
          ["text", { datatype: "BYTES", shape: [1], data: [Buffer.from("x")] }],
          ["none", { datatype: "FP32", shape: [0, 2], data: new Float32Array(0) }],
        ]),
      },
      { status: 503, error: 'model "m" failed\n' },
      12.3456789,
      0,
    );
    expect(line.endsWith("}\n")).toBe(true);
    expect(line.indexOf("\n")).toBe(line.length - 1);
    const record = JSON.parse(line);
    expect(Object.keys(record)).toEqual([
      "time",
      "request_id",
      "protocol",
      "client",
      "model",
      "version",
      "input_digest",
      "input_bytes",
      "outputs",
      "latency_ms",
      "status",
      "outcome",
      "error",
      "cache",
      "fallback",
      "trace_id",
      "span_id",
    ]);
    expect(record).toEqual({
      time: "2026-12-08T01:02:03.456Z",
      request_id: 'r "1"\n',
      protocol: "grpc",
      client: "web",
      model: "m\u2028",
      version: "3",
      input_digest: `sha256:${createHash("sha256").update(body).digest("hex")}`,
      input_bytes: body.length,
      outputs: [
        // NaN compares false both ways: it is neither the smallest nor the largest.
        { name: "scores", datatype: "FP32", shape: [1, 4], min: -1, max: 2, mean: null, argmax: 2 },
        { name: "big", datatype: "FP64", shape: [2], min: 1, max: null, mean: null, argmax: 0 },
        { name: "ids", datatype: "INT64", shape: [2], min: -3, max: 7, mean: 2, argmax: 0 },
        { name: "text", datatype: "BYTES", shape: [1] },
        { name: "none", datatype: "FP32", shape: [0, 2] },
      ],
      latency_ms: 2.346,
      status: 503,
      outcome: "error",
      error: 'model "m" failed\n',
      cache: "miss",
      fallback: { model: "f", version: "2", trigger: "timeout" },
      trace_id: "a".repeat(32),
      span_id: "b".repeat(16),
    });
  });

  it("writes null for what a request did not get, and bodies only when asked", () => {
    const facts = { startedAt: 0, started: 1, protocol: "http" as const, body, binary: true };
    const bare = JSON.parse(auditLine(facts, { status: 200 }, 1, 0));
    expect(bare).toMatchObject({
      request_id: null,
      client: null,
      model: null,
      version: null,
      outputs: [],
      outcome: "success",
      cache: null,
      fallback: null,
    });
    expect(Object.keys(bare)).not.toContain("request_body");
    expect(Object.keys(bare)).not.toContain("trace_id");
    const withBodies = JSON.parse(
      auditLine(facts, { status: 200, response: "answer", binaryResponse: false }, 1, 4),
    );
    expect(withBodies.request_body).toEqual({
      text: body.subarray(0, 4).toString("base64"),
      encoding: "base64",
      bytes: body.length,
      truncated: true,
    });
    expect(withBodies.response_body).toEqual({
      text: "answ",
      encoding: "utf8",
      bytes: 6,
      truncated: true,
    });
  });
});
