import { choosePlacement, DriftMonitor } from "@hybridai/serving-runtime/src/runtime/placement";
import { describe, expect, it } from "vitest";

describe("choosePlacement", () => {
  it("runs a model inline up to the threshold and in workers above it, unless set explicitly", () => {
    expect(choosePlacement("auto", 100, 100)).toBe("inline");
    expect(choosePlacement("auto", 101, 100)).toBe("worker");
    expect(choosePlacement("worker", 5, 100)).toBe("worker");
    expect(choosePlacement("inline", 5_000, 100)).toBe("inline");
  });
});

describe("DriftMonitor", () => {
  it("moves an inline model to workers once its median execution passes twice the threshold", () => {
    const monitor = new DriftMonitor("inline", 100);
    const moves: (string | undefined)[] = [];
    for (let i = 0; i < 63; i++) moves.push(monitor.observe(250));
    expect(moves).toHaveLength(63);
    expect(moves.every((move) => move === undefined)).toBe(true);
    expect(monitor.observe(250)).toBe("worker");
  });

  it("ignores preempted executions: a few slow ones do not move the model", () => {
    const monitor = new DriftMonitor("inline", 100);
    const moves: (string | undefined)[] = [];
    for (let i = 0; i < 200; i++) moves.push(monitor.observe(i % 10 === 0 ? 15_000 : 20));
    expect(moves.filter((move) => move !== undefined)).toEqual([]);
  });

  it("moves a worker model inline when its median drops below half the threshold, then waits twice as long", () => {
    const monitor = new DriftMonitor("worker", 100);
    let first = -1;
    for (let i = 0; i < 64 && first < 0; i++) if (monitor.observe(40) === "inline") first = i;
    expect(first).toBe(63);
    let second = -1;
    for (let i = 0; i < 200 && second < 0; i++) if (monitor.observe(300) === "worker") second = i;
    expect(second).toBe(127);
  });

  it("keeps a model between half and twice the threshold where it is", () => {
    const inline = new DriftMonitor("inline", 100);
    const worker = new DriftMonitor("worker", 100);
    const moves: (string | undefined)[] = [];
    for (let i = 0; i < 300; i++) moves.push(inline.observe(190), worker.observe(60));
    expect(moves.filter((move) => move !== undefined)).toEqual([]);
  });

  it("takes the median of the last 64 executions only, looked at every 16th execution", () => {
    const monitor = new DriftMonitor("inline", 100);
    const fast: (string | undefined)[] = [];
    for (let i = 0; i < 72; i++) fast.push(monitor.observe(10));
    expect(fast.filter((move) => move !== undefined)).toEqual([]);
    // From the 32nd slow execution on, the upper median of the window is slow; the next look is
    // at the 112th execution in all, the 40th slow one.
    let moved = -1;
    for (let i = 0; i < 200 && moved < 0; i++) if (monitor.observe(300) === "worker") moved = i;
    expect(moved).toBe(39);
  });

  it("moves only across the margins: not at exactly twice or half the threshold, never to where it is", () => {
    const atTwice = new DriftMonitor("inline", 100);
    const atHalf = new DriftMonitor("worker", 100);
    const slowWorker = new DriftMonitor("worker", 100);
    const fastInline = new DriftMonitor("inline", 100);
    const moves: (string | undefined)[] = [];
    for (let i = 0; i < 300; i++) {
      moves.push(
        atTwice.observe(200),
        atHalf.observe(50),
        slowWorker.observe(5_000),
        fastInline.observe(1),
      );
    }
    expect(moves).toHaveLength(1200);
    expect(moves.filter((move) => move !== undefined)).toEqual([]);
  });
});
