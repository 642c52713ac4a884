import { fromFloat16Bits } from "../protocol/float16";
import type { OutputData } from "../scheduling/tensor-batch";
import { topClasses } from "./compare";

/** Elements and rows a summary shows. */
const SHOWN = 8;
/** Characters of a BYTES element a summary shows. */
const TEXT_SHOWN = 64;

/** A short description of one output tensor, for the disagreement log. */
export interface OutputSummary {
  /** Datatype. */
  datatype: string;
  /** Shape. */
  shape: readonly number[];
  /** The first elements (64-bit integers as strings, NaN and infinities as strings). */
  head: (number | string | boolean)[];
  /** Smallest and largest numeric element, NaN ignored. */
  range?: [number, number];
  /** For class outputs: the top-1 class of the first rows. */
  top1?: number[];
}

function shown(value: unknown): number | string | boolean {
  if (typeof value === "bigint") return value.toString();
  if (typeof value === "number") return Number.isFinite(value) ? value : String(value);
  if (typeof value === "string")
    return value.length > TEXT_SHOWN ? `${value.slice(0, TEXT_SHOWN)}…` : value;
  return Boolean(value);
}

/**
 * Summarizes an output for a log line: datatype, shape, the first elements, the value range and,
 * for a class output, the top-1 class of the first rows.
 *
 * @param output the output
 * @param classOutput whether to show top-1 classes
 */
export function summarize(output: OutputData, classOutput: boolean): OutputSummary {
  const { datatype, shape, data } = output;
  const summary: OutputSummary = { datatype, shape, head: [] };
  if (Array.isArray(data)) {
    summary.head = data.slice(0, SHOWN).map(shown);
    return summary;
  }
  const values: ArrayLike<number> =
    datatype === "FP16"
      ? Float32Array.from(data as Uint16Array, (bits) => fromFloat16Bits(bits))
      : data instanceof BigInt64Array || data instanceof BigUint64Array
        ? Float64Array.from(data, (value) => Number(value))
        : (data as ArrayLike<number>);
  const head = datatype === "FP16" ? values : data;
  for (let i = 0; i < Math.min(SHOWN, head.length); i++) {
    summary.head.push(shown(datatype === "BOOL" ? head[i] === 1 : head[i]));
  }
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    if (value < min) min = value;
    if (value > max) max = value;
  }
  if (min <= max) summary.range = [min, max];
  if (classOutput && shape.length >= 1) {
    const width = shape[shape.length - 1];
    summary.top1 = topClasses(values, width).slice(0, SHOWN);
  }
  return summary;
}
