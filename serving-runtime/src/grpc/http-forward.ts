import type { InferenceRequestBody } from "../inference";
import { encodeBinaryTensor } from "../protocol/binary-codec";
import type { InferRequest } from "../protocol/infer-request";
import type { EncodedResponse, OutputTensor, ResponseHeader } from "../protocol/infer-response";
import { decodeInferResponse } from "../shadow/decode-response";

/**
 * A decoded gRPC request as an HTTP request body of the binary tensor extension — every input's
 * elements in the binary part, every output asked for in binary — which remote fallback
 * endpoints and shadows are sent, as they are sent HTTP requests.
 *
 * @param request the request, decoded and checked against the model
 * @param requestId the call's request id, sent on as `X-Request-Id`
 */
export function httpBodyOf(request: InferRequest, requestId?: string): InferenceRequestBody {
  const binaries = request.inputs.map((input) => encodeBinaryTensor(input.data));
  const header = {
    ...(request.id !== undefined ? { id: request.id } : {}),
    ...(request.timeoutMicroseconds !== undefined
      ? { parameters: { timeout: request.timeoutMicroseconds } }
      : {}),
    inputs: request.inputs.map((input, index) => ({
      name: input.name,
      shape: input.shape,
      datatype: input.datatype,
      parameters: { binary_data_size: binaries[index].length },
    })),
    outputs: request.outputs.map((output) => ({
      name: output.name,
      parameters: { binary_data: true },
    })),
  };
  const head = Buffer.from(JSON.stringify(header), "utf8");
  return {
    body: Buffer.concat([head, ...binaries]),
    headerLength: String(head.length),
    requestId,
  };
}

/** The parts of a response's JSON that a gRPC answer carries besides its outputs. */
interface AnswerHeader {
  model_version?: unknown;
  id?: unknown;
  parameters?: Record<string, unknown>;
}

/**
 * An HTTP answer (JSON, or JSON followed by binary tensors) relayed from a remote endpoint, in the
 * form a gRPC codec encodes: the outputs in the answer's order, its version, id and parameters
 * (`fallback_endpoint`, `fallback_trigger`), under the model the call addressed.
 *
 * @param answer the relayed answer
 * @param modelName the model the call addressed
 * @throws Error when the answer is not an inference response
 */
export function fromHttpAnswer(
  answer: EncodedResponse,
  modelName: string,
): { header: ResponseHeader; outputs: OutputTensor[] } {
  const body = typeof answer.body === "string" ? Buffer.from(answer.body, "utf8") : answer.body;
  const outputs = decodeInferResponse(body, answer.jsonLength);
  const json = JSON.parse(
    body.toString("utf8", 0, answer.jsonLength ?? body.length),
  ) as AnswerHeader;
  const parameters = Object.fromEntries(
    Object.entries(json.parameters ?? {}).filter(
      (entry): entry is [string, string | number | boolean] =>
        ["string", "number", "boolean"].includes(typeof entry[1]),
    ),
  );
  return {
    header: {
      modelName,
      modelVersion: typeof json.model_version === "string" ? json.model_version : "",
      id: typeof json.id === "string" ? json.id : undefined,
      parameters,
    },
    outputs: [...outputs].map(([name, output]) => ({ name, ...output, binary: true })),
  };
}
