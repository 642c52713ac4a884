import * as ort from "onnxruntime-node";
import { DATATYPES } from "../protocol/datatypes";
import type { DecodedInput } from "../protocol/infer-request";
import type { BatchExecutor, ExecuteOptions, Execution } from "../scheduling/scheduler";
import { classifyExecutionError } from "./input-refusal";
import { runOptions } from "./run-options";
import { ortData, outputsOf } from "./worker-executor";
import type { PlainTensor } from "./worker-session";

/**
 * Executions an event-loop session accepts at once. onnxruntime-node defers each run with
 * `setImmediate`, so runs handed over in one turn execute back to back in the next check phase
 * instead of costing an event-loop turn each.
 */
export const INLINE_CAPACITY = 16;

/**
 * Executes a model on an onnxruntime session on the event loop itself. For a model whose
 * execution takes less time than a round trip to a worker thread, this is the fastest place:
 * no thread hop, no copy, and the scheduler groups the requests of one event-loop turn into one
 * run.
 */
export class InlineExecutor implements BatchExecutor {
  readonly capacity = INLINE_CAPACITY;
  readonly placement = "inline";

  /** @param session a session created on the main thread */
  constructor(readonly session: ort.InferenceSession) {}

  async execute(
    inputs: DecodedInput[],
    outputNames: string[],
    options: ExecuteOptions = {},
  ): Promise<Execution> {
    // onnxruntime-node runs the model in a setImmediate callback; one queued just before it
    // marks when the run really starts, so the time spent meanwhile on other I/O is not counted.
    let started = performance.now();
    let results: ort.InferenceSession.OnnxValueMapType;
    try {
      const feeds: Record<string, ort.Tensor> = {};
      for (const input of inputs) {
        feeds[input.name] = new ort.Tensor(
          DATATYPES[input.datatype].ort as ort.Tensor.Type,
          ortData(input),
          input.shape,
        );
      }
      setImmediate(() => {
        started = performance.now();
      });
      results = await this.session.run(feeds, outputNames, runOptions(options));
    } catch (error) {
      throw classifyExecutionError(error);
    }
    const inferMicroseconds = (performance.now() - started) * 1000;
    return {
      outputs: outputsOf(results as unknown as Record<string, PlainTensor>, outputNames),
      inferMicroseconds,
    };
  }

  /** Frees the session. */
  release(): Promise<void> {
    return this.session.release();
  }
}
