import autocannon from "autocannon";
import type { ChildServer } from "./child-server";
import type { InferPayload } from "./payloads";

/** What happened when far more requests arrived than the model's queue admits. */
export interface OverloadResult {
  /** Requests sent. */
  requests: number;
  /** Concurrent connections. */
  connections: number;
  /** Responses by HTTP status. */
  statusCounts: Record<string, number>;
  /** Responses that were neither 2xx with outputs nor 503 with a JSON `{"error"}` body. */
  badResponses: number;
  /** Up to five examples of bad responses. */
  badExamples: string[];
  /** Connection errors and request timeouts (`requestTimeoutSeconds` each). */
  errors: number;
  /** Latency of all responses (2xx and 503) in whole ms; absent when the run did not finish. */
  latencyMs: { p50: number; p99: number; max: number } | undefined;
  /** Whether the run finished before its deadline. */
  finished: boolean;
  /** Whether the server still answered `GET /v2/health/live` afterwards. */
  aliveAfter: boolean;
  /** Server RSS before the run, in MiB. */
  rssBeforeMiB: number;
  /** Highest server RSS sampled during the run (every 50 ms), in MiB. */
  rssPeakMiB: number;
  /** Server RSS limit the run must stay under: max(2 × before, before + 256 MiB). */
  rssLimitMiB: number;
  /** Wall-clock seconds. */
  seconds: number;
  /** CPU seconds the server used. */
  serverCpuSeconds: number;
}

function isErrorBody(body: string): boolean {
  try {
    const parsed = JSON.parse(body) as { error?: unknown };
    return typeof parsed.error === "string" && parsed.error.length > 0;
  } catch {
    return false;
  }
}

/**
 * Sends `requests` requests over `connections` connections and classifies every response.
 * @param server Server under test; the payload's model should have a small `max_queue_size`.
 * @param payload A JSON infer request.
 * @param requestTimeoutSeconds A response slower than this counts as an error (a hang).
 * @param deadlineSeconds The run is stopped (and reported unfinished) after this long.
 */
export async function measureOverload(
  server: ChildServer,
  payload: InferPayload,
  requests: number,
  connections: number,
  requestTimeoutSeconds: number,
  deadlineSeconds: number,
): Promise<OverloadResult> {
  const statusCounts: Record<string, number> = {};
  const badExamples: string[] = [];
  let badResponses = 0;
  const onResponse = (status: number, body: string) => {
    statusCounts[status] = (statusCounts[status] ?? 0) + 1;
    const good =
      (status >= 200 && status < 300 && body.includes('"outputs"')) ||
      (status === 503 && isErrorBody(body));
    if (good) return;
    badResponses++;
    if (badExamples.length < 5) badExamples.push(`${status} ${body.slice(0, 200)}`);
  };
  const rssBeforeMiB = server.rssMiB();
  let rssPeakMiB = rssBeforeMiB;
  const sampler = setInterval(() => {
    if (server.running) rssPeakMiB = Math.max(rssPeakMiB, server.rssMiB());
  }, 50);
  const cpuBefore = server.cpuSeconds();
  const start = performance.now();
  const run = autocannon({
    url: server.url,
    connections,
    amount: requests,
    timeout: requestTimeoutSeconds,
    requests: [
      {
        method: "POST",
        path: payload.path,
        headers: payload.headers,
        body: payload.body,
        onResponse,
      },
    ],
  });
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), deadlineSeconds * 1000);
  });
  const result = await Promise.race([run, deadline]);
  clearTimeout(timer);
  clearInterval(sampler);
  if (!result) run.stop();
  const seconds = (performance.now() - start) / 1000;
  const serverCpuSeconds = server.running ? server.cpuSeconds() - cpuBefore : Number.NaN;
  let aliveAfter = false;
  try {
    const live = await fetch(`${server.url}/v2/health/live`, {
      signal: AbortSignal.timeout(2_000),
    });
    aliveAfter = live.status === 200;
  } catch {
    aliveAfter = false;
  }
  return {
    requests,
    connections,
    statusCounts,
    badResponses,
    badExamples,
    errors: result ? result.errors : Number.NaN,
    latencyMs: result
      ? { p50: result.latency.p50, p99: result.latency.p99, max: result.latency.max }
      : undefined,
    finished: result !== undefined,
    aliveAfter,
    rssBeforeMiB,
    rssPeakMiB,
    rssLimitMiB: Math.max(2 * rssBeforeMiB, rssBeforeMiB + 256),
    seconds,
    serverCpuSeconds,
  };
}
