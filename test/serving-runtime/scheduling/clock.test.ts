import { sleep, systemClock } from "@hybridai/serving-runtime/src/scheduling/clock";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

// The real clock the server runs on, driven through vitest's fake timers: time moves only when
// the test advances it, so nothing here waits on the wall clock.

describe("systemClock", () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ["performance", "setTimeout", "clearTimeout", "setImmediate"] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("reads performance.now", () => {
    const start = systemClock.now();
    vi.advanceTimersByTime(250);
    expect(systemClock.now() - start).toBe(250);
  });

  it("fires a timer once its delay has passed, not before", () => {
    const fired: string[] = [];
    systemClock.setTimer(() => fired.push("late"), 30);
    systemClock.setTimer(() => fired.push("early"), 10);
    vi.advanceTimersByTime(9);
    expect(fired).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(fired).toEqual(["early"]);
    vi.advanceTimersByTime(20);
    expect(fired).toEqual(["early", "late"]);
  });

  it("never fires a cancelled timer, and cancelling after it fired is harmless", () => {
    const fired: string[] = [];
    const cancelled = systemClock.setTimer(() => fired.push("cancelled"), 10);
    const kept = systemClock.setTimer(() => fired.push("kept"), 10);
    cancelled.cancel();
    vi.advanceTimersByTime(10);
    expect(fired).toEqual(["kept"]);
    kept.cancel();
    vi.advanceTimersByTime(100);
    expect(fired).toEqual(["kept"]);
  });

  it("defers a callback to the end of the turn, not to a later timer", () => {
    const order: string[] = [];
    systemClock.defer(() => order.push("deferred"));
    order.push("same turn");
    expect(order).toEqual(["same turn"]);
    vi.runOnlyPendingTimers();
    expect(order).toEqual(["same turn", "deferred"]);
  });

  it("sleep resolves after its delay of the given clock", async () => {
    let woke = false;
    sleep(systemClock, 40).then(() => {
      woke = true;
    });
    await vi.advanceTimersByTimeAsync(39);
    expect(woke).toBe(false);
    // Checked, not awaited: a sleep that never resolves fails here instead of hanging the test.
    await vi.advanceTimersByTimeAsync(1);
    expect(woke).toBe(true);
  });
});
