import {
  DATATYPES,
  type Datatype,
  type NumericArray,
  type NumericArrayConstructor,
  type TensorData,
} from "../protocol/datatypes";
import type { DecodedInput } from "../protocol/infer-request";

/** An output tensor as produced by a model execution. */
export interface OutputData {
  /** Datatype. */
  datatype: Datatype;
  /** Shape. */
  shape: readonly number[];
  /** Elements, row-major. */
  data: TensorData;
}

/**
 * A key that is equal for two requests exactly when they may share a batch: same datatypes
 * and same dimensions after the batch dimension, input by input.
 */
export function batchKey(inputs: readonly DecodedInput[]): string {
  let key = "";
  for (const input of inputs) key += `${input.datatype}${input.shape.slice(1).join("x")}|`;
  return key;
}

/** Where a batched numeric input of `length` elements is assembled. */
export type InputAllocator = (datatype: Datatype, length: number) => NumericArray;

/** A new typed array of the datatype's kind: the default {@link InputAllocator}. */
export function newInputArray(datatype: Datatype, length: number): NumericArray {
  const Array_ = DATATYPES[datatype].array as NumericArrayConstructor;
  return new Array_(length);
}

/**
 * Concatenates the inputs of several requests along dimension 0. All requests must have the
 * same {@link batchKey}.
 *
 * @param requests each request's inputs, in the model's input order
 * @param allocate where each batched numeric input is written (default: a new typed array)
 */
export function concatInputs(
  requests: readonly (readonly DecodedInput[])[],
  allocate: InputAllocator = newInputArray,
): DecodedInput[] {
  return requests[0].map((first, index) => {
    let batch = 0;
    let length = 0;
    for (const inputs of requests) {
      batch += inputs[index].shape[0];
      length += inputs[index].data.length;
    }
    const shape = [batch, ...first.shape.slice(1)];
    if (!DATATYPES[first.datatype].array) {
      return {
        ...first,
        shape,
        data: requests.flatMap((inputs) => inputs[index].data as Buffer[]),
      };
    }
    const data = allocate(first.datatype, length);
    let offset = 0;
    for (const inputs of requests) {
      const part = inputs[index].data as NumericArray;
      (data as Uint8Array).set(part as Uint8Array, offset);
      offset += part.length;
    }
    return { ...first, shape, data };
  });
}

/**
 * Splits an output of a batched execution back into one output per request along
 * dimension 0, as views where possible.
 *
 * @param output the batched output
 * @param batchSizes each request's batch size, in batch order
 */
export function splitOutput(output: OutputData, batchSizes: readonly number[]): OutputData[] {
  const total = output.shape[0];
  const rowLength = total === 0 ? 0 : output.data.length / total;
  let row = 0;
  return batchSizes.map((size) => {
    const start = row * rowLength;
    const end = (row + size) * rowLength;
    row += size;
    const data = Array.isArray(output.data)
      ? output.data.slice(start, end)
      : (output.data as Uint8Array).subarray(start, end);
    return { datatype: output.datatype, shape: [size, ...output.shape.slice(1)], data };
  });
}
