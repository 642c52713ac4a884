import type {
  DecodedInput,
  InferRequest,
} from "@hybridai/serving-runtime/src/protocol/infer-request";
import type { QueuePolicy } from "@hybridai/serving-runtime/src/scheduling/queue-policy";
import type { BatchExecutor, Execution } from "@hybridai/serving-runtime/src/scheduling/scheduler";

/** An executor whose executions finish when the test says so; y = 2 × x. */
export class ManualExecutor implements BatchExecutor {
  readonly calls: { rows: number[][]; finish: () => void; fail: (error: Error) => void }[] = [];

  constructor(readonly capacity: number) {}

  execute(inputs: DecodedInput[]): Promise<Execution> {
    const [x] = inputs;
    const data = x.data as Float32Array;
    const width = x.shape[1];
    const rows = Array.from({ length: x.shape[0] }, (_, r) =>
      Array.from(data.subarray(r * width, (r + 1) * width)),
    );
    return new Promise((resolve, reject) => {
      this.calls.push({
        rows,
        finish: () =>
          resolve({
            outputs: new Map([
              ["y", { datatype: "FP32", shape: x.shape, data: data.map((v) => 2 * v) }],
            ]),
            inferMicroseconds: 10,
          }),
        fail: reject,
      });
    });
  }
}

/** A batching policy with no queue delay, no timeouts and room for 100 requests. */
export const POLICY: QueuePolicy = {
  maxBatchSize: 4,
  maxQueueDelayMicroseconds: 0,
  preferredBatchSizes: [],
  maxQueueSize: 100,
  defaultTimeoutMicroseconds: 0,
  allowTimeoutOverride: true,
};

/** A request of FP32 `rows` (input `x`) asking for output `y`, with its own queue timeout. */
export function request(rows: number[][], timeoutMicroseconds?: number): InferRequest {
  return {
    inputs: [
      {
        name: "x",
        datatype: "FP32",
        shape: [rows.length, rows[0].length],
        data: Float32Array.from(rows.flat()),
      },
    ],
    outputs: [{ name: "y", binary: false }],
    batchSize: rows.length,
    timeoutMicroseconds,
  };
}

/** The `y` rows of a scheduler result, flattened. */
export const rowsOf = (result: Map<string, { data: unknown }>) =>
  Array.from(result.get("y")?.data as Float32Array);
