import path from "node:path";
import type * as BatchSpansModule from "../serving-runtime/src/tracing/batch-spans";
import type * as TracingModule from "../serving-runtime/src/tracing/tracing";

// The compiled runtime (`npm run build:runtime`), as a server runs it.
const DIST = path.resolve(__dirname, "../../../serving-runtime/dist/tracing");
const { BatchSpans } = require(path.join(DIST, "batch-spans.js")) as typeof BatchSpansModule;
const { Tracing } = require(path.join(DIST, "tracing.js")) as typeof TracingModule;
type Tracing = TracingModule.Tracing;

// The CPU tracing adds to one request, measured in this process alone (process.cpuUsage over
// 100,000 requests' worth of tracing calls: request span, decode, queue wait, batch, execute,
// encode, end), so the figure does not move with the machine's load the way a server's CPU per
// request does. Exports go to a closed port: the export's own work is not counted here (the
// `tracing` phase of `npm run bench` counts it). Run: `npx tsc -p bench/tsconfig.json && node
// bench/dist/bench/tracing-cost.js`.

const REQUESTS = 100_000;

function tracingAt(rate: number): Tracing {
  return new Tracing({
    tracesUrl: "http://127.0.0.1:9/v1/traces",
    settings: { trace_level: "TIMESTAMPS", trace_rate: rate, trace_count: -1, log_frequency: 0 },
    parentBased: true,
  });
}

function microsecondsPerRequest(tracing: Tracing, requests: number): number {
  const headers = { "content-type": "application/json", "x-request-id": "bench" };
  const start = process.cpuUsage();
  for (let i = 0; i < requests; i++) {
    const trace = tracing.startHttp(headers, "mlp", "bench");
    trace.child("decode")?.end();
    const job = { trace, queuedAt: trace.recording ? performance.now() : undefined };
    BatchSpans.start([job], 1, 0, "inline")?.end();
    trace.child("encode")?.end();
    trace.end(200);
  }
  const used = process.cpuUsage(start);
  return (used.user + used.system) / requests;
}

for (const rate of [100, 1]) {
  const tracing = tracingAt(rate);
  microsecondsPerRequest(tracing, REQUESTS / 5);
  const runs = [0, 1, 2].map(() => microsecondsPerRequest(tracing, REQUESTS)).sort((a, b) => a - b);
  console.log(
    `sampling 1/${rate}: median ${runs[1].toFixed(2)} µs CPU per request (runs ${runs.map((r) => r.toFixed(2)).join(", ")})`,
  );
}
process.exit(0);
