import * as ort from "onnxruntime-node";
import { DATATYPES, datatypeOfOrtType, type TensorData } from "../protocol/datatypes";
import type { DecodedInput } from "../protocol/infer-request";
import type { BatchExecutor } from "../scheduling/scheduler";
import type { OutputData } from "../scheduling/tensor-batch";

/** Executes a model on one onnxruntime session (one model instance). */
export class SessionExecutor implements BatchExecutor {
  /** @param session the instance's session */
  constructor(readonly session: ort.InferenceSession) {}

  /** Runs the session; `session.run` works on onnxruntime's threads, not the event loop. */
  async execute(inputs: DecodedInput[], outputNames: string[]): Promise<Map<string, OutputData>> {
    const feeds: Record<string, ort.Tensor> = {};
    for (const input of inputs) {
      feeds[input.name] = new ort.Tensor(
        DATATYPES[input.datatype].ort as ort.Tensor.Type,
        input.data as ort.Tensor.DataType,
        input.shape,
      );
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
