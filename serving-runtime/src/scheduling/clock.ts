/** A pending timer; `cancel` is safe to call after it fired. */
export interface Timer {
  /** Stops the timer from firing. */
  cancel(): void;
}

/**
 * Time as the scheduler, queue timeouts, drain and load-time measurements see it. The server uses
 * {@link systemClock}; tests pass a clock they advance by hand, so no test waits on the wall clock.
 */
export interface Clock {
  /** Milliseconds from an arbitrary origin, monotonic, sub-millisecond resolution. */
  now(): number;
  /**
   * Calls `callback` once after `ms` milliseconds.
   *
   * @param callback what to run
   * @param ms delay in milliseconds
   */
  setTimer(callback: () => void, ms: number): Timer;
  /**
   * Calls `callback` once at the end of the current event-loop turn, after every I/O callback
   * of this turn has run (Node's `setImmediate`): requests that arrive together are seen together.
   *
   * @param callback what to run
   */
  defer(callback: () => void): void;
}

/** The real clock: `performance.now`, `setTimeout` and `setImmediate`. */
export const systemClock: Clock = {
  now: () => performance.now(),
  setTimer(callback, ms) {
    const handle = setTimeout(callback, ms);
    return { cancel: () => clearTimeout(handle) };
  },
  defer(callback) {
    setImmediate(callback);
  },
};

/** Resolves after `ms` milliseconds of `clock` time. */
export function sleep(clock: Clock, ms: number): Promise<void> {
  return new Promise((resolve) => clock.setTimer(resolve, ms));
}
