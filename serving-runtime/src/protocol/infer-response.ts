import { encodeBinaryTensor } from "./binary-codec";
import type { Datatype, TensorData } from "./datatypes";
import { encodeJsonData } from "./json-codec";

/** One output tensor to send back. */
export interface OutputTensor {
  /** Output name. */
  name: string;
  /** Datatype. */
  datatype: Datatype;
  /** Shape. */
  shape: readonly number[];
  /** Elements, row-major. */
  data: TensorData;
  /** Send in the binary part of the body instead of as JSON `data`. */
  binary: boolean;
}

/** What the response says about itself besides its outputs. */
export interface ResponseHeader {
  /** Model name. */
  modelName: string;
  /** Model version. */
  modelVersion: string;
  /** The request's id, echoed. */
  id?: string;
  /** Response parameters (e.g. `fallback_model`). */
  parameters?: Record<string, string | number | boolean>;
}

/** An encoded response body; `jsonLength` is set when binary tensors follow the JSON. */
export interface EncodedResponse {
  /** The body: JSON text, or JSON followed by raw tensors. */
  body: string | Buffer;
  /** Length of the JSON part, for `Inference-Header-Content-Length`; absent for pure JSON. */
  jsonLength?: number;
}

/**
 * Encodes an inference response as Triton does: a JSON object with `model_name`,
 * `model_version`, `id`, `parameters` and `outputs`; outputs asked for in binary carry
 * `parameters.binary_data_size` and their bytes follow the JSON in output order.
 */
export function encodeInferResponse(
  header: ResponseHeader,
  outputs: readonly OutputTensor[],
): EncodedResponse {
  const binaries: Buffer[] = [];
  const parts = outputs.map((output) => {
    const head = `{"name":${JSON.stringify(output.name)},"datatype":"${output.datatype}","shape":[${output.shape.join(",")}]`;
    if (!output.binary) return `${head},"data":${encodeJsonData(output.datatype, output.data)}}`;
    const bytes = encodeBinaryTensor(output.data);
    binaries.push(bytes);
    return `${head},"parameters":{"binary_data_size":${bytes.length}}}`;
  });
  let json = `{"model_name":${JSON.stringify(header.modelName)},"model_version":${JSON.stringify(header.modelVersion)}`;
  if (header.id !== undefined) json += `,"id":${JSON.stringify(header.id)}`;
  if (header.parameters) json += `,"parameters":${JSON.stringify(header.parameters)}`;
  json += `,"outputs":[${parts.join(",")}]}`;
  if (binaries.length === 0) return { body: json };
  const jsonBytes = Buffer.from(json, "utf8");
  return { body: Buffer.concat([jsonBytes, ...binaries]), jsonLength: jsonBytes.length };
}
