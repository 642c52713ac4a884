/**
 * Smallest share a bin is taken to hold when computing the population stability index: an
 * empty bin would make `ln(actual / expected)` infinite.
 */
export const PSI_FLOOR = 1e-4;

/**
 * Interior edges of quantile bins over a sample: the values at the 1/n, 2/n … (n−1)/n
 * quantiles (nearest rank), duplicates removed, so a feature with few distinct values gets
 * fewer, wider bins instead of empty ones. NaN is left out (it has a bin of its own).
 *
 * @param values the sample, any order; not modified
 * @param bins how many bins to aim for (at least 2)
 */
export function quantileEdges(values: ArrayLike<number>, bins: number): number[] {
  const sorted = Float64Array.from(values)
    .filter((value) => !Number.isNaN(value))
    .sort();
  if (sorted.length === 0) return [];
  const edges: number[] = [];
  for (let i = 1; i < bins; i++) {
    const rank = Math.max(0, Math.ceil((i / bins) * sorted.length) - 1);
    const edge = sorted[rank];
    if (edges.length === 0 || edge > edges[edges.length - 1]) edges.push(edge);
  }
  return edges;
}

/** Bins of a distribution with these interior edges: one more than the edges, plus NaN's. */
export function binCount(edges: readonly number[]): number {
  return edges.length + 2;
}

/**
 * The bin of a value: `i` for `edges[i-1] < value <= edges[i]` (0 at or below the first edge,
 * `edges.length` above the last), and `edges.length + 1` for NaN.
 *
 * @param edges interior edges, ascending
 * @param value the value
 */
export function binOf(edges: readonly number[], value: number): number {
  if (Number.isNaN(value)) return edges.length + 1;
  let low = 0;
  let high = edges.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (value <= edges[middle]) high = middle;
    else low = middle + 1;
  }
  return low;
}

/**
 * The share of a sample in each bin (see {@link binOf}); all zeros for an empty sample.
 *
 * @param edges interior edges, ascending
 * @param values the sample
 */
export function binShares(edges: readonly number[], values: ArrayLike<number>): number[] {
  const counts = new Array<number>(binCount(edges)).fill(0);
  for (let i = 0; i < values.length; i++) counts[binOf(edges, values[i])]++;
  return counts.map((count) => (values.length === 0 ? 0 : count / values.length));
}

/**
 * Population stability index of observed bin counts against expected shares:
 * `Σ (a − e) · ln(a / e)` over the bins, each share floored at {@link PSI_FLOOR}. 0 means the
 * same distribution; by the usual reading, below 0.1 is no significant change, 0.1–0.25 a
 * moderate shift and above 0.25 a significant one.
 *
 * @param expected the baseline's share of each bin
 * @param counts observed counts per bin, as many as `expected`
 * @param total the sum of `counts` (greater than 0)
 */
export function populationStabilityIndex(
  expected: ArrayLike<number>,
  counts: ArrayLike<number>,
  total: number,
): number {
  let psi = 0;
  for (let i = 0; i < expected.length; i++) {
    const e = Math.max(expected[i], PSI_FLOOR);
    const a = Math.max(counts[i] / total, PSI_FLOOR);
    psi += (a - e) * Math.log(a / e);
  }
  return psi;
}
