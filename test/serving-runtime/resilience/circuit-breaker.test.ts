import {
  CircuitBreaker,
  type CircuitPermit,
  type CircuitStateChange,
} from "@hybridai/serving-runtime/src/resilience/circuit-breaker";
import { ResilienceConfigError } from "@hybridai/serving-runtime/src/resilience/config";
import { describe, expect, it } from "vitest";

/** A clock the test moves by hand. */
function manualClock() {
  let now = 1_000;
  return {
    now: () => now,
    advance: (ms: number) => {
      now += ms;
    },
  };
}

function breakerWith(config: Record<string, unknown>) {
  const clock = manualClock();
  const changes: CircuitStateChange[] = [];
  const breaker = new CircuitBreaker({
    model: "ranker",
    config,
    clock: clock.now,
    onStateChange: (change) => changes.push(change),
  });
  return { breaker, clock, changes };
}

function call(breaker: CircuitBreaker, outcome: "success" | "failure", durationMs = 1): void {
  const permit = breaker.tryAcquire();
  if (!permit) throw new Error(`breaker refused a call while ${breaker.state}`);
  permit[outcome](durationMs);
}

const base = {
  failure_rate_threshold: 0.5,
  window_size: 10,
  minimum_requests: 4,
  open_duration_ms: 5_000,
  half_open_max_probes: 2,
};

