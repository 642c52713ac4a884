/**
 * A token bucket: `burst` requests at once, refilled at `ratePerSecond`. Time is given by the
 * caller in milliseconds (a monotonic clock), so tests drive it by hand.
 */
export class TokenBucket {
  private tokens: number;
  private last: number;

  /**
   * @param ratePerSecond refill rate
   * @param burst capacity; the bucket starts full
   * @param nowMs the current time
   */
  constructor(
    readonly ratePerSecond: number,
    readonly burst: number,
    nowMs: number,
  ) {
    this.tokens = burst;
    this.last = nowMs;
  }

  /**
   * Takes one token if there is one.
   *
   * @param nowMs the current time
   * @returns 0 when a token was taken, else the seconds until one is available
   */
  take(nowMs: number): number {
    const elapsed = Math.max(0, nowMs - this.last);
    this.last = nowMs;
    this.tokens = Math.min(this.burst, this.tokens + (elapsed / 1000) * this.ratePerSecond);
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return 0;
    }
    return (1 - this.tokens) / this.ratePerSecond;
  }
}
