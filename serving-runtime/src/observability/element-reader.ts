import type { Datatype, TensorData } from "../protocol/datatypes";
import { fromFloat16Bits } from "../protocol/float16";

/** Reads element `index` of a tensor's data as a number. */
export type ElementReader = (data: TensorData, index: number) => number;

const plain: ElementReader = (data, index) => data[index] as number;
const wide: ElementReader = (data, index) => Number(data[index] as bigint);
const half: ElementReader = (data, index) => fromFloat16Bits(data[index] as number);

/**
 * How to read a numeric tensor's elements as numbers: typed-array elements as they are, 64-bit
 * integers through `Number` (exact up to 2^53), FP16 bit patterns decoded, BOOL as 0 and 1.
 * `undefined` for BYTES, whose elements are strings.
 *
 * @param datatype the tensor's datatype
 */
export function elementReader(datatype: Datatype): ElementReader | undefined {
  switch (datatype) {
    case "BYTES":
      return undefined;
    case "INT64":
    case "UINT64":
      return wide;
    case "FP16":
      return half;
    default:
      return plain;
  }
}

/**
 * Rows of a tensor as the runtime sees them: for a model that batches, dimension 0 counts the
 * rows and each row holds the product of the other dimensions; otherwise the whole tensor is
 * one row.
 *
 * @param shape the tensor's shape as sent
 * @param batched whether the model batches (its `max_batch_size` is above 0)
 */
export function rowsOf(
  shape: readonly number[],
  batched: boolean,
): { rows: number; rowLength: number } {
  let length = 1;
  for (let i = batched ? 1 : 0; i < shape.length; i++) length *= shape[i];
  return { rows: batched ? shape[0] : 1, rowLength: length };
}

/** Most elements of one row that feed a single value or length distribution. */
export const SAMPLES_PER_ROW = 256;

/**
 * Positions of the elements of a row that feed a single distribution: every element of rows up
 * to {@link SAMPLES_PER_ROW} long, else that many evenly spaced ones, so that a large image
 * costs the same as a small vector.
 *
 * @param rowLength elements in the row
 */
export function samplePositions(rowLength: number): Uint32Array {
  const count = Math.min(rowLength, SAMPLES_PER_ROW);
  const positions = new Uint32Array(count);
  const step = rowLength / count;
  for (let i = 0; i < count; i++) positions[i] = Math.floor(i * step);
  return positions;
}
