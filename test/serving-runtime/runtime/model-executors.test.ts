import { Writable } from "node:stream";
import { ModelExecutors } from "@hybridai/serving-runtime/src/runtime/model-executors";
import type { Placement } from "@hybridai/serving-runtime/src/runtime/placement";
import type { OwnedExecutor } from "@hybridai/serving-runtime/src/runtime/sessions";
import type { BatchExecutor, Scheduler } from "@hybridai/serving-runtime/src/scheduling/scheduler";
import pino from "pino";
import { describe, expect, it } from "vitest";
import { settle } from "../helpers/fake-clock";

// Moving a model between the event loop and worker threads when its execution time drifts, and
// growing its instances, with executors that only count their releases and a scheduler that
// records what it is handed.

/** An executor that records how often it was released; never executes here. */
class CountedExecutor implements OwnedExecutor {
  readonly capacity = 1;
  released = 0;

  constructor(readonly name: string) {}

  execute(): never {
    throw new Error(`${this.name} is not meant to execute in these tests`);
  }

  release(): Promise<void> {
    this.released++;
    return Promise.resolve();
  }
}

/** The two scheduler calls ModelExecutors makes, recorded. */
class RecordingScheduler {
  readonly used: (readonly BatchExecutor[])[] = [];
  readonly added: (readonly BatchExecutor[])[] = [];

  useExecutors(executors: readonly BatchExecutor[]): Promise<void> {
    this.used.push(executors);
    return Promise.resolve();
  }

  addExecutors(executors: readonly BatchExecutor[]): void {
    this.added.push(executors);
  }
}

/** A promise with its resolve and reject at hand. */
function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

function setup(options: { threshold?: number; attach?: boolean } = {}) {
  const logs: { level: number; msg: string; [key: string]: unknown }[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      logs.push(JSON.parse(String(chunk)));
      done();
    },
  });
  const initial = new CountedExecutor("initial");
  const creations: {
    placement: Placement;
    answer: ReturnType<typeof deferred<OwnedExecutor[]>>;
  }[] = [];
  const executors = new ModelExecutors(
    "inline",
    [initial],
    (placement) => {
      const answer = deferred<OwnedExecutor[]>();
      creations.push({ placement, answer });
      return answer.promise;
    },
    {
      thresholdMicroseconds: "threshold" in options ? options.threshold : 100,
      logger: pino({ level: "info" }, sink),
      label: "m:1",
    },
  );
  const scheduler = new RecordingScheduler();
  if (options.attach ?? true) executors.attach(scheduler as unknown as Scheduler);
  return { executors, initial, creations, scheduler, logs };
}

/** Feeds `count` executions of `microseconds` each. */
function feed(executors: ModelExecutors, count: number, microseconds: number): void {
  for (let i = 0; i < count; i++) executors.observe(microseconds);
}

