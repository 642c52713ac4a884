import type { Clock, Timer } from "../../../serving-runtime/src/scheduling/clock";

/**
 * A clock tests drive by hand: time moves only in {@link advance}, deferred callbacks run only
 * in {@link endTurn}, so scheduling tests never wait on the wall clock.
 */
export class FakeClock implements Clock {
  private time = 0;
  private timers: { at: number; callback: () => void; cancelled: boolean }[] = [];
  private deferred: (() => void)[] = [];

  now(): number {
    return this.time;
  }

  setTimer(callback: () => void, ms: number): Timer {
    const timer = { at: this.time + ms, callback, cancelled: false };
    this.timers.push(timer);
    return {
      cancel: () => {
        timer.cancelled = true;
      },
    };
  }

  defer(callback: () => void): void {
    this.deferred.push(callback);
  }

  /** Timers not yet fired or cancelled. */
  get pendingTimers(): number {
    return this.timers.filter((timer) => !timer.cancelled).length;
  }

  /** Runs the callbacks deferred to the end of the turn (and any they defer in turn). */
  endTurn(): void {
    while (this.deferred.length > 0) {
      const callbacks = this.deferred;
      this.deferred = [];
      for (const callback of callbacks) callback();
    }
  }

  /** Moves time forward by `ms`, firing due timers in order, then ends the turn. */
  advance(ms: number): void {
    const until = this.time + ms;
    for (;;) {
      const due = this.timers
        .filter((timer) => !timer.cancelled && timer.at <= until)
        .sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      this.time = due.at;
      due.cancelled = true;
      due.callback();
      this.endTurn();
    }
    this.time = until;
    this.endTurn();
  }
}

/** Lets pending promise callbacks run (a macrotask boundary), without any wall-clock wait. */
export function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
