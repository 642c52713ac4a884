import {
  CircuitBreaker,
  type CircuitPermit,
  type CircuitStateChange,
} from "@hybridai/serving-runtime/src/resilience/circuit-breaker";
import { describe, expect, it } from "vitest";

// What the breaker tells listeners and shows in snapshots around its state changes, and how it
// counts probes and abandoned calls, on a clock the test moves by hand (the real clock once).

const base = {
  failure_rate_threshold: 0.5,
  window_size: 10,
  minimum_requests: 4,
  open_duration_ms: 5_000,
  half_open_max_probes: 2,
};

function breakerAt(startMs: number, config: Record<string, unknown> = base) {
  let now = startMs;
  const breaker = new CircuitBreaker({ model: "ranker", config, clock: () => now });
  return {
    breaker,
    advance: (ms: number) => {
      now += ms;
    },
  };
}

function fail(breaker: CircuitBreaker, times: number): void {
  for (let i = 0; i < times; i++) (breaker.tryAcquire() as CircuitPermit).failure(1);
}

describe("CircuitBreaker listeners", () => {
  it("runs without any listener, options or added", () => {
    const { breaker, advance } = breakerAt(0);
    fail(breaker, 4);
    expect(breaker.state).toBe("open");
    advance(5_000);
    expect(breaker.state).toBe("half_open");
    breaker.reset();
    expect(breaker.state).toBe("closed");
  });

  it("tells listeners of a reset that closes the breaker, and nobody of one that changes nothing", () => {
    const { breaker } = breakerAt(100);
    const changes: CircuitStateChange[] = [];
    breaker.onStateChange((change) => changes.push(change));
    breaker.reset();
    expect(changes).toEqual([]);
    fail(breaker, 4);
    breaker.reset();
    expect(changes).toEqual([
      { model: "ranker", from: "closed", to: "open", reason: "failure_rate", atMs: 100 },
      { model: "ranker", from: "open", to: "closed", reason: "reset", atMs: 100 },
    ]);
  });

  it("removes exactly the listener unsubscribed, once, whatever its place", () => {
    const { breaker } = breakerAt(0);
    const seen: string[] = [];
    const unsubscribeFirst = breaker.onStateChange(() => seen.push("first"));
    breaker.onStateChange(() => seen.push("second"));
    unsubscribeFirst();
    unsubscribeFirst();
    fail(breaker, 4);
    expect(seen).toEqual(["second"]);
  });
});

describe("CircuitBreaker snapshots", () => {
  it("says when an open breaker lets probes through, and nothing while closed or half-open", () => {
    const { breaker, advance } = breakerAt(1_000);
    expect(breaker.snapshot().reopensAtMs).toBeUndefined();
    fail(breaker, 4);
    advance(1_500);
    expect(breaker.snapshot()).toMatchObject({ state: "open", reopensAtMs: 6_000 });
    advance(3_500);
    expect(breaker.snapshot()).toMatchObject({ state: "half_open", reopensAtMs: undefined });
  });

  it("keeps showing the window that opened it until it closes again", () => {
    const { breaker, advance } = breakerAt(0);
    fail(breaker, 4);
    expect(breaker.snapshot()).toMatchObject({ state: "open", windowCalls: 4, failureRate: 1 });
    advance(5_000);
    expect(breaker.snapshot()).toMatchObject({ state: "half_open", windowCalls: 4 });
  });
});

describe("CircuitBreaker accounting", () => {
  it("counts probes that succeeded against the half-open allowance as well as probes in flight", () => {
    const { breaker, advance } = breakerAt(0);
    fail(breaker, 4);
    advance(5_000);
    (breaker.tryAcquire() as CircuitPermit).success(1);
    const second = breaker.tryAcquire();
    expect(second?.probe).toBe(true);
    // One probe succeeded and one is in flight: the allowance of 2 is used up.
    expect(breaker.tryAcquire()).toBeUndefined();
    expect(breaker.snapshot()).toMatchObject({ probesInFlight: 1, probesSucceeded: 1 });
  });

  it("records nothing for a closed-state call that was abandoned", () => {
    const { breaker } = breakerAt(0);
    for (let i = 0; i < 5; i++) (breaker.tryAcquire() as CircuitPermit).release();
    expect(breaker.snapshot()).toMatchObject({ state: "closed", windowCalls: 0 });
  });

  it("measures a call from its permit to its settlement, whatever the clock's origin", () => {
    const { breaker, advance } = breakerAt(1_000_000, {
      ...base,
      minimum_requests: 1,
      latency_threshold_ms: 50,
      latency_quantile: 1,
    });
    const fast = breaker.tryAcquire() as CircuitPermit;
    advance(30);
    fast.success();
    expect(breaker.snapshot()).toMatchObject({ state: "closed", windowCalls: 1, slowRate: 0 });
    const slow = breaker.tryAcquire() as CircuitPermit;
    advance(51);
    slow.success();
    expect(breaker.state).toBe("open");
  });

  it("measures on the real monotonic clock when none is given", async () => {
    const breaker = new CircuitBreaker({
      model: "ranker",
      config: { ...base, minimum_requests: 1, open_duration_ms: 1 },
    });
    (breaker.tryAcquire() as CircuitPermit).failure();
    expect(breaker.state).toBe("open");
    const { reopensAtMs } = breaker.snapshot();
    expect(reopensAtMs).toBeGreaterThan(0);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(breaker.state).toBe("half_open");
  });
});
