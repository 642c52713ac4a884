import { DATATYPES, elementCount, type TensorData } from "../protocol/datatypes";
import type { DecodedInput } from "../protocol/infer-request";
import type { TensorSpec } from "../protocol/tensor-spec";

/** Deterministic values in [0, 1) (a linear congruential generator), cheap enough for probes. */
function fill(data: TensorData, datatype: DecodedInput["datatype"]): void {
  if (Array.isArray(data)) return;
  let state = 12345;
  const next = () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
  if (datatype === "FP32" || datatype === "FP64") {
    const floats = data as Float32Array;
    for (let i = 0; i < floats.length; i++) floats[i] = next();
  }
}

/**
 * Inputs to time a model with at load: every input at the given batch size, dynamic dimensions
 * other than the batch taken as 1, floats filled with pseudo-random values and everything else
 * with zeros (or empty strings). Each call builds new buffers, since an execution may transfer
 * them to another thread.
 *
 * @param inputs the model's inputs (shape with the batch dimension when `batched`)
 * @param batch batch size
 * @param batched whether dimension 0 is the batch dimension
 */
export function probeInputs(
  inputs: readonly TensorSpec[],
  batch: number,
  batched: boolean,
): DecodedInput[] {
  return inputs.map((spec) => {
    const shape = spec.shape.map((dim, i) => (batched && i === 0 ? batch : dim < 0 ? 1 : dim));
    const count = elementCount(shape);
    const Array_ = DATATYPES[spec.datatype].array;
    const data: TensorData = Array_
      ? new Array_(count)
      : Array.from({ length: count }, () => Buffer.alloc(0));
    fill(data, spec.datatype);
    return { name: spec.name, datatype: spec.datatype, shape, data };
  });
}