describe("ModelExecutors", () => {
  it("starts where it was placed, with the executors it was given", () => {
    const { executors, initial } = setup();
    expect(executors.current).toBe("inline");
    expect(executors.active).toEqual([initial]);
  });

  it("moves an inline model that became slow to worker threads, then releases the old executors", async () => {
    const { executors, initial, creations, scheduler, logs } = setup();
    feed(executors, 63, 300);
    expect(creations).toHaveLength(0);
    feed(executors, 1, 300);
    expect(creations.map((c) => c.placement)).toEqual(["worker"]);
    const moved = [new CountedExecutor("w1"), new CountedExecutor("w2")];
    creations[0].answer.resolve(moved);
    await settle();
    expect(executors.current).toBe("worker");
    expect(executors.active).toEqual(moved);
    expect(scheduler.used).toEqual([moved]);
    expect(initial.released).toBe(1);
    expect(moved.map((e) => e.released)).toEqual([0, 0]);
    const info = logs.filter((line) => line.level === 30);
    expect(info).toHaveLength(1);
    expect(info[0]).toMatchObject({
      msg: "execution time drifted; model moved",
      model: "m:1",
      placement: "worker",
      inferMicroseconds: 300,
    });
  });

  it("ignores executions while a move is under way", async () => {
    const { executors, creations } = setup();
    feed(executors, 64, 300);
    expect(creations).toHaveLength(1);
    // Fast enough to move back inline, were they counted (the monitor now waits 128).
    feed(executors, 256, 10);
    expect(creations).toHaveLength(1);
    creations[0].answer.resolve([new CountedExecutor("w")]);
    await settle();
    expect(executors.current).toBe("worker");
  });

  it("never moves a model whose placement the config fixed", () => {
    const { executors, creations } = setup({ threshold: undefined });
    feed(executors, 256, 1_000_000);
    expect(creations).toHaveLength(0);
    expect(executors.current).toBe("inline");
  });

  it("stays where it is when the new executors cannot be created, and may move later", async () => {
    const { executors, initial, creations, scheduler, logs } = setup();
    feed(executors, 64, 300);
    creations[0].answer.reject(new Error("out of memory"));
    await settle();
    expect(executors.current).toBe("inline");
    expect(executors.active).toEqual([initial]);
    expect(scheduler.used).toHaveLength(0);
    expect(initial.released).toBe(0);
    const warnings = logs.filter((line) => line.level === 40);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({
      msg: "could not move the model; it stays where it is",
      model: "m:1",
      err: { message: "out of memory" },
    });
    // The monitor took the failed move as made (it now watches a "worker" model, waiting 128
    // executions); fast executions are counted again and suggest "inline".
    feed(executors, 128, 10);
    expect(creations.map((c) => c.placement)).toEqual(["worker", "inline"]);
  });

  it("releases executors made for a move that ends after close, or with no scheduler attached", async () => {
    const closed = setup();
    feed(closed.executors, 64, 300);
    await closed.executors.close();
    expect(closed.initial.released).toBe(1);
    const late = new CountedExecutor("late");
    closed.creations[0].answer.resolve([late]);
    await settle();
    expect(late.released).toBe(1);
    expect(closed.scheduler.used).toHaveLength(0);
    expect(closed.executors.current).toBe("inline");
    feed(closed.executors, 256, 300);
    expect(closed.creations).toHaveLength(1);

    const detached = setup({ attach: false });
    feed(detached.executors, 64, 300);
    const orphan = new CountedExecutor("orphan");
    detached.creations[0].answer.resolve([orphan]);
    await settle();
    expect(orphan.released).toBe(1);
    expect(detached.executors.current).toBe("inline");
  });

  it("grows by instances created after load, unless the model moved or closed meanwhile", async () => {
    const { executors, initial, scheduler, logs } = setup();
    const extra = new CountedExecutor("extra");
    await executors.grow("inline", async () => [extra]);
    expect(executors.active).toEqual([initial, extra]);
    expect(scheduler.added).toEqual([[extra]]);

    const elsewhere = new CountedExecutor("elsewhere");
    await executors.grow("worker", async () => [elsewhere]);
    expect(elsewhere.released).toBe(1);
    expect(scheduler.added).toHaveLength(1);

    await executors.grow("inline", async () => {
      throw new Error("no memory left");
    });
    const warnings = logs.filter((line) => line.level === 40);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({
      msg: "could not start further instances; serving with fewer",
      model: "m:1",
      err: { message: "no memory left" },
    });
    expect(executors.active).toEqual([initial, extra]);

    await executors.close();
    expect([initial.released, extra.released]).toEqual([1, 1]);
    const afterClose = new CountedExecutor("after close");
    await executors.grow("inline", async () => [afterClose]);
    expect(afterClose.released).toBe(1);
    expect(scheduler.added).toHaveLength(1);
  });

  it("releases instances grown before a scheduler was attached", async () => {
    const { executors } = setup({ attach: false });
    const extra = new CountedExecutor("extra");
    await executors.grow("inline", async () => [extra]);
    expect(extra.released).toBe(1);
    expect(executors.active).toHaveLength(1);
  });
});
