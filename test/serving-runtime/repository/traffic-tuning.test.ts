import type { DecodedInput } from "@hybridai/serving-runtime/src/protocol/infer-request";
import {
  type TrafficDecision,
  TrafficTuner,
  type TrafficTuningLimits,
} from "@hybridai/serving-runtime/src/repository/traffic-tuning";
import { SWEEP_LIMITS } from "@hybridai/serving-runtime/src/runtime/batch-sweep";
import type { Placement } from "@hybridai/serving-runtime/src/runtime/placement";
import type { BackgroundTask, Execution } from "@hybridai/serving-runtime/src/scheduling/scheduler";
import pino from "pino";
import { describe, expect, it } from "vitest";
import { settle } from "../helpers/fake-clock";

// Issue 27: when a model that decides from its traffic re-decides (hysteresis, rate limit, failed
// shapes), with an executor whose execution time is a function of the shape it is given, so the
// decisions show which shape they were measured on. The whole path over HTTP with real models is
// in test/serving-runtime/http/traffic-tuning.test.ts.

const LIMITS: TrafficTuningLimits = {
  windowRequests: 4,
  dominantShare: 0.6,
  changeWindows: 2,
  maxDecisions: 3,
  intervalMs: 60_000,
};

/**
 * Execution time by item width: 300 wide costs 100 µs + 10 µs an item (throughput grows with
 * the batch: knee 64, batch 1 above the 50 µs threshold); 1 wide costs 10 µs an item (flat:
 * knee 1, batch 1 below it); 7 wide cannot run.
 */
function microseconds(width: number, batch: number): number {
  if (width === 300) return 100 + 10 * batch;
  if (width === 1) return 10 * batch;
  throw new Error(`cannot take width ${width}`);
}

function setup() {
  let time = 0;
  const probed: number[][] = [];
  const limits: number[] = [];
  const placed: Placement[] = [];
  const decisions: TrafficDecision[] = [];
  const executor = {
    capacity: 1,
    async execute(inputs: DecodedInput[]): Promise<Execution> {
      probed.push(inputs[0].shape);
      return {
        outputs: new Map(),
        inferMicroseconds: microseconds(inputs[0].shape[1], inputs[0].shape[0]),
      };
    },
  };
  const tuner = new TrafficTuner({
    label: "model 'wide' version 1",
    inputs: [{ name: "x", datatype: "FP32", shape: [-1, -1] }],
    outputNames: ["y"],
    scheduler: {
      runWhenIdle: <T>(task: BackgroundTask<T>) => task(executor),
      setMaxBatchSize: (size) => {
        limits.push(size);
      },
    },
    executors: {
      current: "worker",
      place: async (placement) => {
        placed.push(placement);
      },
    },
    thresholdMicroseconds: 50,
    sweepLimits: SWEEP_LIMITS,
    limits: LIMITS,
    clock: { now: () => time },
    logger: pino({ level: "silent" }),
    apply: (decision) => {
      decisions.push(decision);
    },
  });
  /** Executions of one request each of width `width`, enough to close `windows` windows. */
  const traffic = async (width: number, windows = 1) => {
    const shape = [1, width];
    const inputs = [{ name: "x", datatype: "FP32" as const, shape, data: new Float32Array(0) }];
    for (let i = 0; i < windows * LIMITS.windowRequests; i++) tuner.observe(inputs, 1);
    await settle();
  };
  const advance = (ms: number) => {
    time += ms;
  };
  return { tuner, traffic, advance, probed, limits, placed, decisions };
}

describe("TrafficTuner", () => {
  it("decides on the first dominant shape: placement and sweep timed on it, applied at once", async () => {
    const { traffic, probed, limits, placed, decisions } = setup();
    await traffic(300);
    expect(probed.length).toBeGreaterThan(10);
    expect(new Set(probed.map((shape) => shape[1]))).toEqual(new Set([300]));
    expect(limits).toEqual([64]);
    expect(placed).toEqual(["worker"]);
    expect(decisions).toHaveLength(1);
    expect(decisions[0].maxBatchSize).toBe(64);
    expect(decisions[0].origins.tuning_shapes).toBe("observed: x=300 (after 4 requests)");
    expect(decisions[0].origins.max_batch_size).toMatch(
      /^measured on observed shapes x=300: knee of items\/s by batch size \(1: 9091, 2: 16667, /,
    );
    expect(decisions[0].origins.execution_placement).toBe(
      "measured on observed shapes x=300: batch-1 execution 110 µs > --inline-threshold-microseconds 50",
    );
  });

  it("re-decides only once a new shape dominated changeWindows windows in a row", async () => {
    const { traffic, limits, placed, decisions } = setup();
    await traffic(300);
    await traffic(1);
    await traffic(300);
    await traffic(1);
    expect(decisions).toHaveLength(1);
    await traffic(1);
    expect(decisions).toHaveLength(2);
    expect(limits).toEqual([64, 1]);
    expect(placed).toEqual(["worker", "inline"]);
    expect(decisions[1].origins.tuning_shapes).toBe("observed: x=1 (after 20 requests)");
  });

  it(`takes at most maxDecisions decisions an interval, saying when one waits`, async () => {
    const { traffic, advance, limits, decisions } = setup();
    await traffic(300);
    await traffic(1, 2);
    await traffic(300, 2);
    expect(limits).toEqual([64, 1, 64]);
    advance(59_999);
    await traffic(1, 2);
    expect(limits).toEqual([64, 1, 64]);
    expect(decisions.at(-1)?.origins).toEqual({
      tuning_shapes:
        "observed: x=300 (after 20 requests); x=1 dominates now, re-decided once the limit of 3 decisions per 1 min allows",
    });
    advance(1);
    await traffic(1, 2);
    expect(limits).toEqual([64, 1, 64, 1]);
  });

  it("reports a shape it could not measure, keeps the decision and does not measure it again", async () => {
    const { traffic, probed, limits, decisions } = setup();
    await traffic(300);
    await traffic(7, 2);
    expect(limits).toEqual([64]);
    expect(decisions.at(-1)?.origins).toEqual({
      tuning_shapes:
        "observed: x=300 (after 4 requests); measuring on x=7 (after 12 requests) failed: cannot take width 7",
    });
    const probes = probed.length;
    await traffic(7, 4);
    expect(probed.length).toBe(probes);
  });

  it("applies nothing after stop", async () => {
    const { tuner, traffic, decisions } = setup();
    tuner.stop();
    await traffic(300, 2);
    expect(decisions).toEqual([]);
  });
});
