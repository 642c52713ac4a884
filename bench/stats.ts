/** Median, tail and mean of a set of latencies, in milliseconds. */
export interface LatencySummary {
  /** Median. */
  p50: number;
  /** 99th percentile. */
  p99: number;
  /** Arithmetic mean. */
  mean: number;
  /** Samples. */
  count: number;
}

/**
 * Nearest-rank percentile of already sorted values.
 * @param sorted Values in ascending order (not empty).
 * @param quantile Between 0 and 1.
 */
export function percentile(sorted: readonly number[], quantile: number): number {
  const rank = Math.max(1, Math.ceil(quantile * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1];
}

/**
 * Summarizes latencies in milliseconds.
 * @throws Error when there are none.
 */
export function summarizeLatencies(latenciesMs: readonly number[]): LatencySummary {
  if (latenciesMs.length === 0) throw new Error("no latency samples");
  const sorted = [...latenciesMs].sort((a, b) => a - b);
  return {
    p50: percentile(sorted, 0.5),
    p99: percentile(sorted, 0.99),
    mean: sorted.reduce((a, b) => a + b, 0) / sorted.length,
    count: sorted.length,
  };
}

/**
 * The median of a few figures (the upper middle one of an even count): what the benchmark's
 * alternating rounds are judged on.
 *
 * @param values the figures, in any order (not changed)
 */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}
