/** A tensor datatype of the Open Inference Protocol, as Triton names them. */
export type Datatype =
  | "BOOL"
  | "UINT8"
  | "UINT16"
  | "UINT32"
  | "UINT64"
  | "INT8"
  | "INT16"
  | "INT32"
  | "INT64"
  | "FP16"
  | "FP32"
  | "FP64"
  | "BYTES";

/** The onnxruntime-node tensor type names. */
export type OrtType =
  | "bool"
  | "uint8"
  | "uint16"
  | "uint32"
  | "uint64"
  | "int8"
  | "int16"
  | "int32"
  | "int64"
  | "float16"
  | "float32"
  | "float64"
  | "string";

/** A typed array holding the elements of a numeric tensor. */
export type NumericArray =
  | Uint8Array
  | Uint16Array
  | Uint32Array
  | BigUint64Array
  | Int8Array
  | Int16Array
  | Int32Array
  | BigInt64Array
  | Float32Array
  | Float64Array;

/**
 * Elements of a tensor: a typed array, or for `BYTES` one Buffer per element holding its bytes
 * exactly as they arrived (no text decoding anywhere between the request and the model).
 */
export type TensorData = NumericArray | Buffer[];

/** A constructor of one of the typed arrays in {@link NumericArray}. */
export type NumericArrayConstructor = {
  new (length: number): NumericArray;
  new (buffer: ArrayBufferLike, byteOffset: number, length: number): NumericArray;
  readonly BYTES_PER_ELEMENT: number;
};

/** How one datatype is represented in memory and in onnxruntime. */
export interface DatatypeInfo {
  /** onnxruntime-node tensor type. */
  ort: OrtType;
  /** Typed array holding the elements; undefined for `BYTES`. */
  array?: NumericArrayConstructor;
  /** Bytes per element in the binary protocol; 0 for `BYTES` (length-prefixed). */
  size: number;
  /** How JSON carries its elements. */
  json: "boolean" | "integer" | "bigint" | "float" | "half" | "string";
  /** Smallest and largest value for integer types carried as JS numbers. */
  range?: [number, number];
}

/** Every supported datatype and its representation. */
export const DATATYPES: Readonly<Record<Datatype, DatatypeInfo>> = {
  BOOL: { ort: "bool", array: Uint8Array, size: 1, json: "boolean" },
  UINT8: { ort: "uint8", array: Uint8Array, size: 1, json: "integer", range: [0, 255] },
  UINT16: { ort: "uint16", array: Uint16Array, size: 2, json: "integer", range: [0, 65535] },
  UINT32: { ort: "uint32", array: Uint32Array, size: 4, json: "integer", range: [0, 4294967295] },
  UINT64: { ort: "uint64", array: BigUint64Array, size: 8, json: "bigint" },
  INT8: { ort: "int8", array: Int8Array, size: 1, json: "integer", range: [-128, 127] },
  INT16: { ort: "int16", array: Int16Array, size: 2, json: "integer", range: [-32768, 32767] },
  INT32: {
    ort: "int32",
    array: Int32Array,
    size: 4,
    json: "integer",
    range: [-2147483648, 2147483647],
  },
  INT64: { ort: "int64", array: BigInt64Array, size: 8, json: "bigint" },
  FP16: { ort: "float16", array: Uint16Array, size: 2, json: "half" },
  FP32: { ort: "float32", array: Float32Array, size: 4, json: "float" },
  FP64: { ort: "float64", array: Float64Array, size: 8, json: "float" },
  BYTES: { ort: "string", size: 0, json: "string" },
};

/** All datatype names, in protocol order. */
export const DATATYPE_NAMES = Object.keys(DATATYPES) as Datatype[];

const BY_ORT_TYPE = new Map<string, Datatype>(
  DATATYPE_NAMES.map((name) => [DATATYPES[name].ort, name]),
);

/** Whether a string is a supported protocol datatype. */
export function isDatatype(value: unknown): value is Datatype {
  return typeof value === "string" && Object.hasOwn(DATATYPES, value);
}

/** The protocol datatype of an onnxruntime tensor type, or undefined if unsupported. */
export function datatypeOfOrtType(ortType: string): Datatype | undefined {
  return BY_ORT_TYPE.get(ortType);
}

/** Number of elements of a shape (1 for a scalar). */
export function elementCount(shape: readonly number[]): number {
  let count = 1;
  for (const dim of shape) count *= dim;
  return count;
}
