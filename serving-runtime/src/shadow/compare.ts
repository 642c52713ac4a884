import { DATATYPES, type Datatype, type TensorData } from "../protocol/datatypes";
import { fromFloat16Bits } from "../protocol/float16";
import type { OutputData } from "../scheduling/tensor-batch";

/** How one output of the primary and the shadow compare. */
export interface OutputComparison {
  /** Output name. */
  name: string;
  /** Whether this output disagrees. */
  disagrees: boolean;
  /**
   * Largest absolute difference between corresponding elements (Infinity when one side has a
   * NaN or an infinity the other has not); absent when the outputs cannot be compared element
   * by element (see {@link mismatch}) or are BYTES.
   */
  maxAbsDifference?: number;
  /** For class outputs: the share of rows whose top-1 class is the same on both sides. */
  top1Agreement?: number;
  /** Why the outputs cannot be compared element by element: missing, shape or datatype. */
  mismatch?: string;
}

/** One request's comparison. */
export interface Comparison {
  /** Whether any compared output disagrees: the request counts once as a disagreement. */
  disagrees: boolean;
  /** Each compared output, in the order asked for. */
  outputs: OutputComparison[];
}

/** How outputs are judged. */
export interface ComparisonOptions {
  /** Largest absolute element difference that still agrees. */
  tolerance: number;
  /**
   * Outputs also compared by top-1 class (arg max over the last dimension, row by row).
   * `undefined`: every floating-point output of shape [batch, classes] with classes ≥ 2.
   */
  classOutputs?: readonly string[];
}

const FLOATS: ReadonlySet<Datatype> = new Set(["FP16", "FP32", "FP64"]);

/** The elements of a numeric output as numbers; FP16 bits are decoded. */
function numbersOf(output: OutputData): ArrayLike<number> | undefined {
  const { datatype, data } = output;
  if (!DATATYPES[datatype].array) return undefined;
  if (datatype === "FP16") {
    const bits = data as Uint16Array;
    const values = new Float32Array(bits.length);
    for (let i = 0; i < bits.length; i++) values[i] = fromFloat16Bits(bits[i]);
    return values;
  }
  if (data instanceof BigInt64Array || data instanceof BigUint64Array) {
    return Float64Array.from(data, (value) => Number(value));
  }
  return data as ArrayLike<number>;
}

function elementDifference(a: number, b: number): number {
  if (a === b || (Number.isNaN(a) && Number.isNaN(b))) return 0;
  const difference = Math.abs(a - b);
  return Number.isNaN(difference) ? Number.POSITIVE_INFINITY : difference;
}

function maxDifference(
  primary: TensorData,
  shadow: TensorData,
  a: ArrayLike<number>,
  b: ArrayLike<number>,
): number {
  let max = 0;
  const bigints =
    (primary instanceof BigInt64Array || primary instanceof BigUint64Array) &&
    (shadow instanceof BigInt64Array || shadow instanceof BigUint64Array);
  for (let i = 0; i < a.length; i++) {
    const difference = bigints
      ? Math.abs(Number((primary[i] as bigint) - (shadow[i] as bigint)))
      : elementDifference(a[i], b[i]);
    if (difference > max) max = difference;
  }
  return max;
}

/** Index of the largest element of each row of `width` elements; NaN counts as smallest. */
export function topClasses(values: ArrayLike<number>, width: number): number[] {
  const rows = width > 0 ? Math.floor(values.length / width) : 0;
  const top: number[] = [];
  for (let row = 0; row < rows; row++) {
    let best = 0;
    let bestValue = Number.NEGATIVE_INFINITY;
    for (let column = 0; column < width; column++) {
      const value = values[row * width + column];
      if (value > bestValue) {
        bestValue = value;
        best = column;
      }
    }
    top.push(best);
  }
  return top;
}

/** Whether an output is compared by top-1 class as well as by value. */
export function isClassOutput(
  name: string,
  output: OutputData,
  classOutputs: readonly string[] | undefined,
): boolean {
  if (classOutputs) return classOutputs.includes(name) && output.shape.length >= 1;
  return FLOATS.has(output.datatype) && output.shape.length === 2 && output.shape[1] >= 2;
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((dim, i) => dim === b[i]);
}

function compareOne(
  name: string,
  primary: OutputData,
  shadow: OutputData | undefined,
  options: ComparisonOptions,
): OutputComparison {
  if (!shadow) return { name, disagrees: true, mismatch: "the shadow returned no such output" };
  if (!sameShape(primary.shape, shadow.shape)) {
    return {
      name,
      disagrees: true,
      mismatch: `shape [${primary.shape.join(",")}] against the shadow's [${shadow.shape.join(",")}]`,
    };
  }
  const a = numbersOf(primary);
  const b = numbersOf(shadow);
  if (!a || !b) {
    if (a || b) {
      return {
        name,
        disagrees: true,
        mismatch: `datatype ${primary.datatype} against the shadow's ${shadow.datatype}`,
      };
    }
    const left = primary.data as Buffer[];
    const right = shadow.data as Buffer[];
    return { name, disagrees: left.some((value, i) => !right[i] || !value.equals(right[i])) };
  }
  const maxAbsDifference = maxDifference(primary.data, shadow.data, a, b);
  const comparison: OutputComparison = {
    name,
    disagrees: !(maxAbsDifference <= options.tolerance),
    maxAbsDifference,
  };
  if (isClassOutput(name, primary, options.classOutputs)) {
    const width = primary.shape[primary.shape.length - 1];
    const left = topClasses(a, width);
    const right = topClasses(b, width);
    const same = left.filter((top, i) => top === right[i]).length;
    comparison.top1Agreement = left.length === 0 ? 1 : same / left.length;
    if (same < left.length) comparison.disagrees = true;
  }
  return comparison;
}

/**
 * Compares the primary's outputs with the shadow's, output by output: element values within
 * `tolerance` (max absolute difference), and for class outputs the top-1 class of every row.
 * Outputs of different shapes, numeric against BYTES, or missing from the shadow disagree;
 * numeric datatypes may differ (an FP16 shadow of an FP32 model compares by value).
 *
 * @param primary the primary's outputs
 * @param shadow the shadow's outputs
 * @param names the outputs the client asked for, compared in this order
 * @param options tolerance and class outputs
 */
export function compareOutputs(
  primary: ReadonlyMap<string, OutputData>,
  shadow: ReadonlyMap<string, OutputData>,
  names: readonly string[],
  options: ComparisonOptions,
): Comparison {
  const outputs: OutputComparison[] = [];
  for (const name of names) {
    const mine = primary.get(name);
    if (mine) outputs.push(compareOne(name, mine, shadow.get(name), options));
  }
  return { disagrees: outputs.some((output) => output.disagrees), outputs };
}
