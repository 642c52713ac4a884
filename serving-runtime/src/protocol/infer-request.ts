import { z } from "zod";
import { decodeBinaryTensor, splitBinaryBody } from "./binary-codec";
import { checkBytesElements } from "./bytes-elements";
import { type Datatype, isDatatype, type TensorData } from "./datatypes";
import { InferenceError, invalidArgument } from "./errors";
import { checkJsonSize } from "./json-census";
import { decodeJsonData, decodeJsonElements } from "./json-codec";
import { type ExtractedNumericData, extractNumericData } from "./json-numeric-data";
import { boundedElementCount, checkHeaderBounds } from "./request-bounds";
import { formatShape, type ModelSignature, type TensorSpec } from "./tensor-spec";
import { formatZodIssues } from "./zod-issues";

const parameters = z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]));

const requestSchema = z.object({
  id: z.string().optional(),
  parameters: parameters.optional(),
  inputs: z.array(
    z.object({
      name: z.string().min(1),
      shape: z.array(z.number().int().min(0)),
      datatype: z.string(),
      parameters: parameters.optional(),
      data: z.unknown().optional(),
    }),
  ),
  outputs: z
    .array(z.object({ name: z.string().min(1), parameters: parameters.optional() }))
    .optional(),
});

/**
 * An inference request as far as a transport has parsed it: the JSON header's fields (HTTP), or
 * the protobuf request's (gRPC) in the same shape; input elements come from an
 * {@link InputElements}.
 */
export type InferRequestHeader = z.infer<typeof requestSchema>;

type RequestHeader = InferRequestHeader;

/** One input of an {@link InferRequestHeader}. */
export type HeaderInput = RequestHeader["inputs"][number];

/**
 * Where a transport keeps the elements of each input: JSON `data` or the binary part of an HTTP
 * body, typed `contents` or `raw_input_contents` of a gRPC request.
 */
export interface InputElements {
  /**
   * The elements of one input, converted to its datatype and checked against its element count.
   * Throws an {@link InferenceError} saying what was expected.
   *
   * @param input the input as the header gives it (name, datatype and shape already checked)
   * @param index its position among the request's inputs
   * @param datatype its datatype, equal to the model's
   * @param count the number of elements its shape calls for
   */
  read(input: HeaderInput, index: number, datatype: Datatype, count: number): TensorData;
  /** Throws when data is left over once every input has been read. */
  finish(): void;
}

/** One decoded, validated input tensor. */
export interface DecodedInput {
  /** Input name. */
  name: string;
  /** Datatype, equal to the model's. */
  datatype: Datatype;
  /** Shape as sent. */
  shape: number[];
  /** Elements, row-major. */
  data: TensorData;
}

/** One requested output and how to return it. */
export interface OutputRequest {
  /** Output name. */
  name: string;
  /** Return its elements in the binary part of the response instead of JSON. */
  binary: boolean;
}

/** A decoded inference request, checked against the model's signature. */
export interface InferRequest {
  /** Request id, echoed in the response. */
  id?: string;
  /** Every model input, in the model's order. */
  inputs: DecodedInput[];
  /** Outputs to return, in the requested order (all outputs when the request names none). */
  outputs: OutputRequest[];
  /** Batch size (dimension 0) for a batching model; 1 otherwise. */
  batchSize: number;
  /** Per-request queue timeout in microseconds (`parameters.timeout`), if given. */
  timeoutMicroseconds?: number;
  /**
   * Whether another runtime forwarded the request (`hybridai-forwarded`): an ensemble does not
   * send it on to its remote steps.
   */
  forwarded?: boolean;
}

function parseHeader(
  json: Buffer,
  model: ModelSignature,
  extracted?: ExtractedNumericData,
): RequestHeader {
  checkJsonSize(json, model);
  let value: unknown;
  try {
    try {
      value = JSON.parse(extracted ? extracted.text : json.toString("utf8"));
    } catch (error) {
      // A body the scanner took apart fails with the error of the body as it was sent.
      if (!extracted) throw error;
      value = JSON.parse(json.toString("utf8"));
    }
  } catch (error) {
    throw invalidArgument(
      `malformed JSON in request body: ${(error as Error).message}; send an inference request ` +
        'object like {"inputs":[{"name":…,"shape":[…],"datatype":…,"data":[…]}]}',
    );
  }
  return checkRequestHeader(value, model);
}

/**
 * Checks the shape of an inference request header (names, shapes of non-negative integers,
 * parameter values) and returns it typed; throws 400 naming every problem. Its sizes are
 * checked against the model first ({@link checkHeaderBounds}), so the schema check walks only
 * as many inputs, outputs, dimensions and parameters as a valid request can have.
 *
 * @param value a parsed JSON header, or a transport's request in the same shape
 * @param model the model version the request targets
 */
