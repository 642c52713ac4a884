import { ServerMetrics } from "@hybridai/serving-runtime/src/metrics";
import type { QueuePolicy } from "@hybridai/serving-runtime/src/scheduling/queue-policy";
import {
  type ClientLink,
  Scheduler,
  SchedulingError,
} from "@hybridai/serving-runtime/src/scheduling/scheduler";
import { describe, expect, it } from "vitest";
import { answered, FakeClock, settle } from "../helpers/fake-clock";
import { ManualExecutor, POLICY, request, rowsOf } from "../helpers/scheduler-kit";

function setup(policy: Partial<QueuePolicy> = {}, capacity = 1) {
  const clock = new FakeClock();
  const executor = new ManualExecutor(capacity);
  const metrics = new ServerMetrics().forModel("m", "1");
  const executed: number[] = [];
  const scheduler = new Scheduler("model 'm'", [executor], { ...POLICY, ...policy }, metrics, {
    clock,
    onExecuted: (_us, items) => executed.push(items),
  });
  return { clock, executor, scheduler, executed };
}

describe("Scheduler", () => {
  it("groups the requests of one event-loop turn into one execution and splits the results back", async () => {
    const { clock, executor, scheduler } = setup();
    const results = [
      scheduler.submit(request([[1, 2]])),
      scheduler.submit(
        request([
          [3, 4],
          [5, 6],
        ]),
      ),
    ];
    expect(executor.calls).toHaveLength(0);
    clock.endTurn();
    expect(executor.calls.map((call) => call.rows)).toEqual([
      [
        [1, 2],
        [3, 4],
        [5, 6],
      ],
    ]);
    executor.calls[0].finish();
    const [first, second] = await answered(Promise.all(results));
    expect(rowsOf(first)).toEqual([2, 4]);
    expect(rowsOf(second)).toEqual([6, 8, 10, 12]);
  });

  it("runs a request larger than the batcher's limit alone instead of never taking it", async () => {
    // A model with max_batch_size 8 and no dynamic_batching: the batcher's limit is 1, requests
    // of up to 8 rows are valid and each runs alone (issue 24, finding 0: it was never taken).
    const { clock, executor, scheduler } = setup({ maxBatchSize: 1 });
    const results = [
      scheduler.submit(
        request([
          [1, 1],
          [2, 2],
        ]),
      ),
      scheduler.submit(request([[3, 3]])),
    ];
    clock.endTurn();
    expect(executor.calls.map((call) => call.rows)).toEqual([
      [
        [1, 1],
        [2, 2],
      ],
    ]);
    executor.calls[0].finish();
    await settle();
    clock.endTurn();
    expect(executor.calls.map((call) => call.rows)).toHaveLength(2);
    executor.calls[1].finish();
    const [first, second] = await Promise.all(results);
    expect(rowsOf(first)).toEqual([2, 2, 4, 4]);
    expect(rowsOf(second)).toEqual([6, 6]);
  });

  it("never puts more rows than max_batch_size into one execution", async () => {
    const { clock, executor, scheduler } = setup({ maxBatchSize: 4 });
    const results = [1, 2, 3, 4, 5, 6].map((i) =>
      scheduler.submit(
        request(
          i % 2 === 0
            ? [
                [i, i],
                [i, i],
              ]
            : [[i, i]],
        ),
      ),
    );
    clock.endTurn();
    expect(executor.calls.map((call) => call.rows.length)).toEqual([4]);
    executor.calls[0].finish();
    await settle();
    expect(executor.calls.map((call) => call.rows.length)).toEqual([4, 3]);
    executor.calls[1].finish();
    await settle();
    expect(executor.calls.map((call) => call.rows.length)).toEqual([4, 3, 2]);
    executor.calls[2].finish();
    const answers = await answered(Promise.all(results));
    expect(answers.map((answer) => rowsOf(answer)[0])).toEqual([2, 4, 6, 8, 10, 12]);
  });

  it("dispatches as soon as a preferred batch size is reached, and waits out the delay otherwise", async () => {
    const { clock, executor, scheduler } = setup({
      maxBatchSize: 8,
      maxQueueDelayMicroseconds: 5_000,
      preferredBatchSizes: [3],
    });
    const two = [scheduler.submit(request([[1, 1]])), scheduler.submit(request([[2, 2]]))];
    clock.endTurn();
    expect(executor.calls).toHaveLength(0);
    const third = scheduler.submit(request([[3, 3]]));
    clock.endTurn();
    expect(executor.calls.map((call) => call.rows.length)).toEqual([3]);
    executor.calls[0].finish();
    await answered(Promise.all([...two, third]));
    await settle();
    const late = scheduler.submit(request([[4, 4]]));
    clock.advance(4);
    expect(executor.calls).toHaveLength(1);
    clock.advance(1);
    expect(executor.calls.map((call) => call.rows.length)).toEqual([3, 1]);
    executor.calls[1].finish();
    await answered(late);
  });

  it("waits out the queue delay only while clients overlap: a sequential client never pays it", async () => {
    const { clock, executor, scheduler } = setup({
      maxBatchSize: 8,
      maxQueueDelayMicroseconds: 1_000_000,
    });
    const waits: number[] = [];
    for (let i = 0; i < 8; i++) {
      const submitted = clock.now();
      const answer = scheduler.submit(request([[i, i]]));
      clock.endTurn();
      if (executor.calls.length === i) clock.advance(1_000);
      waits.push(clock.now() - submitted);
      executor.calls[i].finish();
      await answered(answer);
      await settle();
    }
    expect(waits).toEqual([1_000, 1_000, 1_000, 0, 0, 0, 0, 0]);
  });

  it("gives a busy worker its next batch only when it is as large as the running one", async () => {
    const { clock, executor, scheduler } = setup({ maxBatchSize: 4 }, 2);
    const first = [1, 2, 3].map((i) => scheduler.submit(request([[i, i]])));
    clock.endTurn();
    expect(executor.calls.map((call) => call.rows.length)).toEqual([3]);
    const second = [4, 5].map((i) => scheduler.submit(request([[i, i]])));
    clock.endTurn();
    expect(executor.calls).toHaveLength(1);
    second.push(scheduler.submit(request([[6, 6]])));
    clock.endTurn();
    expect(executor.calls.map((call) => call.rows.length)).toEqual([3, 3]);
    executor.calls[0].finish();
    executor.calls[1].finish();
    await answered(Promise.all([...first, ...second]));
  });

  it("answers 503 when the queue is full", async () => {
    const { scheduler } = setup({ maxQueueSize: 2 });
    const queued = [scheduler.submit(request([[1, 1]])), scheduler.submit(request([[2, 2]]))];
    await expect(answered(scheduler.submit(request([[3, 3]])))).rejects.toMatchObject({
      kind: "UNAVAILABLE",
      failure: "overload",
      message: "model 'm': the queue is full (max_queue_size 2); retry later",
    });
    expect(queued).toHaveLength(2);
  });

  it("times a request out of the queue on the clock, with the request's own timeout when allowed", async () => {
    const { clock, executor, scheduler } = setup({ defaultTimeoutMicroseconds: 10_000 });
    const busy = scheduler.submit(request([[1, 1]]));
    clock.endTurn();
    const own = scheduler.submit(request([[2, 2]], 2_000));
    const byDefault = scheduler.submit(request([[3, 3]]));
    clock.advance(1);
    const ownOutcome = expect(answered(own)).rejects.toMatchObject({ failure: "timeout" });
    clock.advance(1);
    await ownOutcome;
    const defaultOutcome = expect(answered(byDefault)).rejects.toMatchObject({
      message: "model 'm': request timed out after 10000 µs in the queue",
    });
    clock.advance(8);
    await defaultOutcome;
    executor.calls[0].finish();
    await answered(busy);
    expect(executor.calls).toHaveLength(1);
  });

  it("takes a queued request out when its client disconnects", async () => {
    const { clock, executor, scheduler } = setup();
    const busy = scheduler.submit(request([[1, 1]]));
    clock.endTurn();
    let listener: (() => void) | undefined;
    let gone = false;
    const client: ClientLink = {
      gone: () => gone,
      watch(onGone) {
        listener = onGone;
        return () => {
          listener = undefined;
        };
      },
    };
    const abandoned = scheduler.submit(request([[2, 2]]), client);
    clock.endTurn();
    expect(listener).toBeDefined();
    gone = true;
    listener?.();
    await expect(answered(abandoned)).rejects.toBeInstanceOf(SchedulingError);
    await expect(answered(abandoned)).rejects.toMatchObject({ failure: "cancelled" });
    executor.calls[0].finish();
    await answered(busy);
    await settle();
    expect(executor.calls).toHaveLength(1);
  });

  it("moves new work to other executors and reports when the old ones are idle", async () => {
    const { clock, executor, scheduler } = setup();
    const running = scheduler.submit(request([[1, 1]]));
    clock.endTurn();
    const next = new ManualExecutor(1);
    let retired = false;
    const moved = scheduler.useExecutors([next]).then(() => {
      retired = true;
    });
    const later = scheduler.submit(request([[2, 2]]));
    clock.endTurn();
    expect(next.calls.map((call) => call.rows)).toEqual([[[2, 2]]]);
    await settle();
    expect(retired).toBe(false);
    executor.calls[0].finish();
    await answered(moved);
    expect(retired).toBe(true);
    next.calls[0].finish();
    expect(rowsOf(await answered(running))).toEqual([2, 2]);
    expect(rowsOf(await answered(later))).toEqual([4, 4]);
  });

  it("hands batches to executors added later, next to the busy ones", async () => {
    const { clock, executor, scheduler } = setup({ maxBatchSize: 1 });
    const first = scheduler.submit(request([[1, 1]]));
    clock.endTurn();
    const second = scheduler.submit(request([[2, 2]]));
    clock.endTurn();
    expect(executor.calls).toHaveLength(1);
    const added = new ManualExecutor(1);
    scheduler.addExecutors([added]);
    clock.endTurn();
    expect(added.calls.map((call) => call.rows)).toEqual([[[2, 2]]]);
    executor.calls[0].finish();
    added.calls[0].finish();
    expect(rowsOf(await answered(first))).toEqual([2, 2]);
    expect(rowsOf(await answered(second))).toEqual([4, 4]);
  });

  it("fails every request of a failed execution with a 500 naming the model", async () => {
    const { clock, executor, scheduler } = setup();
    const results = [scheduler.submit(request([[1, 1]])), scheduler.submit(request([[2, 2]]))];
    clock.endTurn();
    executor.calls[0].fail(new Error("boom"));
    await Promise.all(
      results.map((result) =>
        expect(answered(result)).rejects.toMatchObject({
          kind: "INTERNAL",
          message: "model 'm': model execution failed: boom",
        }),
      ),
    );
  });

  it("finishes queued and running work before close resolves", async () => {
    const { clock, executor, scheduler, executed } = setup({ maxBatchSize: 1 });
    const results = [scheduler.submit(request([[1, 1]])), scheduler.submit(request([[2, 2]]))];
    clock.endTurn();
    let closed = false;
    const closing = scheduler.close().then(() => {
      closed = true;
    });
    await expect(answered(scheduler.submit(request([[3, 3]])))).rejects.toMatchObject({
      failure: "overload",
    });
    executor.calls[0].finish();
    await settle();
    expect(closed).toBe(false);
    executor.calls[1].finish();
    await answered(closing);
    await answered(Promise.all(results));
    expect(executed).toEqual([1, 1]);
  });
});
