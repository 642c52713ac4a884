/**
 * The outcomes of a model's most recent calls, in a fixed-size ring: keeps running counts of
 * failed and slow calls so each record and each check is O(1).
 */
export class CallWindow {
  private readonly failed: Uint8Array;
  private readonly slow: Uint8Array;
  private next = 0;
  private filled = 0;
  private failedCount = 0;
  private slowCount = 0;

  /**
   * @param capacity Number of most recent calls kept.
   * @param slowAfterMs Duration above which a call counts as slow; `undefined` disables latency.
   */
  constructor(
    readonly capacity: number,
    private readonly slowAfterMs: number | undefined,
  ) {
    this.failed = new Uint8Array(capacity);
    this.slow = new Uint8Array(capacity);
  }

  /** Calls currently held (at most `capacity`). */
  get size(): number {
    return this.filled;
  }

  /** Fraction of held calls that failed; 0 when empty. */
  get failureRate(): number {
    return this.filled === 0 ? 0 : this.failedCount / this.filled;
  }

  /** Fraction of held calls slower than the threshold; 0 when empty or latency is disabled. */
  get slowRate(): number {
    return this.filled === 0 ? 0 : this.slowCount / this.filled;
  }

  /** Whether `durationMs` is above the slow-call threshold. */
  isSlow(durationMs: number): boolean {
    return this.slowAfterMs !== undefined && durationMs > this.slowAfterMs;
  }

  /**
   * Whether the nearest-rank `quantile` of held call latencies is above the slow-call threshold,
   * i.e. fewer than ⌈quantile·n⌉ calls were at or under it.
   */
  quantileIsSlow(quantile: number): boolean {
    if (this.slowAfterMs === undefined || this.filled === 0) return false;
    const fastCount = this.filled - this.slowCount;
    return fastCount < Math.ceil(quantile * this.filled);
  }

  /** Records one call, evicting the oldest when full. */
  record(failed: boolean, durationMs: number): void {
    const slow = this.isSlow(durationMs) ? 1 : 0;
    if (this.filled === this.capacity) {
      this.failedCount -= this.failed[this.next];
      this.slowCount -= this.slow[this.next];
    } else {
      this.filled++;
    }
    this.failed[this.next] = failed ? 1 : 0;
    this.slow[this.next] = slow;
    this.failedCount += failed ? 1 : 0;
    this.slowCount += slow;
    this.next = (this.next + 1) % this.capacity;
  }

  /** Forgets every call. */
  clear(): void {
    this.failed.fill(0);
    this.slow.fill(0);
    this.next = 0;
    this.filled = 0;
    this.failedCount = 0;
    this.slowCount = 0;
  }
}
