import { decodeBinaryTensor, splitBinaryBody } from "../protocol/binary-codec";
import { DATATYPES, elementCount, isDatatype } from "../protocol/datatypes";
import { flattenData } from "../protocol/flatten-data";
import { decodeJsonData } from "../protocol/json-codec";
import type { OutputData } from "../scheduling/tensor-batch";

interface ResponseOutput {
  name?: unknown;
  datatype?: unknown;
  shape?: unknown;
  data?: unknown;
  parameters?: { binary_data_size?: unknown };
}

function isShape(value: unknown): value is number[] {
  return (
    Array.isArray(value) && value.every((dim) => Number.isInteger(dim) && (dim as number) >= 0)
  );
}

/**
 * Reads the outputs of an Open Inference Protocol response (JSON, or JSON followed by binary
 * tensors) into the runtime's tensor form, so that a remote shadow's answer compares with a
 * local one. JSON `null` in a floating-point output reads as NaN (how NaN and infinities travel
 * in JSON).
 *
 * @param body the response body
 * @param jsonLength `Inference-Header-Content-Length` when binary tensors follow the JSON
 * @throws Error when the body is not such a response
 */
export function decodeInferResponse(body: Buffer, jsonLength?: number): Map<string, OutputData> {
  const parts =
    jsonLength === undefined
      ? { json: body, binary: undefined }
      : splitBinaryBody(body, String(jsonLength));
  const parsed = JSON.parse(parts.json.toString("utf8")) as { outputs?: unknown };
  if (!Array.isArray(parsed?.outputs)) throw new Error("the answer has no outputs list");
  const outputs = new Map<string, OutputData>();
  let offset = 0;
  for (const output of parsed.outputs as ResponseOutput[]) {
    const { name, datatype, shape } = output;
    if (typeof name !== "string" || !isDatatype(datatype) || !isShape(shape)) {
      throw new Error("an output lacks a name, a known datatype or a shape");
    }
    const size = output.parameters?.binary_data_size;
    if (size !== undefined) {
      if (!parts.binary || typeof size !== "number" || offset + size > parts.binary.length) {
        throw new Error(
          `output '${name}': binary_data_size ${String(size)} exceeds the binary data`,
        );
      }
      const bytes = parts.binary.subarray(offset, offset + size);
      offset += size;
      outputs.set(name, {
        datatype,
        shape,
        data: decodeBinaryTensor(name, datatype, bytes, elementCount(shape)),
      });
      continue;
    }
    const json = DATATYPES[datatype].json;
    const flat = flattenData(name, output.data, shape.length, elementCount(shape));
    const values =
      json === "float" || json === "half"
        ? flat.map((value) => (value === null ? Number.NaN : value))
        : flat;
    outputs.set(name, { datatype, shape, data: decodeJsonData(name, datatype, values, shape) });
  }
  return outputs;
}
