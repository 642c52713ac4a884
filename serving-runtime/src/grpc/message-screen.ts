import { invalidArgument } from "../protocol/errors";
import { MAX_PARAMETERS } from "../protocol/request-bounds";

/**
 * Inputs, outputs or raw input buffers a `ModelInferRequest` may carry before it is decoded:
 * far above any model's (the model's own counts are checked once the model is known), far below
 * what makes decoding expensive (200,000 inputs took seconds to decode).
 */
export const MAX_MESSAGE_TENSORS = 4096;

/** Dimensions one input's shape may have before the message is decoded. */
export const MAX_MESSAGE_RANK = 256;

/** Protobuf field numbers of `inference.ModelInferRequest` (grpc_service.proto). */
const REQUEST = {
  modelName: 1,
  modelVersion: 2,
  id: 3,
  parameters: 4,
  inputs: 5,
  outputs: 6,
  raw: 7,
};
/** Field numbers of `ModelInferRequest.InferInputTensor`. */
const INPUT = { shape: 3, parameters: 4 };
/** Field numbers of `ModelInferRequest.InferRequestedOutputTensor`. */
const OUTPUT = { parameters: 2 };

const VARINT = 0;
const FIXED64 = 1;
const LENGTH_DELIMITED = 2;
const FIXED32 = 5;

/** One field of a protobuf message: its number, wire type, where it begins and where its value lies. */
interface Field {
  number: number;
  wireType: number;
  tagStart: number;
  start: number;
  end: number;
}

/** Reads a varint at `at`; returns its value and the offset after it, or undefined when malformed. */
function readVarint(bytes: Buffer, at: number): [number, number] | undefined {
  let value = 0;
  let scale = 1;
  for (let i = at; i < bytes.length && i < at + 10; i++) {
    const byte = bytes[i];
    value += (byte & 0x7f) * scale;
    if (byte < 0x80) return [value, i + 1];
    scale *= 128;
  }
  return undefined;
}

/**
 * The fields of the message in `bytes[start, end)`, without decoding their values; undefined
 * when the wire format is malformed (the real decoder then reports it).
 */
function fieldsOf(bytes: Buffer, start: number, end: number): Field[] | undefined {
  const fields: Field[] = [];
  let at = start;
  while (at < end) {
    const tag = readVarint(bytes, at);
    if (!tag) return undefined;
    const [key, valueStart] = tag;
    const tagStart = at;
    const wireType = key % 8;
    let valueEnd: number;
    if (wireType === VARINT) {
      const value = readVarint(bytes, valueStart);
      if (!value) return undefined;
      valueEnd = value[1];
    } else if (wireType === FIXED64) {
      valueEnd = valueStart + 8;
    } else if (wireType === FIXED32) {
      valueEnd = valueStart + 4;
    } else if (wireType === LENGTH_DELIMITED) {
      const length = readVarint(bytes, valueStart);
      if (!length) return undefined;
      fields.push({
        number: Math.floor(key / 8),
        wireType,
        tagStart,
        start: length[1],
        end: length[1] + length[0],
      });
      at = length[1] + length[0];
      if (at > end) return undefined;
      continue;
    } else {
      return undefined;
    }
    if (valueEnd > end) return undefined;
    fields.push({
      number: Math.floor(key / 8),
      wireType,
      tagStart,
      start: valueStart,
      end: valueEnd,
    });
    at = valueEnd;
  }
  return fields;
}

/** How many values a repeated integer field holds (packed: one varint per byte below 0x80). */
function repeatedCount(bytes: Buffer, field: Field): number {
  if (field.wireType !== LENGTH_DELIMITED) return 1;
  let count = 0;
  for (let i = field.start; i < field.end; i++) if (bytes[i] < 0x80) count++;
  return count;
}

function countOf(fields: readonly Field[], number: number): number {
  let count = 0;
  for (const field of fields) if (field.number === number) count++;
  return count;
}

function checkCount(count: number, limit: number, what: string): void {
  if (count > limit)
    throw invalidArgument(`the request has ${count} ${what}; at most ${limit} are accepted`);
}

/**
 * Screens the bytes of a `ModelInferRequest` before protobuf decodes them: counts its inputs,
 * outputs, raw input buffers and parameters, and each input's dimensions and parameters, by
 * walking the wire format (no values are decoded), and throws a 400 error when any count is over
 * what a request can need ({@link MAX_MESSAGE_TENSORS}, {@link MAX_MESSAGE_RANK},
 * `MAX_PARAMETERS`). Decoding 200,000 inputs takes seconds; walking them, milliseconds.
 * Malformed bytes pass: the decoder reports them.
 *
 * @param bytes the message as received
 */
export function screenInferRequest(bytes: Buffer): void {
  const fields = fieldsOf(bytes, 0, bytes.length);
  if (!fields) return;
  checkCount(countOf(fields, REQUEST.inputs), MAX_MESSAGE_TENSORS, "inputs");
  checkCount(countOf(fields, REQUEST.outputs), MAX_MESSAGE_TENSORS, "outputs");
  checkCount(countOf(fields, REQUEST.raw), MAX_MESSAGE_TENSORS, "raw_input_contents");
  checkCount(countOf(fields, REQUEST.parameters), MAX_PARAMETERS, "request parameters");
  for (const field of fields) {
    if (field.wireType !== LENGTH_DELIMITED) continue;
    if (field.number === REQUEST.inputs) {
      const inner = fieldsOf(bytes, field.start, field.end) ?? [];
      let rank = 0;
      for (const part of inner) if (part.number === INPUT.shape) rank += repeatedCount(bytes, part);
      checkCount(rank, MAX_MESSAGE_RANK, "dimensions in an input's shape");
      checkCount(countOf(inner, INPUT.parameters), MAX_PARAMETERS, "parameters on an input");
    } else if (field.number === REQUEST.outputs) {
      const inner = fieldsOf(bytes, field.start, field.end) ?? [];
      checkCount(countOf(inner, OUTPUT.parameters), MAX_PARAMETERS, "parameters on an output");
    }
  }
}

/**
 * The bytes of a `ModelInferRequest`'s model name, version and id fields alone: a refused
 * request is decoded from these, so that it can still be authorized and audited by model.
 *
 * @param bytes the message as received
 */
export function headerFieldBytes(bytes: Buffer): Buffer {
  const fields = fieldsOf(bytes, 0, bytes.length) ?? [];
  const kept = [REQUEST.modelName, REQUEST.modelVersion, REQUEST.id];
  const parts = fields
    .filter((field) => kept.includes(field.number))
    .map((field) => bytes.subarray(field.tagStart, field.end));
  return Buffer.concat(parts);
}
