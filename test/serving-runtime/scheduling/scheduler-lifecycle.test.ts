import { ServerMetrics } from "@hybridai/serving-runtime/src/metrics";
import type { QueuePolicy } from "@hybridai/serving-runtime/src/scheduling/queue-policy";
import {
  type BatchExecutor,
  type ClientLink,
  type InferResult,
  Scheduler,
} from "@hybridai/serving-runtime/src/scheduling/scheduler";
import { describe, expect, it } from "vitest";
import { answered, FakeClock, settle } from "../helpers/fake-clock";
import { ManualExecutor, POLICY, request, rowsOf } from "../helpers/scheduler-kit";

// Queue, drain, executor hand-over and accounting of the Scheduler, on a hand-driven clock with
// executions that finish when the test says so.

function setup(executors: BatchExecutor[], policy: Partial<QueuePolicy> = {}) {
  const clock = new FakeClock();
  const server = new ServerMetrics();
  const metrics = server.forModel("m", "1");
  const scheduler = new Scheduler("model 'm'", executors, { ...POLICY, ...policy }, metrics, {
    clock,
  });
  const pending = async () => {
    metrics.flush();
    return (await server.pendingRequests.get()).values[0]?.value;
  };
  return { clock, scheduler, metrics, pending };
}

/** Whether `promise` has settled once pending callbacks have run. */
async function settled(promise: Promise<unknown>): Promise<boolean> {
  let done = false;
  promise.then(
    () => {
      done = true;
    },
    () => {
      done = true;
    },
  );
  await settle();
  return done;
}

describe("Scheduler drain and hand-over", () => {
  it("resolves close and useExecutors at once when nothing runs, and refuses requests after close", async () => {
    const executor = new ManualExecutor(1);
    const { scheduler } = setup([executor]);
    expect(await settled(scheduler.useExecutors([new ManualExecutor(1)]))).toBe(true);
    expect(await settled(scheduler.close())).toBe(true);
    await expect(answered(scheduler.submit(request([[1, 1]])))).rejects.toMatchObject({
      kind: "UNAVAILABLE",
      failure: "overload",
      reason: "REJECTED",
      message: "model 'm' is unloading",
    });
  });

  it("on close, sends a request waiting for a fuller batch at once and resolves after it ran", async () => {
    const executor = new ManualExecutor(1);
    const { clock, scheduler } = setup([executor], {
      maxBatchSize: 8,
      maxQueueDelayMicroseconds: 5_000,
    });
    const waiting = scheduler.submit(request([[1, 1]]));
    clock.endTurn();
    expect(executor.calls).toHaveLength(0);
    const closing = scheduler.close();
    expect(await settled(closing)).toBe(false);
    clock.endTurn();
    expect(executor.calls.map((call) => call.rows)).toEqual([[[1, 1]]]);
    expect(await settled(closing)).toBe(false);
    executor.calls[0].finish();
    expect(rowsOf(await answered(waiting))).toEqual([2, 2]);
    expect(await settled(closing)).toBe(true);
  });

  it("resolves close only when executions on every executor, retired ones included, have ended", async () => {
    const first = new ManualExecutor(1);
    const second = new ManualExecutor(1);
    const { clock, scheduler } = setup([first, second], { maxBatchSize: 1 });
    const answers = [scheduler.submit(request([[1, 1]])), scheduler.submit(request([[2, 2]]))];
    clock.endTurn();
    expect([first.calls.length, second.calls.length]).toEqual([1, 1]);
    const next = new ManualExecutor(1);
    const moved = scheduler.useExecutors([next]);
    const closing = scheduler.close();
    first.calls[0].finish();
    expect(await settled(moved)).toBe(false);
    expect(await settled(closing)).toBe(false);
    second.calls[0].finish();
    expect(await settled(moved)).toBe(true);
    expect(await settled(closing)).toBe(true);
    expect((await answered(Promise.all(answers))).map(rowsOf)).toEqual([
      [2, 2],
      [4, 4],
    ]);
  });

  it("resolves close only when the busy one of two executors has finished, the other idle all along", async () => {
    const busy = new ManualExecutor(1);
    const idle = new ManualExecutor(1);
    const { clock, scheduler } = setup([busy, idle], { maxBatchSize: 1 });
    const answer = scheduler.submit(request([[1, 1]]));
    clock.endTurn();
    expect([busy.calls.length, idle.calls.length]).toEqual([1, 0]);
    const closing = scheduler.close();
    clock.endTurn();
    expect(await settled(closing)).toBe(false);
    busy.calls[0].finish();
    expect(rowsOf(await answered(answer))).toEqual([2, 2]);
    expect(await settled(closing)).toBe(true);
  });

  it("retires an executor only when its last execution in flight ends, hand-over after hand-over", async () => {
    const old = new ManualExecutor(2);
    const { clock, scheduler } = setup([old], { maxBatchSize: 1 });
    const answers = [scheduler.submit(request([[1, 1]])), scheduler.submit(request([[2, 2]]))];
    clock.endTurn();
    expect(old.calls).toHaveLength(2);
    const next = new ManualExecutor(1);
    const moved = scheduler.useExecutors([next]);
    old.calls[0].finish();
    expect(await settled(moved)).toBe(false);
    old.calls[1].finish();
    expect(await settled(moved)).toBe(true);
    const third = scheduler.submit(request([[3, 3]]));
    clock.endTurn();
    const movedAgain = scheduler.useExecutors([new ManualExecutor(1)]);
    expect(await settled(movedAgain)).toBe(false);
    next.calls[0].finish();
    expect(await settled(movedAgain)).toBe(true);
    expect((await answered(Promise.all([...answers, third]))).map(rowsOf)).toEqual([
      [2, 2],
      [4, 4],
      [6, 6],
    ]);
  });

  it("gives each batch to the least busy executor, the first of equals", async () => {
    const a = new ManualExecutor(2);
    const b = new ManualExecutor(2);
    const { clock, scheduler } = setup([a, b], { maxBatchSize: 1 });
    for (let i = 1; i <= 3; i++) {
      scheduler.submit(request([[i, i]]));
      clock.endTurn();
    }
    expect([a.calls.map((call) => call.rows), b.calls.map((call) => call.rows)]).toEqual([
      [[[1, 1]], [[3, 3]]],
      [[[2, 2]]],
    ]);
  });
});

