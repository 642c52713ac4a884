/** Bucket bounds of a `top1_score` histogram when the config gives none: softmax scores. */
export const DEFAULT_SCORE_BUCKETS: readonly number[] = [
  0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99, 1,
];
