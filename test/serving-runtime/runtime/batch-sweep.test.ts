import {
  describeSweep,
  kneeOf,
  SWEEP_LIMITS,
  sweepBatchSizes,
} from "@hybridai/serving-runtime/src/runtime/batch-sweep";
import { describe, expect, it } from "vitest";
import { FakeClock } from "../helpers/fake-clock";

describe("kneeOf", () => {
  it("picks the smallest batch size within the fraction of the best items/s", () => {
    const points = [
      { batch: 1, itemsPerSecond: 100 },
      { batch: 2, itemsPerSecond: 180 },
      { batch: 4, itemsPerSecond: 300 },
      { batch: 8, itemsPerSecond: 380 },
      { batch: 16, itemsPerSecond: 400 },
    ];
    expect(kneeOf(points, 0.9)).toBe(8);
    expect(kneeOf(points, 0.7)).toBe(4);
    expect(kneeOf(points, 1)).toBe(16);
  });
});

describe("sweepBatchSizes", () => {
  /** A model costing `fixed + perItem × batch` µs per execution; each run advances the clock. */
  const model =
    (clock: FakeClock, fixed: number, perItem: number, log: number[]) => async (batch: number) => {
      log.push(batch);
      const us = fixed + perItem * batch;
      clock.advance(us / 1000);
      return us;
    };

  it("measures 1, 2, 4 … 64 and settles on the knee of a model that batches well", async () => {
    const clock = new FakeClock();
    const batches: number[] = [];
    const result = await sweepBatchSizes(model(clock, 100, 10, batches), clock);
    expect(result.points.map((point) => point.batch)).toEqual([1, 2, 4, 8, 16, 32, 64]);
    expect(Math.round(result.points[0].itemsPerSecond)).toBe(9091);
    expect(Math.round(result.points[6].itemsPerSecond)).toBe(86486);
    expect(result.maxBatchSize).toBe(64);
    expect(batches).toHaveLength(21);
    expect(result.stoppedBecause).toBeUndefined();
    expect(describeSweep(result)).toBe(
      "measured at load: knee of items/s by batch size (1: 9091, 2: 16667, 4: 28571, 8: 44444, 16: 61538, 32: 76190, 64: 86486)",
    );
    const looser = await sweepBatchSizes(model(clock, 100, 10, []), clock, {
      ...SWEEP_LIMITS,
      kneeFraction: 0.8,
    });
    expect(looser.maxBatchSize).toBe(32);
  });

  it("picks batch 1 for a model whose items/s do not grow with the batch", async () => {
    const clock = new FakeClock();
    const result = await sweepBatchSizes(model(clock, 0, 300, []), clock);
    expect(result.maxBatchSize).toBe(1);
  });

  it("stops when an execution gets slower than the limit, and when the budget is spent", async () => {
    const slowClock = new FakeClock();
    const slow = await sweepBatchSizes(model(slowClock, 0, 20_000, []), slowClock);
    expect(slow.points.map((point) => point.batch)).toEqual([1, 2, 4]);
    expect(slow.stoppedBecause).toBe("batch 4 took 80 ms");
    const budgetClock = new FakeClock();
    const budget = await sweepBatchSizes(model(budgetClock, 0, 2_000, []), budgetClock, {
      ...SWEEP_LIMITS,
      budgetMs: 40,
    });
    expect(budget.points.map((point) => point.batch)).toEqual([1, 2, 4]);
    expect(budget.stoppedBecause).toBe("the 40 ms budget was spent");
    expect(describeSweep(budget)).toBe(
      "measured at load: knee of items/s by batch size (1: 500, 2: 500, 4: 500); sweep stopped: the 40 ms budget was spent",
    );
  });
});

describe("sweepBatchSizes, limits at their edges", () => {
  /** A model costing `us(batch)` µs per execution; each run advances the clock and is logged. */
  const timed =
    (clock: FakeClock, us: (batch: number) => number, log: number[]) => async (batch: number) => {
      log.push(batch);
      clock.advance(us(batch) / 1000);
      return us(batch);
    };

  it("stops repeating a point as soon as one run is over the limit, and goes on when one is exactly at it", async () => {
    const clock = new FakeClock();
    const runs: number[] = [];
    const result = await sweepBatchSizes(
      timed(clock, (batch) => 50_000 * batch, runs),
      clock,
      {
        ...SWEEP_LIMITS,
        budgetMs: 10_000,
      },
    );
    expect(runs).toEqual([1, 1, 1, 2]);
    expect(result.points.map((point) => point.batch)).toEqual([1, 2]);
    expect(result.stoppedBecause).toBe("batch 2 took 100 ms");
  });

  it("gives no stop reason when it reached the cap, however slow the last point", async () => {
    const clock = new FakeClock();
    const runs: number[] = [];
    const result = await sweepBatchSizes(
      timed(clock, (batch) => 20_000 * batch, runs),
      clock,
      {
        ...SWEEP_LIMITS,
        cap: 4,
        budgetMs: 10_000,
      },
    );
    expect(result.points.map((point) => point.batch)).toEqual([1, 2, 4]);
    expect(runs).toEqual([1, 1, 1, 2, 2, 2, 4]);
    expect(result.stoppedBecause).toBeUndefined();
  });

  it("counts the budget from the sweep's own start, and stops only once it is exceeded", async () => {
    const clock = new FakeClock();
    clock.advance(1_000);
    const result = await sweepBatchSizes(
      timed(clock, () => 10_000, []),
      clock,
      {
        ...SWEEP_LIMITS,
        budgetMs: 30,
      },
    );
    // 30 ms after batch 1 (three runs of 10 ms): not over the budget yet; 60 ms after batch 2.
    expect(result.points.map((point) => point.batch)).toEqual([1, 2]);
    expect(result.stoppedBecause).toBe("the 30 ms budget was spent");
  });
});

describe("kneeOf, points in any order", () => {
  it("picks the smallest qualifying batch size wherever it is in the list", () => {
    const points = [
      { batch: 16, itemsPerSecond: 400 },
      { batch: 8, itemsPerSecond: 380 },
      { batch: 1, itemsPerSecond: 100 },
    ];
    expect(kneeOf(points, 0.9)).toBe(8);
  });
});
