import { DATATYPES, type Datatype, elementCount, type TensorData } from "./datatypes";
import { invalidArgument } from "./errors";
import { describeValue as describe, flattenData } from "./flatten-data";
import { fromFloat16Bits, toFloat16Bits } from "./float16";

const INTEGER_TEXT = /^-?\d+$/;

function toBigInt(name: string, datatype: Datatype, index: number, value: unknown): bigint {
  const valid =
    (typeof value === "number" && Number.isInteger(value)) ||
    (typeof value === "string" && INTEGER_TEXT.test(value));
  if (!valid) {
    throw invalidArgument(
      `input '${name}' (${datatype}): element ${index} is ${describe(value)}; expected an integer`,
    );
  }
  const result = BigInt(value as number | string);
  const unsigned = datatype === "UINT64";
  const fits = unsigned
    ? result >= 0n && result < 1n << 64n
    : result >= -(1n << 63n) && result < 1n << 63n;
  if (!fits) {
    throw invalidArgument(
      `input '${name}' (${datatype}): element ${index} (${result}) is out of range for ${datatype}`,
    );
  }
  return result;
}

/**
 * Converts the `data` of a JSON input to tensor elements, checking each element's type and
 * range and that there are exactly `count` elements (the product of the input's shape).
 *
 * @param name input name, for error messages
 * @param datatype the input's declared datatype
 * @param data the request's `data` field, flat or nested
 * @param shape the input's shape as sent (already checked against the model)
 */
export function decodeJsonData(
  name: string,
  datatype: Datatype,
  data: unknown,
  shape: readonly number[],
): TensorData {
  const count = elementCount(shape);
  return decodeJsonElements(name, datatype, flattenData(name, data, shape.length, count), count);
}

/**
 * Converts the flat elements of a JSON input to tensor elements, checking each element's type
 * and range and that there are exactly `count` of them: {@link decodeJsonData} after flattening,
 * or numbers a scanner read straight from the body (`json-numeric-data.ts`).
 *
 * @param name input name, for error messages
 * @param datatype the input's declared datatype
 * @param values the elements, row-major
 * @param count number of elements the input's shape calls for
 */
export function decodeJsonElements(
  name: string,
  datatype: Datatype,
  values: ArrayLike<unknown>,
  count: number,
): TensorData {
  if (values.length !== count) {
    throw invalidArgument(
      `input '${name}': its shape has ${count} elements but 'data' holds ${values.length}; ` +
        "the number of elements must equal the product of the shape",
    );
  }
  const info = DATATYPES[datatype];
  const bad = (index: number, expected: string) =>
    invalidArgument(
      `input '${name}' (${datatype}): element ${index} is ${describe(values[index])}; expected ${expected}`,
    );
  switch (info.json) {
    case "string": {
      const out = new Array<Buffer>(count);
      for (let i = 0; i < count; i++) {
        const value = values[i];
        if (typeof value !== "string") throw bad(i, "a string");
        out[i] = Buffer.from(value, "utf8");
      }
      return out;
    }
    case "boolean": {
      const out = new Uint8Array(count);
      for (let i = 0; i < count; i++) {
        const value = values[i];
        if (typeof value !== "boolean") throw bad(i, "true or false");
        out[i] = value ? 1 : 0;
      }
      return out;
    }
    case "integer": {
      const Array_ = info.array as NonNullable<typeof info.array>;
      const out = new Array_(count) as Exclude<
        TensorData,
        string[] | BigInt64Array | BigUint64Array
      >;
      const [min, max] = info.range as [number, number];
      for (let i = 0; i < count; i++) {
        const value = values[i];
        if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
          throw bad(i, `an integer from ${min} to ${max}`);
        }
        out[i] = value;
      }
      return out;
    }
    case "bigint": {
      const out = datatype === "UINT64" ? new BigUint64Array(count) : new BigInt64Array(count);
      for (let i = 0; i < count; i++) out[i] = toBigInt(name, datatype, i, values[i]);
      return out;
    }
    case "half": {
      const out = new Uint16Array(count);
      for (let i = 0; i < count; i++) {
        const value = values[i];
        if (typeof value !== "number") throw bad(i, "a number");
        out[i] = toFloat16Bits(value);
      }
      return out;
    }
    case "float": {
      const out = datatype === "FP64" ? new Float64Array(count) : new Float32Array(count);
      for (let i = 0; i < count; i++) {
        const value = values[i];
        if (typeof value !== "number") throw bad(i, "a number");
        out[i] = value;
      }
      return out;
    }
  }
}

const NON_FINITE = /-?Infinity|NaN/g;
const HAS_NON_FINITE = /Infinity|NaN/;

/**
 * Writes tensor elements as the text of a flat JSON array: booleans for `BOOL`, exact integers
 * for 64-bit types, numbers for floats (`null` for NaN and infinities, which JSON cannot carry)
 * and strings for `BYTES` (their bytes read as UTF-8: JSON carries text only; an element that is
 * not UTF-8 comes back byte for byte only in the binary tensor extension).
 */
export function encodeJsonData(datatype: Datatype, data: TensorData): string {
  if (Array.isArray(data)) return JSON.stringify(data.map((element) => element.toString("utf8")));
  if (datatype === "BOOL") {
    const parts = new Array<string>(data.length);
    for (let i = 0; i < data.length; i++) parts[i] = data[i] ? "true" : "false";
    return `[${parts.join(",")}]`;
  }
  if (datatype === "FP16") {
    const parts = new Array<number>(data.length);
    for (let i = 0; i < data.length; i++) parts[i] = fromFloat16Bits(data[i] as number);
    return JSON.stringify(parts);
  }
  const text = (data as Float64Array).join(",");
  if (datatype === "FP32" || datatype === "FP64") {
    return `[${HAS_NON_FINITE.test(text) ? text.replace(NON_FINITE, "null") : text}]`;
  }
  return `[${text}]`;
}
