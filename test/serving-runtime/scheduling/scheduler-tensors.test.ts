import { ServerMetrics } from "@hybridai/serving-runtime/src/metrics";
import type { Datatype } from "@hybridai/serving-runtime/src/protocol/datatypes";
import type {
  DecodedInput,
  InferRequest,
} from "@hybridai/serving-runtime/src/protocol/infer-request";
import {
  type BatchExecutor,
  type Execution,
  Scheduler,
} from "@hybridai/serving-runtime/src/scheduling/scheduler";
import { describe, expect, it } from "vitest";
import { answered, FakeClock } from "../helpers/fake-clock";

/**
 * A two-input, two-output model computed by hand: sum = a + b, diff = a - b, row by row. It
 * records the inputs of every execution.
 */
class SumDiffExecutor implements BatchExecutor {
  readonly capacity = 1;
  readonly executions: { a: number[]; b: number[]; shape: readonly number[] }[] = [];

  execute(inputs: DecodedInput[], outputNames: string[]): Promise<Execution> {
    const [a, b] = inputs.map((input) => Array.from(input.data as Float32Array));
    this.executions.push({ a, b, shape: inputs[0].shape });
    const all = {
      sum: Float32Array.from(a, (value, i) => value + b[i]),
      diff: Float32Array.from(a, (value, i) => value - b[i]),
    };
    const outputs = new Map(
      outputNames.map((name) => [
        name,
        { datatype: "FP32" as const, shape: inputs[0].shape, data: all[name as keyof typeof all] },
      ]),
    );
    return Promise.resolve({ outputs, inferMicroseconds: 1 });
  }
}

function request(a: number[], b: number[], outputs = ["sum", "diff"]): InferRequest {
  const input = (name: string, values: number[]): DecodedInput => ({
    name,
    datatype: "FP32",
    shape: [values.length, 1],
    data: Float32Array.from(values),
  });
  return {
    inputs: [input("a", a), input("b", b)],
    outputs: outputs.map((name) => ({ name, binary: false })),
    batchSize: a.length,
  };
}

/** A scheduler over one executor: batches of up to 8, no queue delay, room for 10 requests. */
function sumDiffScheduler(executor: BatchExecutor, clock: FakeClock): Scheduler {
  return new Scheduler(
    "model 'sumdiff'",
    [executor],
    {
      maxBatchSize: 8,
      maxQueueDelayMicroseconds: 0,
      preferredBatchSizes: [],
      maxQueueSize: 10,
      defaultTimeoutMicroseconds: 0,
      allowTimeoutOverride: false,
    },
    new ServerMetrics().forModel("sumdiff", "1"),
    { clock },
  );
}

const values = (result: Map<string, { data: unknown }>, name: string) =>
  Array.from(result.get(name)?.data as Float32Array);

describe("Scheduler with several inputs and outputs", () => {
  it("batches each input with its own data and splits each output back per request", async () => {
    const clock = new FakeClock();
    const executor = new SumDiffExecutor();
    const scheduler = sumDiffScheduler(executor, clock);
    const answers = [
      scheduler.submit(request([1], [10])),
      scheduler.submit(request([2, 3], [20, 30])),
      scheduler.submit(request([4], [40], ["diff"])),
    ];
    clock.endTurn();
    expect(executor.executions).toEqual([{ a: [1, 2, 3, 4], b: [10, 20, 30, 40], shape: [4, 1] }]);
    const [first, second, third] = await answered(Promise.all(answers));
    expect(values(first, "sum")).toEqual([11]);
    expect(values(first, "diff")).toEqual([-9]);
    expect(values(second, "sum")).toEqual([22, 33]);
    expect(values(second, "diff")).toEqual([-18, -27]);
    expect(values(third, "diff")).toEqual([-36]);
  });

  it("assembles a batch where its executor says, and a lone request's inputs as they came", async () => {
    const clock = new FakeClock();
    const executor = new SumDiffExecutor();
    const arenas: { datatype: Datatype; length: number; data: Float32Array }[] = [];
    const allocating = Object.assign(executor, {
      allocateInput: (datatype: Datatype, length: number) => {
        const data = new Float32Array(new ArrayBuffer(1024), 0, length);
        arenas.push({ datatype, length, data });
        return data;
      },
    });
    const scheduler = sumDiffScheduler(allocating, clock);
    const pair = [
      scheduler.submit(request([1], [10])),
      scheduler.submit(request([2, 3], [20, 30])),
    ];
    clock.endTurn();
    await answered(Promise.all(pair));
    expect(arenas.map(({ datatype, length }) => ({ datatype, length }))).toEqual([
      { datatype: "FP32", length: 3 },
      { datatype: "FP32", length: 3 },
    ]);
    expect([...arenas[0].data]).toEqual([1, 2, 3]);
    expect([...arenas[1].data]).toEqual([10, 20, 30]);

    const alone = scheduler.submit(request([4], [40]));
    clock.endTurn();
    expect(values(await answered(alone), "sum")).toEqual([44]);
    expect(arenas).toHaveLength(2);
  });
});
