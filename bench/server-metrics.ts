/** Triton's cumulative per-model counters, as our server exports them on `/metrics`. */
export interface ModelCounters {
  /** `nv_inference_request_success`: successful requests. */
  requests: number;
  /** `nv_inference_count`: items inferred (a batch of n counts n). */
  items: number;
  /** `nv_inference_exec_count`: model executions (batches). */
  executions: number;
  /** `nv_inference_request_duration_us`: total request time in µs. */
  requestUs: number;
  /** `nv_inference_queue_duration_us`: total time requests waited in the queue, µs. */
  queueUs: number;
  /** `nv_inference_compute_infer_duration_us`: total model execution time, µs. */
  computeUs: number;
}

/** Where a load point's time went inside the server, from its metrics. */
export interface ServerBreakdown {
  /** Items per model execution: above 1 means the dynamic batcher merged requests. */
  itemsPerExecution: number;
  /** Mean queue wait per request, µs. */
  queueUsPerRequest: number;
  /** Mean model execution time per execution, µs. */
  computeUsPerExecution: number;
  /** Mean server-side request duration, µs. */
  requestUsPerRequest: number;
}

const NAMES: Record<string, keyof ModelCounters> = {
  nv_inference_request_success: "requests",
  nv_inference_count: "items",
  nv_inference_exec_count: "executions",
  nv_inference_request_duration_us: "requestUs",
  nv_inference_queue_duration_us: "queueUs",
  nv_inference_compute_infer_duration_us: "computeUs",
};

/**
 * Reads one model's counters from a server's Prometheus text (all versions summed).
 * @returns `undefined` when the server has no `/metrics` or exports none of the counters.
 */
export async function scrapeModelCounters(
  baseUrl: string,
  model: string,
): Promise<ModelCounters | undefined> {
  let text: string;
  try {
    const response = await fetch(`${baseUrl}/metrics`, { signal: AbortSignal.timeout(5_000) });
    if (response.status !== 200) return undefined;
    text = await response.text();
  } catch {
    return undefined;
  }
  const counters: ModelCounters = {
    requests: 0,
    items: 0,
    executions: 0,
    requestUs: 0,
    queueUs: 0,
    computeUs: 0,
  };
  let found = false;
  for (const line of text.split("\n")) {
    const match = /^(\w+)\{([^}]*)\}\s+(\S+)/.exec(line);
    if (!match) continue;
    const key = NAMES[match[1]];
    if (!key || !match[2].split(",").includes(`model="${model}"`)) continue;
    counters[key] += Number(match[3]);
    found = true;
  }
  return found ? counters : undefined;
}

/** What happened between two scrapes; `undefined` when either is missing or nothing ran. */
export function breakdown(
  before: ModelCounters | undefined,
  after: ModelCounters | undefined,
): ServerBreakdown | undefined {
  if (!before || !after) return undefined;
  const requests = after.requests - before.requests;
  const executions = after.executions - before.executions;
  if (requests <= 0 || executions <= 0) return undefined;
  return {
    itemsPerExecution: (after.items - before.items) / executions,
    queueUsPerRequest: (after.queueUs - before.queueUs) / requests,
    computeUsPerExecution: (after.computeUs - before.computeUs) / executions,
    requestUsPerRequest: (after.requestUs - before.requestUs) / requests,
  };
}
