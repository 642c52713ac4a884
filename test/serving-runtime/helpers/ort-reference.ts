import path from "node:path";
import { DATATYPES } from "@hybridai/serving-runtime/src/protocol/datatypes";
import * as ort from "onnxruntime-node";
import { encodeStrings } from "./binary";

type TensorType = ort.Tensor.Type;

/** An input for {@link runReference}: datatype name, shape and elements. */
export interface ReferenceInput {
  /** Protocol datatype (`FP32`, `BYTES` …). */
  datatype: keyof typeof DATATYPES;
  /** Shape. */
  shape: number[];
  /** Elements: a typed array, or strings for BYTES. */
  data: ort.Tensor.DataType;
}

/** What onnxruntime returned for one output: datatype, shape and its raw little-endian bytes. */
export interface ReferenceOutput {
  /** onnxruntime's element type. */
  type: string;
  /** Shape. */
  dims: readonly number[];
  /** The elements as Triton's raw contents encode them (BYTES length-prefixed). */
  raw: Buffer;
}

const sessions = new Map<string, Promise<ort.InferenceSession>>();

/**
 * Runs a model of a repository with onnxruntime in this process (the answer the server must
 * give), returning every output as raw bytes.
 *
 * @param root repository directory
 * @param model model name (version 1)
 * @param inputs inputs by name
 */
export async function runReference(
  root: string,
  model: string,
  inputs: Record<string, ReferenceInput>,
): Promise<Record<string, ReferenceOutput>> {
  const file = path.join(root, model, "1", "model.onnx");
  let session = sessions.get(file);
  if (!session) {
    session = ort.InferenceSession.create(file);
    sessions.set(file, session);
  }
  const feeds: Record<string, ort.Tensor> = {};
  for (const [name, input] of Object.entries(inputs)) {
    const type = DATATYPES[input.datatype].ort as TensorType;
    feeds[name] = new ort.Tensor(type, input.data as never, input.shape);
  }
  const results = await (await session).run(feeds);
  const out: Record<string, ReferenceOutput> = {};
  for (const [name, tensor] of Object.entries(results)) {
    const data = tensor.data;
    const raw = Array.isArray(data)
      ? encodeStrings(data as string[])
      : Buffer.from(
          (data as Uint8Array).buffer,
          (data as Uint8Array).byteOffset,
          (data as Uint8Array).byteLength,
        );
    out[name] = { type: tensor.type, dims: tensor.dims, raw: Buffer.from(raw) };
  }
  return out;
}

/** Releases the sessions {@link runReference} opened. */
export async function releaseReferences(): Promise<void> {
  const all = [...sessions.values()];
  sessions.clear();
  await Promise.all(all.map(async (session) => (await session).release()));
}
