import type { BenchModel } from "./models";
import { seededRandom } from "./models";

/** Wire form of an HTTP infer request: plain JSON, or Triton's binary tensor extension. */
export type HttpForm = "json" | "binary";

/**
 * Wire form of an infer request: HTTP JSON or binary, gRPC `ModelInfer` with raw contents, or
 * the same requests on one `ModelStreamInfer` stream.
 */
export type WireForm = HttpForm | "grpc" | "grpc-stream";

/** One ready-to-send infer request carrying a single item. */
export interface InferPayload {
  /** Request path. */
  path: string;
  /** Headers to send. */
  headers: Record<string, string>;
  /** Body bytes. */
  body: Buffer;
  /** The item's values as FP32 (what the server must feed the model). */
  values: Float32Array;
}

/** Values of one item: deterministic, rounded to 3 decimals so JSON and binary carry the same FP32s. */
export function itemValues(model: BenchModel, seed = 3): Float32Array {
  const random = seededRandom(seed);
  const count = model.itemShape.reduce((a, b) => a * b, 1);
  const values = new Float32Array(count);
  for (let i = 0; i < count; i++) values[i] = Math.round(random() * 1000) / 1000;
  return values;
}

/**
 * Builds an Open Inference Protocol request for one item of `model`.
 * @param model The model.
 * @param form `json`: data inline; `binary`: JSON header then raw little-endian FP32, with
 * `Inference-Header-Content-Length` and `binary_data_output: true`.
 */
export function inferPayload(model: BenchModel, form: HttpForm): InferPayload {
  const values = itemValues(model);
  const shape = [1, ...model.itemShape];
  const path = `/v2/models/${model.name}/infer`;
  if (form === "json") {
    // The FP32 values were rounded to 3 decimals; written back as those decimals ("0.123", as a
    // client holding the numbers would send them), not as the FP32's 17-digit double expansion.
    const data = Array.from(values, (value) => Math.round(value * 1000) / 1000);
    const body = JSON.stringify({
      inputs: [{ name: model.input, shape, datatype: "FP32", data }],
    });
    return {
      path,
      headers: { "content-type": "application/json" },
      body: Buffer.from(body),
      values,
    };
  }
  const header = Buffer.from(
    JSON.stringify({
      inputs: [
        {
          name: model.input,
          shape,
          datatype: "FP32",
          parameters: { binary_data_size: values.byteLength },
        },
      ],
      parameters: { binary_data_output: true },
    }),
  );
  return {
    path,
    headers: {
      "content-type": "application/octet-stream",
      "inference-header-content-length": `${header.byteLength}`,
    },
    body: Buffer.concat([header, Buffer.from(values.buffer, values.byteOffset, values.byteLength)]),
    values,
  };
}

/**
 * Reads the first output of an infer response, JSON or binary.
 * @param headers Response headers.
 * @param body Response body.
 * @throws Error describing what is wrong with the response.
 */
export function decodeFirstOutput(
  headers: Headers,
  body: Buffer,
): { name: string; values: number[] } {
  const headerLength = headers.get("inference-header-content-length");
  const jsonPart = headerLength === null ? body : body.subarray(0, Number(headerLength));
  const parsed = JSON.parse(jsonPart.toString("utf8")) as {
    outputs?: {
      name: string;
      datatype: string;
      data?: number[];
      parameters?: { binary_data_size?: number };
    }[];
  };
  const output = parsed.outputs?.[0];
  if (!output)
    throw new Error(`response has no outputs: ${jsonPart.toString("utf8").slice(0, 300)}`);
  if (output.data)
    return { name: output.name, values: output.data.flat(Number.POSITIVE_INFINITY) as number[] };
  if (headerLength === null || output.parameters?.binary_data_size === undefined) {
    throw new Error(`output ${output.name} has neither data nor binary_data_size`);
  }
  const raw = body.subarray(
    Number(headerLength),
    Number(headerLength) + output.parameters.binary_data_size,
  );
  const copy = new Uint8Array(raw);
  return { name: output.name, values: Array.from(new Float32Array(copy.buffer)) };
}
