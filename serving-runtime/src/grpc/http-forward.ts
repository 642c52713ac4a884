import type { EncodedResponse, OutputTensor, ResponseHeader } from "../protocol/infer-response";
import { decodeInferResponse } from "../shadow/decode-response";

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