export function checkRequestHeader(value: unknown, model: ModelSignature): InferRequestHeader {
  checkHeaderBounds(value, model);
  const parsed = requestSchema.safeParse(value);
  if (!parsed.success) {
    throw invalidArgument(`invalid inference request: ${formatZodIssues(parsed.error)}`);
  }
  return parsed.data;
}

function checkShape(
  input: RequestHeader["inputs"][number],
  spec: TensorSpec,
  model: ModelSignature,
) {
  const sent = input.shape;
  const expected = spec.shape;
  const mismatch = () =>
    invalidArgument(
      `input '${spec.name}': shape ${formatShape(sent)} does not match the model's ` +
        `${formatShape(expected)} (-1 = any size)`,
    );
  if (sent.length !== expected.length) throw mismatch();
  for (let i = 0; i < sent.length; i++) {
    if (expected[i] >= 0 && sent[i] !== expected[i]) throw mismatch();
  }
  if (model.maxBatchSize > 0 && (sent[0] < 1 || sent[0] > model.maxBatchSize)) {
    throw invalidArgument(
      `input '${spec.name}': batch size ${sent[0]} (dimension 0) must be from 1 to the ` +
        `model's max_batch_size ${model.maxBatchSize}`,
    );
  }
}

function binarySize(input: RequestHeader["inputs"][number]): number | undefined {
  const size = input.parameters?.binary_data_size;
  if (size === undefined) return undefined;
  if (typeof size !== "number" || !Number.isInteger(size) || size < 0) {
    throw invalidArgument(
      `input '${input.name}': parameters.binary_data_size must be a non-negative integer`,
    );
  }
  if (input.data !== undefined) {
    throw invalidArgument(
      `input '${input.name}': give either 'data' or parameters.binary_data_size, not both`,
    );
  }
  return size;
}

/** The elements of an HTTP request's inputs: JSON `data`, or the body's binary part in order. */
class BodyElements implements InputElements {
  private offset = 0;

  /**
   * @param binary the bytes after the JSON header of a binary-extension body
   * @param numbers `inputs[i].data` read straight from a JSON body, by input index
   */
  constructor(
    private readonly binary: Buffer | undefined,
    private readonly numbers?: ReadonlyMap<number, Float64Array>,
  ) {}

  read(input: HeaderInput, index: number, datatype: Datatype, count: number): TensorData {
    const size = binarySize(input);
    if (size !== undefined) {
      const { binary, offset } = this;
      const available = binary ? binary.length - offset : 0;
      if (size > available) {
        throw invalidArgument(
          `input '${input.name}': binary_data_size is ${size} but only ${available} bytes of ` +
            "binary data remain after the JSON header (is Inference-Header-Content-Length set?)",
        );
      }
      this.offset += size;
      return decodeBinaryTensor(
        input.name,
        datatype,
        (binary as Buffer).subarray(offset, offset + size),
        count,
      );
    }
    if (input.data === undefined) {
      throw invalidArgument(
        `input '${input.name}': missing 'data' (or parameters.binary_data_size for binary data)`,
      );
    }
    const numbers = this.numbers?.get(index);
    if (numbers) return decodeJsonElements(input.name, datatype, numbers, count);
    return decodeJsonData(input.name, datatype, input.data, input.shape);
  }

  finish(): void {
    const { binary, offset } = this;
    if (binary && offset !== binary.length) {
      throw invalidArgument(
        `the body has ${binary.length - offset} bytes of binary data beyond the inputs' ` +
          "binary_data_size; check Inference-Header-Content-Length and binary_data_size",
      );
    }
  }
}

function decodeInputs(
  header: RequestHeader,
  elements: InputElements,
  model: ModelSignature,
  carriedBytes: number,
): DecodedInput[] {
  const byName = new Map<string, DecodedInput>();
  for (const [index, input] of header.inputs.entries()) {
    const spec = model.inputs.find((candidate) => candidate.name === input.name);
    if (!spec) {
      throw invalidArgument(
        `unexpected input '${input.name}' for model '${model.name}'; its inputs are ` +
          model.inputs.map((i) => `'${i.name}'`).join(", "),
      );
    }
    if (byName.has(input.name)) throw invalidArgument(`input '${input.name}' is given twice`);
    if (!isDatatype(input.datatype) || input.datatype !== spec.datatype) {
      throw invalidArgument(
        `input '${input.name}': datatype '${input.datatype}' does not match the model's ${spec.datatype}`,
      );
    }
    checkShape(input, spec, model);
    const count = boundedElementCount(input.name, input.shape, spec.datatype, carriedBytes);
    const data = elements.read(input, index, spec.datatype, count);
    if (spec.datatype === "BYTES") checkBytesElements(input.name, data as Buffer[]);
    byName.set(input.name, { name: input.name, datatype: spec.datatype, shape: input.shape, data });
  }
  elements.finish();
  const missing = model.inputs.filter((spec) => !byName.has(spec.name));
  if (missing.length > 0) {
    throw invalidArgument(
      `model '${model.name}' requires input(s) ${missing.map((s) => `'${s.name}'`).join(", ")}, ` +
        "which the request does not give",
    );
  }
  return model.inputs.map((spec) => byName.get(spec.name) as DecodedInput);
}