describe("CircuitBreaker", () => {
  it("stays closed below the minimum number of requests, whatever their outcome", () => {
    const { breaker } = breakerWith(base);
    for (let i = 0; i < 3; i++) call(breaker, "failure");
    expect(breaker.state).toBe("closed");
    expect(breaker.snapshot().failureRate).toBe(1);
  });

  it("opens when the failure rate over the window reaches the threshold", () => {
    const { breaker, changes } = breakerWith(base);
    call(breaker, "success");
    call(breaker, "success");
    call(breaker, "failure");
    expect(breaker.state).toBe("closed");
    call(breaker, "failure");
    expect(breaker.state).toBe("open");
    expect(breaker.tryAcquire()).toBeUndefined();
    expect(changes).toEqual([
      { model: "ranker", from: "closed", to: "open", reason: "failure_rate", atMs: 1_000 },
    ]);
  });

  it("only counts the last window_size calls", () => {
    const { breaker } = breakerWith({ ...base, window_size: 4 });
    call(breaker, "failure");
    for (let i = 0; i < 4; i++) call(breaker, "success");
    call(breaker, "failure");
    expect(breaker.snapshot()).toMatchObject({ windowCalls: 4, failureRate: 0.25 });
    expect(breaker.state).toBe("closed");
  });

  it("opens when the latency quantile of the window exceeds latency_threshold_ms", () => {
    const { breaker, changes } = breakerWith({
      ...base,
      latency_threshold_ms: 100,
      latency_quantile: 0.5,
    });
    call(breaker, "success", 10);
    call(breaker, "success", 150);
    call(breaker, "success", 20);
    call(breaker, "success", 200);
    expect(breaker.state).toBe("closed");
    call(breaker, "success", 300);
    expect(breaker.state).toBe("open");
    expect(changes.at(-1)?.reason).toBe("latency");
  });

  it("measures latency on its clock when the caller gives no duration", () => {
    const { breaker, clock } = breakerWith({
      ...base,
      minimum_requests: 1,
      latency_threshold_ms: 50,
    });
    const permit = breaker.tryAcquire() as CircuitPermit;
    clock.advance(80);
    permit.success();
    expect(breaker.state).toBe("open");
  });

  it("ignores latency when no latency threshold is set", () => {
    const { breaker } = breakerWith(base);
    for (let i = 0; i < 10; i++) call(breaker, "success", 60_000);
    expect(breaker.state).toBe("closed");
  });

  it("half-opens after open_duration_ms and admits at most half_open_max_probes probes", () => {
    const { breaker, clock, changes } = breakerWith(base);
    for (let i = 0; i < 4; i++) call(breaker, "failure");
    clock.advance(4_999);
    expect(breaker.state).toBe("open");
    expect(breaker.tryAcquire()).toBeUndefined();
    clock.advance(1);
    const first = breaker.tryAcquire();
    const second = breaker.tryAcquire();
    expect(breaker.state).toBe("half_open");
    expect(first?.probe).toBe(true);
    expect(second?.probe).toBe(true);
    expect(breaker.tryAcquire()).toBeUndefined();
    expect(changes.at(-1)).toEqual({
      model: "ranker",
      from: "open",
      to: "half_open",
      reason: "open_duration_elapsed",
      atMs: 6_000,
    });
  });

  it("closes once every probe succeeds, with an empty window", () => {
    const { breaker, clock, changes } = breakerWith(base);
    for (let i = 0; i < 4; i++) call(breaker, "failure");
    clock.advance(5_000);
    call(breaker, "success");
    expect(breaker.state).toBe("half_open");
    call(breaker, "success");
    expect(breaker.state).toBe("closed");
    expect(changes.at(-1)?.reason).toBe("probes_succeeded");
    expect(breaker.snapshot()).toMatchObject({ windowCalls: 0, failureRate: 0 });
    const permit = breaker.tryAcquire();
    expect(permit?.probe).toBe(false);
  });

  it("reopens on a failed probe for another open duration", () => {
    const { breaker, clock, changes } = breakerWith(base);
    for (let i = 0; i < 4; i++) call(breaker, "failure");
    clock.advance(5_000);
    call(breaker, "success");
    call(breaker, "failure");
    expect(breaker.state).toBe("open");
    expect(changes.at(-1)).toMatchObject({ from: "half_open", to: "open", reason: "probe_failed" });
    clock.advance(4_000);
    expect(breaker.state).toBe("open");
    clock.advance(1_000);
    expect(breaker.state).toBe("half_open");
  });

  it("reopens on a probe slower than latency_threshold_ms", () => {
    const { breaker, clock } = breakerWith({ ...base, latency_threshold_ms: 100 });
    for (let i = 0; i < 4; i++) call(breaker, "failure");
    clock.advance(5_000);
    call(breaker, "success", 250);
    expect(breaker.state).toBe("open");
  });

  it("frees a probe slot when a probe is released without an outcome", () => {
    const { breaker, clock } = breakerWith(base);
    for (let i = 0; i < 4; i++) call(breaker, "failure");
    clock.advance(5_000);
    const first = breaker.tryAcquire() as CircuitPermit;
    breaker.tryAcquire();
    expect(breaker.tryAcquire()).toBeUndefined();
    first.release();
    expect(breaker.tryAcquire()?.probe).toBe(true);
    expect(breaker.state).toBe("half_open");
  });

  it("ignores outcomes of calls admitted before the state changed, and repeated settlements", () => {
    const { breaker, clock } = breakerWith(base);
    const late = breaker.tryAcquire() as CircuitPermit;
    for (let i = 0; i < 4; i++) call(breaker, "failure");
    clock.advance(5_000);
    expect(breaker.state).toBe("half_open");
    late.failure();
    expect(breaker.state).toBe("half_open");
    const probe = breaker.tryAcquire() as CircuitPermit;
    probe.success();
    probe.failure();
    expect(breaker.snapshot()).toMatchObject({ state: "half_open", probesSucceeded: 1 });
  });

  it("tells every listener, and stops telling one that unsubscribed", () => {
    const { breaker } = breakerWith(base);
    const seen: string[] = [];
    const unsubscribe = breaker.onStateChange((change) => seen.push(change.to));
    for (let i = 0; i < 4; i++) call(breaker, "failure");
    unsubscribe();
    breaker.reset();
    expect(seen).toEqual(["open"]);
    expect(breaker.state).toBe("closed");
  });

  it("applies documented defaults", () => {
    const breaker = new CircuitBreaker({ model: "m" });
    expect(breaker.config).toEqual({
      failure_rate_threshold: 0.5,
      latency_quantile: 0.5,
      window_size: 20,
      minimum_requests: 10,
      open_duration_ms: 30_000,
      half_open_max_probes: 3,
    });
  });

  it.each([
    [{ failure_rate_threshold: 1.5 }, "circuit_breaker.failure_rate_threshold", "at most 1"],
    [{ window_size: 0 }, "circuit_breaker.window_size", "at least 1"],
    [{ window_size: 2.5 }, "circuit_breaker.window_size", "whole number"],
    [{ latency_threshold_ms: -1 }, "circuit_breaker.latency_threshold_ms", "greater than 0"],
    [{ open_duration: 10 }, "circuit_breaker.open_duration", "allowed keys are"],
    [{ window_size: 5, minimum_requests: 6 }, "circuit_breaker.minimum_requests", "window_size"],
  ])("rejects %j naming the model, the key and what is allowed", (config, field, allowed) => {
    const attempt = () => new CircuitBreaker({ model: "ranker", config });
    expect(attempt).toThrow(ResilienceConfigError);
    expect(attempt).toThrow(/model "ranker"/);
    expect(attempt).toThrow(field);
    expect(attempt).toThrow(allowed);
  });
});