describe("Scheduler queue", () => {
  it("keeps requests whose non-batch dimensions differ in separate executions", async () => {
    const executor = new ManualExecutor(1);
    const { clock, scheduler } = setup([executor], { maxBatchSize: 8 });
    const answers = [
      scheduler.submit(request([[1, 1]])),
      scheduler.submit(request([[2, 2, 2]])),
      scheduler.submit(request([[3, 3]])),
    ];
    clock.endTurn();
    expect(executor.calls.map((call) => call.rows)).toEqual([
      [
        [1, 1],
        [3, 3],
      ],
    ]);
    executor.calls[0].finish();
    await settle();
    expect(executor.calls.map((call) => call.rows)).toEqual([
      [
        [1, 1],
        [3, 3],
      ],
      [[2, 2, 2]],
    ]);
    executor.calls[1].finish();
    expect((await answered(Promise.all(answers))).map(rowsOf)).toEqual([
      [2, 2],
      [4, 4, 4],
      [6, 6],
    ]);
  });

  it("sends a full batch at once even with a queue delay", () => {
    const executor = new ManualExecutor(1);
    const { clock, scheduler } = setup([executor], {
      maxBatchSize: 4,
      maxQueueDelayMicroseconds: 5_000,
    });
    for (let i = 1; i <= 4; i++) scheduler.submit(request([[i, i]]));
    expect(scheduler.queued).toBe(4);
    clock.endTurn();
    expect(executor.calls.map((call) => call.rows.length)).toEqual([4]);
    expect(scheduler.queued).toBe(0);
  });

  it("keeps waiting for fuller batches on an idle executor while requests arrive during executions", () => {
    const busy = new ManualExecutor(1);
    const idle = new ManualExecutor(1);
    const { clock, scheduler } = setup([busy, idle], {
      maxBatchSize: 8,
      maxQueueDelayMicroseconds: 5_000,
    });
    scheduler.submit(request([[1, 1]]));
    scheduler.submit(request([[2, 2]]));
    clock.endTurn();
    expect(busy.calls).toHaveLength(0);
    clock.advance(5);
    expect(busy.calls.map((call) => call.rows.length)).toEqual([2]);
    scheduler.submit(request([[3, 3]]));
    scheduler.submit(request([[4, 4]]));
    clock.endTurn();
    expect(idle.calls).toHaveLength(0);
    clock.advance(5);
    expect(idle.calls.map((call) => call.rows.length)).toEqual([2]);
  });

  it("times a request out exactly at its timeout, as a rejected request", async () => {
    const executor = new ManualExecutor(1);
    const { clock, scheduler, pending } = setup([executor], { defaultTimeoutMicroseconds: 10_000 });
    scheduler.submit(request([[1, 1]]));
    clock.endTurn();
    const queued = scheduler.submit(request([[2, 2]]));
    clock.endTurn();
    expect(await pending()).toBe(2);
    clock.advance(9);
    expect(await settled(queued)).toBe(false);
    clock.advance(1);
    await expect(answered(queued)).rejects.toMatchObject({
      kind: "UNAVAILABLE",
      failure: "timeout",
      reason: "REJECTED",
    });
    expect(await pending()).toBe(1);
    executor.calls[0].finish();
    await settle();
    expect(await pending()).toBe(0);
  });

  it("drops a request whose client is already gone when its turn comes, and stops watching the ones it runs", async () => {
    const executor = new ManualExecutor(1);
    const { clock, scheduler, pending } = setup([executor], { maxBatchSize: 1 });
    const watching = new Set<string>();
    const client = (name: string, gone: boolean): ClientLink => ({
      gone: () => gone,
      watch() {
        watching.add(name);
        return () => watching.delete(name);
      },
    });
    const running = scheduler.submit(request([[1, 1]]), client("running", false));
    clock.endTurn();
    const left = scheduler.submit(request([[2, 2]]), client("left", true));
    const stays = scheduler.submit(request([[3, 3]]), client("stays", false));
    clock.endTurn();
    await expect(answered(left)).rejects.toMatchObject({
      kind: "CANCELLED",
      failure: "cancelled",
      reason: "CANCELED",
      message: "model 'm': the client disconnected before execution",
    });
    expect([...watching]).toEqual(["stays"]);
    executor.calls[0].finish();
    await answered(running);
    await settle();
    expect(executor.calls.map((call) => call.rows)).toEqual([[[1, 1]], [[3, 3]]]);
    expect(watching.size).toBe(0);
    executor.calls[1].finish();
    expect(rowsOf(await answered(stays))).toEqual([6, 6]);
    expect(await pending()).toBe(0);
  });
});

