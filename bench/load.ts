import { Agent, request } from "node:http";
import autocannon from "autocannon";
import type { ChildServer } from "./child-server";
import type { InferPayload } from "./payloads";
import { breakdown, type ServerBreakdown, scrapeModelCounters } from "./server-metrics";
import { type LatencySummary, summarizeLatencies } from "./stats";

/** Throughput and latency of one autocannon run against a server. */
export interface LoadPoint {
  /** Concurrent connections (one request in flight on each). */
  connections: number;
  /** Successful (2xx) items per second; each request carries one item. */
  itemsPerSecond: number;
  /** Latency of 2xx responses in ms, as autocannon records it (whole milliseconds). */
  latency: { p50: number; p99: number; mean: number };
  /** Successful requests. */
  ok: number;
  /** Responses that were not 2xx. */
  non2xx: number;
  /** Connection errors and timeouts (10 s). */
  errors: number;
  /** Wall-clock seconds of the run. */
  seconds: number;
  /** CPU seconds the server process used during the run. */
  serverCpuSeconds: number;
  /** CPU seconds the benchmark process (the load generator) used during the run. */
  loadGeneratorCpuSeconds: number;
  /** Batching and time split from the server's own metrics; absent for servers without them. */
  server?: ServerBreakdown;
}

/**
 * Runs autocannon against one infer path for `seconds` after a short warmup.
 * @param server The server under test.
 * @param payload The request every connection repeats.
 * @param connections Concurrency.
 * @param model Model whose `/metrics` counters to read before and after, if the server has them.
 */
export async function measureLoad(
  server: ChildServer,
  payload: InferPayload,
  connections: number,
  seconds: number,
  warmupSeconds: number,
  model?: string,
): Promise<LoadPoint> {
  const options = {
    url: server.url + payload.path,
    method: "POST",
    headers: payload.headers,
    body: payload.body,
    connections,
    timeout: 10,
  };
  if (warmupSeconds > 0) await autocannon({ ...options, duration: warmupSeconds });
  const countersBefore = model ? await scrapeModelCounters(server.url, model) : undefined;
  const serverCpuBefore = server.cpuSeconds();
  const ownCpuBefore = process.cpuUsage();
  const start = performance.now();
  const result = await autocannon({ ...options, duration: seconds });
  const wall = (performance.now() - start) / 1000;
  const ownCpu = process.cpuUsage(ownCpuBefore);
  const serverCpuSeconds = server.cpuSeconds() - serverCpuBefore;
  const countersAfter = model ? await scrapeModelCounters(server.url, model) : undefined;
  return {
    connections,
    itemsPerSecond: result["2xx"] / wall,
    latency: { p50: result.latency.p50, p99: result.latency.p99, mean: result.latency.mean },
    ok: result["2xx"],
    non2xx: result.non2xx,
    errors: result.errors,
    seconds: wall,
    serverCpuSeconds,
    loadGeneratorCpuSeconds: (ownCpu.user + ownCpu.system) / 1e6,
    server: breakdown(countersBefore, countersAfter),
  };
}

function sendOnce(agent: Agent, url: URL, payload: InferPayload): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: "POST",
        agent,
        headers: { ...payload.headers, "content-length": payload.body.length },
      },
      (response) => {
        response.resume();
        response.on("end", () => resolve(response.statusCode ?? 0));
      },
    );
    req.on("error", reject);
    req.end(payload.body);
  });
}

/**
 * Sends requests one after another on one kept-alive connection for `seconds` and times each
 * with sub-millisecond resolution (autocannon's histogram has whole milliseconds only).
 * @throws Error when a response is not 2xx.
 */
export async function measureSequentialLatency(
  server: ChildServer,
  payload: InferPayload,
  seconds: number,
): Promise<LatencySummary> {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const url = new URL(server.url + payload.path);
  try {
    for (let i = 0; i < 20; i++) await sendOnce(agent, url, payload);
    const latencies: number[] = [];
    const end = performance.now() + seconds * 1000;
    while (performance.now() < end || latencies.length < 20) {
      const start = performance.now();
      const status = await sendOnce(agent, url, payload);
      latencies.push(performance.now() - start);
      if (status < 200 || status > 299) {
        throw new Error(`${server.label} answered ${status} to ${payload.path}`);
      }
    }
    return summarizeLatencies(latencies);
  } finally {
    agent.destroy();
  }
}
