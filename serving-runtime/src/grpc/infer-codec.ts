import type { InferenceCodec, TracedRequestBody } from "../inference";
import { decodeBinaryTensor, encodeBinaryTensor } from "../protocol/binary-codec";
import { DATATYPES, type Datatype, type TensorData } from "../protocol/datatypes";
import { invalidArgument } from "../protocol/errors";
import { httpBodyOf } from "../protocol/http-body";
import {
  buildInferRequest,
  checkRequestHeader,
  type HeaderInput,
  type InferRequest,
  type InputElements,
} from "../protocol/infer-request";
import type { OutputTensor, ResponseHeader } from "../protocol/infer-response";
import { decodeJsonData } from "../protocol/json-codec";
import { checkHeaderBounds } from "../protocol/request-bounds";
import { formatShape, type ModelSignature } from "../protocol/tensor-spec";
import type { RequestTrace } from "../tracing/request-trace";
import { fromHttpAnswer } from "./http-forward";
import type {
  InferParameter,
  InferParameterOut,
  InferTensorContents,
  ModelInferRequest,
  ModelInferResponse,
} from "./messages";

type ContentsField = keyof InferTensorContents;

/** The `InferTensorContents` field each datatype's elements travel in; FP16 has none. */
export const CONTENTS_FIELD: Readonly<Record<Datatype, ContentsField | undefined>> = {
  BOOL: "bool_contents",
  UINT8: "uint_contents",
  UINT16: "uint_contents",
  UINT32: "uint_contents",
  UINT64: "uint64_contents",
  INT8: "int_contents",
  INT16: "int_contents",
  INT32: "int_contents",
  INT64: "int64_contents",
  FP16: undefined,
  FP32: "fp32_contents",
  FP64: "fp64_contents",
  BYTES: "bytes_contents",
};

const FIELDS = Object.keys({
  bool_contents: 0,
  int_contents: 0,
  int64_contents: 0,
  uint_contents: 0,
  uint64_contents: 0,
  fp32_contents: 0,
  fp64_contents: 0,
  bytes_contents: 0,
} satisfies Record<ContentsField, 0>) as ContentsField[];

type ParameterValue = string | number | boolean;

/**
 * A protobuf 64-bit integer (a decimal string) as a number, as JSON carries it: exact up to
 * 2^53, rounded above (the only numeric request parameter, `timeout`, is clamped far below).
 */
function integer(text: string): number {
  return Number(text);
}

/** Protocol parameters as the JSON form carries them: booleans, numbers and strings. */
function parametersOf(
  parameters: Record<string, InferParameter>,
): Record<string, ParameterValue> | undefined {
  let out: Record<string, ParameterValue> | undefined;
  for (const [key, parameter] of Object.entries(parameters)) {
    let value: ParameterValue | undefined;
    switch (parameter.parameter_choice) {
      case "bool_param":
        value = parameter.bool_param;
        break;
      case "int64_param":
        value = integer(parameter.int64_param ?? "0");
        break;
      case "uint64_param":
        value = integer(parameter.uint64_param ?? "0");
        break;
      case "double_param":
        value = parameter.double_param;
        break;
      case "string_param":
        value = parameter.string_param;
        break;
    }
    if (value === undefined) continue;
    out ??= {};
    out[key] = value;
  }
  return out;
}

/** Response parameters as `InferParameter`s. */
function parametersOut(
  parameters: ResponseHeader["parameters"],
): Record<string, InferParameterOut> {
  const out: Record<string, InferParameterOut> = {};
  for (const [key, value] of Object.entries(parameters ?? {})) {
    if (typeof value === "boolean") out[key] = { bool_param: value };
    else if (typeof value === "string") out[key] = { string_param: value };
    else if (Number.isInteger(value)) out[key] = { int64_param: value };
    else out[key] = { double_param: value };
  }
  return out;
}

function hasElements(contents: InferTensorContents | undefined): boolean {
  return contents !== undefined && FIELDS.some((field) => contents[field].length > 0);
}

function rawElements(
  input: HeaderInput,
  index: number,
  datatype: Datatype,
  bytes: Buffer,
  count: number,
): TensorData {
  const size = DATATYPES[datatype].size;
  if (size > 0 && bytes.length !== count * size) {
    throw invalidArgument(
      `input '${input.name}': raw_input_contents[${index}] holds ${bytes.length} bytes but its ` +
        `shape ${formatShape(input.shape)} of ${datatype} needs ${count * size}`,
    );
  }
  return decodeBinaryTensor(input.name, datatype, bytes, count);
}

