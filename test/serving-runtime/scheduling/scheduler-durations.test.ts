import { ServerMetrics } from "@hybridai/serving-runtime/src/metrics";
import type { DecodedInput } from "@hybridai/serving-runtime/src/protocol/infer-request";
import { type Execution, Scheduler } from "@hybridai/serving-runtime/src/scheduling/scheduler";
import { describe, expect, it } from "vitest";
import { answered, FakeClock } from "../helpers/fake-clock";
import { POLICY, request, rowsOf } from "../helpers/scheduler-kit";

// The phases of an execution as the statistics extension reports them: compute input (the
// execution's time outside the model), compute infer (the model's own time) and compute output
// (splitting the batch's outputs back per request), all in the scheduler's milliseconds scaled
// to microseconds. Splitting takes no time on a plain hand-driven clock, so here it is made to:
// every per-request view of an output moves the clock on by SPLIT_MS.

const SPLIT_MS = 1.5;

/** A hand-driven clock that can also move on without firing timers or ending the turn. */
class SteppedClock extends FakeClock {
  private passed = 0;

  override now(): number {
    return super.now() + this.passed;
  }

  /** Moves time on by `ms` where the code under test is, as work that takes time would. */
  pass(ms: number): void {
    this.passed += ms;
  }
}

/** Float32 output data whose per-request views cost {@link SPLIT_MS} of clock time each. */
function slowToSplit(clock: SteppedClock, values: Float32Array): Float32Array {
  class SlowToSplit extends Float32Array {
    override subarray(begin?: number, end?: number): Float32Array<ArrayBuffer> {
      clock.pass(SPLIT_MS);
      return super.subarray(begin, end);
    }
  }
  return new SlowToSplit(values);
}

describe("Scheduler execution phases", () => {
  it("counts the time spent splitting a batch's outputs as compute output time, in microseconds", async () => {
    const clock = new SteppedClock();
    const server = new ServerMetrics();
    const metrics = server.forModel("m", "1");
    let finish: () => void = () => undefined;
    const executor = {
      capacity: 1,
      execute(inputs: DecodedInput[]): Promise<Execution> {
        const [x] = inputs;
        const doubled = (x.data as Float32Array).map((v) => 2 * v);
        return new Promise((resolve) => {
          finish = () =>
            resolve({
              outputs: new Map([
                ["y", { datatype: "FP32", shape: x.shape, data: slowToSplit(clock, doubled) }],
              ]),
              inferMicroseconds: 10,
            });
        });
      },
    };
    const scheduler = new Scheduler("model 'm'", [executor], { ...POLICY }, metrics, { clock });
    const answers = [scheduler.submit(request([[1, 1]])), scheduler.submit(request([[2, 2]]))];
    clock.endTurn();
    clock.advance(4);
    finish();
    expect((await answered(Promise.all(answers))).map(rowsOf)).toEqual([
      [2, 2],
      [4, 4],
    ]);

    // One execution of 2 requests: 4 ms around the model (10 µs of it inside), then two views
    // of 1.5 ms each. Each phase is charged to both requests.
    const totals = metrics.totals;
    expect(totals.computeOutput).toEqual({ count: 2, ns: 2 * 3_000_000 });
    expect(totals.computeInput).toEqual({ count: 2, ns: 2 * 3_990_000 });
    expect(totals.computeInfer).toEqual({ count: 2, ns: 2 * 10_000 });
    expect(totals.batches.get(2)).toEqual({
      count: 1,
      inputNs: 3_990_000,
      inferNs: 10_000,
      outputNs: 3_000_000,
    });
  });
});
