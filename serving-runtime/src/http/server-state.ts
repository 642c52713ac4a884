/**
 * Lifecycle flags the routes consult: whether initial model loading has finished and whether
 * the server is draining after SIGTERM; plus a count of model loads and unloads in flight, which
 * the drain waits for (requests in flight are tracked by their connections).
 */
export class ServerState {
  /** Initial model loading (and warmup) finished. */
  started = false;
  /** SIGTERM received: readiness answers 503 and new work is refused. */
  draining = false;
  private inFlight = 0;
  private idleWaiters: (() => void)[] = [];

  /** Counts `work` (a model load or unload) as in flight until it settles, and returns it. */
  async track<T>(work: () => Promise<T>): Promise<T> {
    this.inFlight++;
    try {
      return await work();
    } finally {
      this.inFlight--;
      if (this.inFlight === 0) {
        const waiters = this.idleWaiters;
        this.idleWaiters = [];
        for (const resolve of waiters) resolve();
      }
    }
  }

  /** Resolves once no work is in flight. */
  idle(): Promise<void> {
    if (this.inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }
}
