import { randomInt } from "node:crypto";
import { DATATYPES, elementCount, type TensorData } from "../protocol/datatypes";
import type { DecodedInput } from "../protocol/infer-request";
import type { ModelSignature } from "../protocol/tensor-spec";
import type { WarmupSample } from "../repository/model-config";
import type { BatchExecutor } from "../scheduling/scheduler";

function sampleData(
  datatype: DecodedInput["datatype"],
  count: number,
  random: boolean,
): TensorData {
  const Array_ = DATATYPES[datatype].array;
  if (!Array_) {
    return Array.from({ length: count }, () => Buffer.from(random ? String(randomInt(1e6)) : ""));
  }
  const data = new Array_(count);
  if (random) {
    const bytes = new Uint8Array(data.buffer);
    for (let i = 0; i < bytes.length; i++) bytes[i] = randomInt(256);
    if (datatype === "BOOL") for (let i = 0; i < count; i++) bytes[i] &= 1;
    if (datatype === "FP16") {
      const halves = data as Uint16Array;
      for (let i = 0; i < count; i++) halves[i] &= 0x3bff;
    }
    if (datatype === "FP32" || datatype === "FP64") {
      const floats = data as Float32Array;
      for (let i = 0; i < count; i++) floats[i] = Math.random();
    }
  }
  return data;
}

/**
 * Builds the inputs of one `model_warmup` sample (Triton's form: per input `data_type`, `dims`
 * without the batch dimension, and `zero_data` or `random_data`). Throws when the sample does
 * not fit the model.
 */
export function warmupInputs(sample: WarmupSample, model: ModelSignature): DecodedInput[] {
  for (const name of Object.keys(sample.inputs)) {
    if (!model.inputs.some((input) => input.name === name)) {
      throw new Error(`warmup '${sample.name}': '${name}' is not an input of the model`);
    }
  }
  return model.inputs.map((spec) => {
    const input = sample.inputs[spec.name];
    if (!input) throw new Error(`warmup '${sample.name}': input '${spec.name}' is missing`);
    if (input.data_type !== spec.datatype) {
      throw new Error(
        `warmup '${sample.name}': input '${spec.name}' data_type ${input.data_type} does not match the model's ${spec.datatype}`,
      );
    }
    const shape = model.maxBatchSize > 0 ? [sample.batch_size, ...input.dims] : input.dims;
    const data = sampleData(spec.datatype, elementCount(shape), input.random_data === true);
    return { name: spec.name, datatype: spec.datatype, shape, data };
  });
}

/**
 * Runs every warmup sample `count` times on every instance, before the model reports ready
 * (fresh inputs for each execution: an execution may transfer its buffers to another thread).
 * onnxruntime logs nothing for these runs; a failure throws with the sample's name and
 * onnxruntime's reason, which the model's state then carries.
 */
export async function runWarmup(
  samples: WarmupSample[],
  model: ModelSignature,
  executors: readonly BatchExecutor[],
): Promise<void> {
  const outputNames = model.outputs.map((output) => output.name);
  for (const sample of samples) {
    warmupInputs(sample, model);
    for (const executor of executors) {
      for (let i = 0; i < Math.max(1, sample.count); i++) {
        try {
          await executor.execute(warmupInputs(sample, model), outputNames, { quiet: true });
        } catch (error) {
          throw new Error(`warmup '${sample.name}' failed: ${(error as Error).message}`);
        }
      }
    }
  }
}