function typedElements(
  input: HeaderInput,
  datatype: Datatype,
  contents: InferTensorContents | undefined,
  count: number,
): TensorData {
  const field = CONTENTS_FIELD[datatype];
  if (!field) {
    throw invalidArgument(
      `input '${input.name}' (${datatype}): ${datatype} has no typed contents field; send its ` +
        "elements in raw_input_contents",
    );
  }
  const misplaced = FIELDS.find((other) => other !== field && (contents?.[other].length ?? 0) > 0);
  if (misplaced) {
    throw invalidArgument(
      `input '${input.name}' (${datatype}): its elements belong in contents.${field}, not ` +
        `contents.${misplaced}`,
    );
  }
  const values: unknown[] = contents?.[field] ?? [];
  if (values.length !== count) {
    throw invalidArgument(
      values.length === 0 && count > 0
        ? `input '${input.name}': no elements; give them in contents.${field} or in raw_input_contents`
        : `input '${input.name}': its shape ${formatShape(input.shape)} has ${count} elements but ` +
            `contents.${field} holds ${values.length}`,
    );
  }
  // BYTES elements stay the Buffers they arrived as, byte for byte.
  if (datatype === "BYTES") return values as Buffer[];
  return decodeJsonData(input.name, datatype, values, input.shape);
}

/** The elements of a gRPC request's inputs: `raw_input_contents`, or each input's `contents`. */
class MessageElements implements InputElements {
  /** @param request the decoded request */
  constructor(private readonly request: ModelInferRequest) {
    const raw = request.raw_input_contents.length;
    if (raw > 0 && raw !== request.inputs.length) {
      throw invalidArgument(
        `raw_input_contents has ${raw} entries for ${request.inputs.length} inputs; give one ` +
          "per input, in the order of 'inputs'",
      );
    }
  }

  read(input: HeaderInput, index: number, datatype: Datatype, count: number): TensorData {
    const { raw_input_contents: raw, inputs } = this.request;
    const contents = inputs[index].contents;
    if (raw.length === 0) return typedElements(input, datatype, contents, count);
    if (hasElements(contents)) {
      throw invalidArgument(
        `input '${input.name}': give its elements either in contents or in raw_input_contents, not both`,
      );
    }
    return rawElements(input, index, datatype, raw[index], count);
  }

  finish(): void {}
}

/** A gRPC request in the shape of the JSON form's header, for the shared checks. */
function headerOf(request: ModelInferRequest): unknown {
  return {
    id: request.id || undefined,
    parameters: parametersOf(request.parameters),
    inputs: request.inputs.map((input) => ({
      name: input.name ?? "",
      shape: input.shape.map(Number),
      datatype: input.datatype ?? "",
      parameters: parametersOf(input.parameters),
    })),
    outputs:
      request.outputs.length === 0
        ? undefined
        : request.outputs.map((output) => ({
            name: output.name ?? "",
            parameters: parametersOf(output.parameters),
          })),
  };
}

/**
 * The inference core's codec for a `ModelInferRequest`: the request goes through the same checks
 * as an HTTP one (same messages), its elements come from `raw_input_contents` or typed
 * `contents`; the answer carries every output in `raw_output_contents`, as Triton returns them.
 *
 * Remote fallback endpoints and shadows get the request as an HTTP body of the binary tensor
 * extension, built from the decoded request only when one of them asks for it; a relayed answer
 * comes back as a `ModelInferResponse`.
 *
 * @param request the decoded request
 * @param carriedBytes the size of the message the request was decoded from: no input's shape
 *   may call for more elements than that many bytes can hold
 * @param requestId the call's request id, sent on with forwarded copies
 * @param trace the call's trace (tracing on), carried to the scheduler, fallbacks and shadows
 */
export function grpcCodec(
  request: ModelInferRequest,
  carriedBytes: number,
  requestId?: string,
  trace?: RequestTrace,
): InferenceCodec<ModelInferResponse> {
  let header: ReturnType<typeof checkRequestHeader> | undefined;
  let primary: InferRequest | undefined;
  let http: InferenceCodec<ModelInferResponse>["http"];
  const codec: InferenceCodec<ModelInferResponse> = {
    trace,
    decode(model: ModelSignature): InferRequest {
      // The message's sizes are checked before it is mapped input by input.
      checkHeaderBounds(request, model);
      header ??= checkRequestHeader(headerOf(request), model);
      const decoded = buildInferRequest(header, new MessageElements(request), model, carriedBytes);
      primary ??= decoded;
      return decoded;
    },
    get http() {
      if (!primary || http) return http;
      const forwarded: TracedRequestBody = { ...httpBodyOf(primary, requestId), trace };
      http = {
        request: forwarded,
        forward: async (endpoint, trigger, cause, signal, traceHeaders) => {
          const answer = await endpoint.forward(forwarded, trigger, cause, signal, traceHeaders);
          const relayed = fromHttpAnswer(answer, request.model_name ?? "");
          return codec.encode(relayed.header, relayed.outputs);
        },
      };
      return http;
    },
    encode(response: ResponseHeader, outputs: readonly OutputTensor[]): ModelInferResponse {
      return {
        model_name: response.modelName,
        model_version: response.modelVersion,
        id: response.id ?? "",
        parameters: parametersOut(response.parameters),
        outputs: outputs.map((output) => ({
          name: output.name,
          datatype: output.datatype,
          shape: [...output.shape],
        })),
        raw_output_contents: outputs.map((output) => encodeBinaryTensor(output.data)),
      };
    },
  };
  return codec;
}