describe("Scheduler execution outcomes", () => {
  it("counts time in the queue, in the model and around it, per request and per batch", async () => {
    const executor = new ManualExecutor(1);
    const { clock, scheduler, metrics } = setup([executor], { maxBatchSize: 4 });
    // Requests arrive at 7 ms, not at the clock's origin: queue time is start minus arrival.
    clock.advance(7);
    const first = scheduler.submit(request([[1, 1]]));
    clock.endTurn();
    const later = [scheduler.submit(request([[2, 2]])), scheduler.submit(request([[3, 3]]))];
    clock.advance(2);
    executor.calls[0].finish();
    await answered(first);
    await settle();
    clock.advance(3);
    executor.calls[1].finish();
    await answered(Promise.all(later));
    const totals = metrics.totals;
    // queued: 0 ms, then 2 ms twice; executions of 2 ms and 3 ms, 10 µs of each in the model.
    expect(totals.queue).toEqual({ count: 3, ns: 4_000_000 });
    expect(totals.computeInfer).toEqual({ count: 3, ns: 10_000 + 2 * 10_000 });
    expect(totals.computeInput).toEqual({ count: 3, ns: 1_990_000 + 2 * 2_990_000 });
    expect(totals.computeOutput).toEqual({ count: 3, ns: 0 });
    expect([...totals.batches.keys()].sort()).toEqual([1, 2]);
  });

  it("fails the requests of an execution that throws at once, then serves the next", async () => {
    let throwNext = true;
    const inner = new ManualExecutor(1);
    const executor: BatchExecutor = {
      capacity: 1,
      execute(inputs) {
        if (throwNext) {
          throwNext = false;
          throw new Error("no session");
        }
        return inner.execute(inputs);
      },
    };
    const { clock, scheduler, pending } = setup([executor], { maxBatchSize: 1 });
    const failed = scheduler.submit(request([[1, 1]]));
    clock.endTurn();
    await expect(answered(failed)).rejects.toMatchObject({
      kind: "INTERNAL",
      failure: "error",
      reason: "BACKEND",
      message: "model 'm': model execution failed: no session",
    });
    const next = scheduler.submit(request([[2, 2]]));
    clock.endTurn();
    inner.calls[0].finish();
    expect(rowsOf(await answered(next))).toEqual([4, 4]);
    expect(await pending()).toBe(0);
  });

  it("refuses a batched output without the batch dimension, and passes a lone request's outputs as they are", async () => {
    const executor: BatchExecutor = {
      capacity: 1,
      execute: () =>
        Promise.resolve({
          outputs: new Map([
            ["y", { datatype: "FP32", shape: [3], data: Float32Array.of(7, 8, 9) }],
          ]),
          inferMicroseconds: 1,
        }),
    };
    const { clock, scheduler } = setup([executor], { maxBatchSize: 4 });
    const batched = [scheduler.submit(request([[1, 1]])), scheduler.submit(request([[2, 2]]))];
    clock.endTurn();
    await Promise.all(
      batched.map((answer) =>
        expect(answered(answer)).rejects.toMatchObject({
          kind: "INTERNAL",
          failure: "error",
          message:
            "model 'm': output 'y' has dimension 0 of 3 for a batch of 2; a model with max_batch_size > 0 must keep the batch dimension",
        }),
      ),
    );
    const lone: Promise<InferResult> = scheduler.submit(request([[1, 1]]));
    clock.endTurn();
    expect((await answered(lone)).get("y")?.shape).toEqual([3]);
  });
});
