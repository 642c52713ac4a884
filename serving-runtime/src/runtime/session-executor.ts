import type * as ort from "onnxruntime-node";
import { DATATYPES, datatypeOfOrtType, type TensorData } from "../protocol/datatypes";
import type { DecodedInput } from "../protocol/infer-request";
import type { BatchExecutor } from "../scheduling/scheduler";
import type { OutputData } from "../scheduling/tensor-batch";
import type { PlainTensor, WorkerSession } from "./worker-session";

/** Executes a model on one onnxruntime session (one model instance, in its own thread). */
export class SessionExecutor implements BatchExecutor {
  /** @param session the instance's session */
  constructor(readonly session: WorkerSession) {}

  /** Runs the session in its thread; the event loop only posts inputs and receives outputs. */
  async execute(inputs: DecodedInput[], outputNames: string[]): Promise<Map<string, OutputData>> {
    const feeds: Record<string, PlainTensor> = {};
    for (const input of inputs) {
      feeds[input.name] = {
        type: DATATYPES[input.datatype].ort as ort.Tensor.Type,
        data: input.data as ort.Tensor.DataType,
        dims: input.shape,
      };
    }
    const results = await this.session.run(feeds, outputNames);
    const outputs = new Map<string, OutputData>();
    for (const name of outputNames) {
      const tensor = results[name];
      const datatype = datatypeOfOrtType(tensor.type);
      if (!datatype) throw new Error(`output '${name}' has unsupported type ${tensor.type}`);
      outputs.set(name, { datatype, shape: tensor.dims, data: tensor.data as TensorData });
    }
    return outputs;
  }
}
