/** Deterministic pseudo-random numbers in [0, 1) (mulberry32), so every run sends the same rows. */
export function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Normally distributed numbers (Box–Muller) with the given means and deviations per feature. */
export function gaussianRows(
  seed: number,
  means: readonly number[],
  deviations: readonly number[],
): () => number[] {
  const uniform = seeded(seed);
  const normal = () => {
    const u = Math.max(uniform(), Number.EPSILON);
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * uniform());
  };
  return () => means.map((mean, f) => Math.round((mean + deviations[f] * normal()) * 1e4) / 1e4);
}

/** An inference request body for the demo `mlp` (input `features` FP32 [rows, 4]). */
export function featuresRequest(rows: number[][]): Record<string, unknown> {
  return {
    inputs: [{ name: "features", shape: [rows.length, 4], datatype: "FP32", data: rows.flat() }],
  };
}
