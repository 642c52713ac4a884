/**
 * Bounds the calls of one ensemble step in flight across all requests (Triton's
 * `max_inflight_requests`): a call beyond the limit waits, first come first served, until one
 * in flight finishes.
 */
export class StepGate {
  private active = 0;
  private readonly waiters: (() => void)[] = [];

  /** @param limit calls in flight at once, at least 1 */
  constructor(private readonly limit: number) {}

  /** Resolves once the call may start; pair it with exactly one {@link release}. */
  acquire(): Promise<void> {
    if (this.active < this.limit) {
      this.active++;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Ends a call: the longest-waiting call starts in its place. */
  release(): void {
    const next = this.waiters.shift();
    if (next) next();
    else this.active--;
  }
}
