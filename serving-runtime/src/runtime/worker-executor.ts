import type * as ort from "onnxruntime-node";
import { fromOrtStrings, toOrtStrings } from "../protocol/bytes-elements";
import {
  DATATYPES,
  type Datatype,
  datatypeOfOrtType,
  type NumericArray,
  type NumericArrayConstructor,
  type TensorData,
} from "../protocol/datatypes";
import type { DecodedInput } from "../protocol/infer-request";
import type { BatchExecutor, ExecuteOptions, Execution } from "../scheduling/scheduler";
import type { OutputData } from "../scheduling/tensor-batch";
import { classifyExecutionError } from "./input-refusal";
import { runOptions } from "./run-options";
import type { PlainTensor, WorkerSession } from "./worker-session";

/** Executions a worker thread holds at once: one running, the next waiting in its thread. */
export const WORKER_CAPACITY = 2;

/** An input's elements as onnxruntime-node takes them: `BYTES` elements as strings. */
export function ortData(input: DecodedInput): ort.Tensor.DataType {
  return input.datatype === "BYTES"
    ? toOrtStrings(input.data as Buffer[])
    : (input.data as ort.Tensor.DataType);
}

/** Converts onnxruntime's outputs to the scheduler's form (string outputs as their UTF-8 bytes). */
export function outputsOf(
  results: Record<string, PlainTensor>,
  outputNames: readonly string[],
): Map<string, OutputData> {
  const outputs = new Map<string, OutputData>();
  for (const name of outputNames) {
    const tensor = results[name];
    const datatype = datatypeOfOrtType(tensor.type);
    if (!datatype) throw new Error(`output '${name}' has unsupported type ${tensor.type}`);
    const data =
      datatype === "BYTES" ? fromOrtStrings(tensor.data as string[]) : (tensor.data as TensorData);
    outputs.set(name, { datatype, shape: tensor.dims, data });
  }
  return outputs;
}

/**
 * Executes a model on one onnxruntime session living in a worker thread (one model instance):
 * batches are assembled in the session's reusable buffers, transferred to the thread (not
 * cloned) and transferred back, and up to {@link WORKER_CAPACITY} executions are in flight so
 * the thread never waits for the event loop between batches.
 */
export class WorkerExecutor implements BatchExecutor {
  readonly capacity = WORKER_CAPACITY;
  readonly placement = "worker";

  /** @param session the instance's session */
  constructor(readonly session: WorkerSession) {}

  /** A batched input's array in a buffer of the session's transfer pool. */
  readonly allocateInput = (datatype: Datatype, length: number): NumericArray =>
    this.session.inputArray(DATATYPES[datatype].array as NumericArrayConstructor, length);

  async execute(
    inputs: DecodedInput[],
    outputNames: string[],
    options: ExecuteOptions = {},
  ): Promise<Execution> {
    const feeds: Record<string, PlainTensor> = {};
    for (const input of inputs) {
      feeds[input.name] = {
        type: DATATYPES[input.datatype].ort as ort.Tensor.Type,
        data: ortData(input),
        dims: input.shape,
      };
    }
    const { outputs, inferMicroseconds } = await this.session
      .run(feeds, outputNames, runOptions(options))
      .catch((error: unknown) => {
        throw classifyExecutionError(error);
      });
    return { outputs: outputsOf(outputs, outputNames), inferMicroseconds };
  }
}
