import { CallWindow } from "@hybridai/serving-runtime/src/resilience/call-window";
import { describe, expect, it } from "vitest";

// The ring of recent calls the circuit breaker decides on: counts, rates and the latency quantile.

describe("CallWindow", () => {
  it("counts a call as slow only above the threshold, and never without one", () => {
    const window = new CallWindow(4, 100);
    expect([window.isSlow(100), window.isSlow(101), window.isSlow(0)]).toEqual([
      false,
      true,
      false,
    ]);
    expect(new CallWindow(4, undefined).isSlow(1_000_000)).toBe(false);
  });

  it("gives rates of 0 when empty, then the fractions of the calls held", () => {
    const window = new CallWindow(4, 100);
    expect([window.size, window.failureRate, window.slowRate]).toEqual([0, 0, 0]);
    window.record(false, 150);
    window.record(true, 10);
    window.record(false, 10);
    window.record(false, 10);
    expect([window.size, window.failureRate, window.slowRate]).toEqual([4, 0.25, 0.25]);
  });

  it("forgets the oldest call, slow or failed, once full", () => {
    const window = new CallWindow(2, 100);
    window.record(true, 500);
    window.record(false, 10);
    expect([window.failureRate, window.slowRate]).toEqual([0.5, 0.5]);
    window.record(false, 10);
    expect([window.size, window.failureRate, window.slowRate]).toEqual([2, 0, 0]);
    window.record(false, 300);
    expect(window.slowRate).toBe(0.5);
  });

  it("says whether the nearest-rank quantile of latencies is slow", () => {
    const window = new CallWindow(10, 100);
    expect(window.quantileIsSlow(0.5)).toBe(false);
    for (let i = 0; i < 5; i++) window.record(false, 10);
    for (let i = 0; i < 5; i++) window.record(false, 200);
    // 5 of 10 at or under the threshold: the median (rank 5) is fast, the 60th percentile slow.
    expect(window.quantileIsSlow(0.5)).toBe(false);
    expect(window.quantileIsSlow(0.6)).toBe(true);
    const noLatency = new CallWindow(4, undefined);
    noLatency.record(false, 1_000_000);
    expect(noLatency.quantileIsSlow(0.01)).toBe(false);
  });

  it("starts over after clear", () => {
    const window = new CallWindow(3, 100);
    window.record(true, 500);
    window.clear();
    expect([window.size, window.failureRate, window.slowRate]).toEqual([0, 0, 0]);
    window.record(false, 10);
    expect([window.size, window.failureRate, window.slowRate]).toEqual([1, 0, 0]);
  });
});
