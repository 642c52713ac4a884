const DAY_MS = 86_400_000;

/** Requests allowed per UTC day; the count starts again at 00:00 UTC. */
export class DailyQuota {
  private day = -1;
  private used = 0;

  /** @param limit requests per UTC day */
  constructor(readonly limit: number) {}

  /**
   * Counts one request if the day's quota has room.
   *
   * @param epochMs wall-clock time, milliseconds since the epoch
   * @returns 0 when counted, else the seconds until the quota resets (next 00:00 UTC)
   */
  take(epochMs: number): number {
    const day = Math.floor(epochMs / DAY_MS);
    if (day !== this.day) {
      this.day = day;
      this.used = 0;
    }
    if (this.used < this.limit) {
      this.used++;
      return 0;
    }
    return ((day + 1) * DAY_MS - epochMs) / 1000;
  }

  /** Requests left today as of `epochMs`. */
  remaining(epochMs: number): number {
    return Math.floor(epochMs / DAY_MS) === this.day ? this.limit - this.used : this.limit;
  }
}
