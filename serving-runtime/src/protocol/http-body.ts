import { encodeBinaryTensor } from "./binary-codec";
import type { InferRequest } from "./infer-request";

/** The encoded body of one inference request. */
export interface InferenceRequestBody {
  /** The raw body. */
  body: Buffer;
  /** `Inference-Header-Content-Length`, for binary-extension bodies. */
  headerLength?: string;
  /** The request id (`X-Request-Id`), sent on with forwarded copies. */
  requestId?: string;
  /**
   * Whether another runtime forwarded this request (it carries `hybridai-forwarded`): such a
   * request is never forwarded again to a remote endpoint.
   */
  forwarded?: boolean;
}

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
