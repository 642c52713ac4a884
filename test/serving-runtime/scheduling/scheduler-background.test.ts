import { ServerMetrics } from "@hybridai/serving-runtime/src/metrics";
import type { QueuePolicy } from "@hybridai/serving-runtime/src/scheduling/queue-policy";
import {
  BACKGROUND_MAX_WAIT_MS,
  type BatchExecutor,
  Scheduler,
} from "@hybridai/serving-runtime/src/scheduling/scheduler";
import { describe, expect, it } from "vitest";
import { FakeClock, settle } from "../helpers/fake-clock";
import { ManualExecutor, POLICY, request, rowsOf } from "../helpers/scheduler-kit";

// Issue 27: a model that decides its batch size from its traffic measures on its own executors
// between batches (runWhenIdle) and changes its batcher's limit while serving (setMaxBatchSize).

function setup(executors: BatchExecutor[], policy: Partial<QueuePolicy> = {}) {
  const clock = new FakeClock();
  const metrics = new ServerMetrics().forModel("m", "1");
  const scheduler = new Scheduler("model 'm'", executors, { ...POLICY, ...policy }, metrics, {
    clock,
  });
  return { clock, scheduler };
}

/** A background task that records which executor it ran on and ends when the test says so. */
function manualTask() {
  const runs: { executor: BatchExecutor; finish: () => void }[] = [];
  const task = (executor: BatchExecutor) =>
    new Promise<string>((resolve) => runs.push({ executor, finish: () => resolve("measured") }));
  return { runs, task };
}

describe("Scheduler background tasks", () => {
  it("run only once no request waits and the executor is idle; requests then wait for them", async () => {
    const executor = new ManualExecutor(1);
    const { clock, scheduler } = setup([executor]);
    const first = scheduler.submit(request([[1, 1]]));
    const second = scheduler.submit(
      request([
        [2, 2],
        [3, 3],
        [4, 4],
        [5, 5],
      ]),
    );
    clock.endTurn();
    const { runs, task } = manualTask();
    const measured = scheduler.runWhenIdle(task);
    clock.endTurn();
    expect(runs).toHaveLength(0);
    executor.calls[0].finish();
    await settle();
    clock.endTurn();
    expect(executor.calls).toHaveLength(2);
    expect(runs).toHaveLength(0);
    executor.calls[1].finish();
    await settle();
    clock.endTurn();
    expect(runs).toHaveLength(1);
    expect(runs[0].executor).toBe(executor);
    const third = scheduler.submit(request([[6, 6]]));
    clock.endTurn();
    expect(executor.calls).toHaveLength(2);
    runs[0].finish();
    expect(await measured).toBe("measured");
    clock.endTurn();
    expect(executor.calls).toHaveLength(3);
    executor.calls[2].finish();
    expect(rowsOf(await first)).toEqual([2, 2]);
    expect(rowsOf(await second)).toEqual([4, 4, 6, 6, 8, 8, 10, 10]);
    expect(rowsOf(await third)).toEqual([12, 12]);
  });

  it(`take the next executor before queued requests once they waited ${BACKGROUND_MAX_WAIT_MS} ms behind a busy queue`, async () => {
    const executor = new ManualExecutor(1);
    const { clock, scheduler } = setup([executor], { maxBatchSize: 1 });
    const answers = [scheduler.submit(request([[1, 1]])), scheduler.submit(request([[2, 2]]))];
    clock.endTurn();
    const { runs, task } = manualTask();
    const measured = scheduler.runWhenIdle(task);
    clock.advance(BACKGROUND_MAX_WAIT_MS - 1);
    executor.calls[0].finish();
    await settle();
    clock.endTurn();
    expect(runs).toHaveLength(0);
    answers.push(scheduler.submit(request([[3, 3]])));
    clock.advance(1);
    executor.calls[1].finish();
    await settle();
    clock.endTurn();
    expect(runs).toHaveLength(1);
    expect(executor.calls).toHaveLength(2);
    runs[0].finish();
    await measured;
    clock.endTurn();
    expect(executor.calls).toHaveLength(3);
    executor.calls[2].finish();
    expect((await Promise.all(answers)).map(rowsOf)).toEqual([
      [2, 2],
      [4, 4],
      [6, 6],
    ]);
  });

  it("are rejected when the model unloads before they start; close waits for one running", async () => {
    const executors = [new ManualExecutor(1), new ManualExecutor(1)];
    const { clock, scheduler } = setup(executors);
    const { runs, task } = manualTask();
    const running = scheduler.runWhenIdle(task);
    clock.endTurn();
    const busy = scheduler.submit(request([[1, 1]]));
    clock.endTurn();
    const waiting = scheduler.runWhenIdle(task);
    let closed = false;
    const closing = scheduler.close().then(() => {
      closed = true;
    });
    await expect(waiting).rejects.toThrow("model 'm' is unloading");
    await expect(scheduler.runWhenIdle(task)).rejects.toThrow("model 'm' is unloading");
    clock.endTurn();
    executors.find((executor) => executor.calls.length > 0)?.calls[0].finish();
    await busy;
    await settle();
    expect(closed).toBe(false);
    runs[0].finish();
    await running;
    await closing;
    expect(closed).toBe(true);
  });
});

describe("Scheduler.setMaxBatchSize", () => {
  it("batches requests queued before the limit rose by the new limit", async () => {
    const executor = new ManualExecutor(1);
    const { clock, scheduler } = setup([executor], { maxBatchSize: 1 });
    const answers = [1, 2, 3, 4].map((v) => scheduler.submit(request([[v, v]])));
    clock.endTurn();
    expect(executor.calls[0].rows).toEqual([[1, 1]]);
    scheduler.setMaxBatchSize(2);
    clock.endTurn();
    executor.calls[0].finish();
    await settle();
    clock.endTurn();
    expect(executor.calls[1].rows).toEqual([
      [2, 2],
      [3, 3],
    ]);
    executor.calls[1].finish();
    await settle();
    clock.endTurn();
    expect(executor.calls[2].rows).toEqual([[4, 4]]);
    executor.calls[2].finish();
    expect((await Promise.all(answers)).map(rowsOf)).toEqual([
      [2, 2],
      [4, 4],
      [6, 6],
      [8, 8],
    ]);
  });
});