function selectOutputs(header: RequestHeader, model: ModelSignature): OutputRequest[] {
  const binaryDefault = header.parameters?.binary_data_output === true;
  if (!header.outputs || header.outputs.length === 0) {
    return model.outputs.map((spec) => ({ name: spec.name, binary: binaryDefault }));
  }
  const seen = new Set<string>();
  return header.outputs.map((output) => {
    if (!model.outputs.some((spec) => spec.name === output.name)) {
      throw invalidArgument(
        `unknown output '${output.name}' for model '${model.name}'; its outputs are ` +
          model.outputs.map((o) => `'${o.name}'`).join(", "),
      );
    }
    if (seen.has(output.name)) throw invalidArgument(`output '${output.name}' is requested twice`);
    seen.add(output.name);
    if (output.parameters?.classification !== undefined) {
      throw new InferenceError("UNSUPPORTED", "the classification extension is not supported");
    }
    const binary = output.parameters?.binary_data;
    return { name: output.name, binary: binary === undefined ? binaryDefault : binary === true };
  });
}

/**
 * The longest queue timeout a request may ask for, in microseconds: 2^31-1 ms (about 24.8
 * days), the most a Node timer holds. A longer timeout waits this long (a timer given more fires
 * after 1 ms).
 */
export const MAX_TIMEOUT_MICROSECONDS = (2 ** 31 - 1) * 1000;

/**
 * A request's `parameters.timeout`, the same for every transport: a non-negative integer of
 * microseconds (gRPC's 64-bit integer parameters arrive as numbers too), clamped to
 * {@link MAX_TIMEOUT_MICROSECONDS}. Throws 400 otherwise.
 */
function timeoutOf(header: RequestHeader): number | undefined {
  const timeout = header.parameters?.timeout;
  if (timeout === undefined) return undefined;
  if (typeof timeout !== "number" || !Number.isInteger(timeout) || timeout < 0) {
    throw invalidArgument("parameters.timeout must be a non-negative integer (microseconds)");
  }
  return Math.min(timeout, MAX_TIMEOUT_MICROSECONDS);
}

function checkUnsupported(header: RequestHeader): void {
  const names = [...header.inputs, ...(header.outputs ?? [])];
  for (const tensor of names) {
    if (tensor.parameters?.shared_memory_region !== undefined) {
      throw new InferenceError(
        "UNSUPPORTED",
        `tensor '${tensor.name}': the shared-memory extension is not supported; send data in ` +
          "JSON or with the binary tensor data extension",
      );
    }
  }
}

/**
 * Decodes an inference request body (JSON, or JSON header plus binary tensors) and checks it
 * against the model: every input present once, datatypes, shapes and element counts, batch
 * size, output names. Throws an {@link InferenceError} naming what was expected.
 *
 * @param body the request body
 * @param headerLength the `Inference-Header-Content-Length` header value, for binary bodies
 * @param model the model version the request targets
 */
export function decodeInferRequest(
  body: Buffer,
  headerLength: string | undefined,
  model: ModelSignature,
): InferRequest {
  const parts = headerLength === undefined ? undefined : splitBinaryBody(body, headerLength);
  const extracted = parts ? undefined : extractNumericData(body);
  return buildInferRequest(
    parseHeader(parts ? parts.json : body, model, extracted),
    new BodyElements(parts?.binary, extracted?.data),
    model,
    body.length,
  );
}

/**
 * Checks a parsed inference request against the model, whatever transport carried it: every
 * input present once, datatypes, shapes and element counts, batch size, output names, timeout.
 * Throws an {@link InferenceError} naming what was expected.
 *
 * @param header the request's header, checked by {@link checkRequestHeader}
 * @param elements where the inputs' elements are
 * @param model the model version the request targets
 * @param carriedBytes the size of the request (body or message) carrying the elements: no
 *   input's shape may call for more elements than that many bytes can hold
 */
export function buildInferRequest(
  header: InferRequestHeader,
  elements: InputElements,
  model: ModelSignature,
  carriedBytes: number,
): InferRequest {
  checkUnsupported(header);
  const inputs = decodeInputs(header, elements, model, carriedBytes);
  if (model.maxBatchSize > 0 && inputs.length > 0) {
    const batch = inputs[0].shape[0];
    const other = inputs.find((input) => input.shape[0] !== batch);
    if (other) {
      throw invalidArgument(
        `all inputs must have the same batch size (dimension 0): '${inputs[0].name}' has ` +
          `${batch}, '${other.name}' has ${other.shape[0]}`,
      );
    }
  }
  return {
    id: header.id,
    inputs,
    outputs: selectOutputs(header, model),
    batchSize: model.maxBatchSize > 0 && inputs.length > 0 ? inputs[0].shape[0] : 1,
    timeoutMicroseconds: timeoutOf(header),
  };
}
