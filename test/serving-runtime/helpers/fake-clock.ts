import type { Clock, Timer } from "@hybridai/serving-runtime/src/scheduling/clock";

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

/**
 * What `promise` settled with once pending callbacks have run: its value, or its rejection
 * thrown again. On a hand-driven clock every answer that is due has been given by then, so a
 * promise still pending fails the test at once instead of leaving it waiting forever (a
 * scheduler that stopped dispatching is caught by this assertion, not by a timeout).
 *
 * @param promise an answer, a rejection or a drain the test expects to have happened
 */
export async function answered<T>(promise: Promise<T>): Promise<T> {
  let outcome: { value: T } | { error: unknown } | undefined;
  promise.then(
    (value) => {
      outcome = { value };
    },
    (error: unknown) => {
      outcome = { error };
    },
  );
  await settle();
  if (outcome === undefined) {
    throw new Error("still pending once the turn ended: the scheduler gave no answer");
  }
  if ("error" in outcome) throw outcome.error;
  return outcome.value;
}
