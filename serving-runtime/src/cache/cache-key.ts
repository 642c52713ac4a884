import { createHash, type Hash } from "node:crypto";

/** One input tensor as it enters the cache key: everything that can change the response. */
export interface CacheKeyTensor {
  /** Input name. */
  name: string;
  /** Open Inference Protocol datatype, e.g. `FP32`. */
  datatype: string;
  /** Shape, batch dimension included when the request carries one. */
  shape: readonly number[];
  /**
   * Contents: the raw little-endian bytes (any typed array or byte view, as the binary protocol
   * delivers them or as converted from JSON), or the elements of a `BYTES` tensor, each its
   * bytes.
   */
  data: ArrayBufferView | readonly Uint8Array[];
}

/** Identifies one cached response: which model version, and a digest of the exact inputs. */
export interface ResponseCacheKey {
  /** Model name. */
  readonly model: string;
  /** Model version. */
  readonly version: string;
  /** base64url SHA-256 of the inputs (and variant), 43 characters. */
  readonly digest: string;
  /** The map key: model, version and digest joined by NUL. */
  readonly id: string;
}

function updateLength(hash: Hash, length: number): void {
  const bytes = Buffer.allocUnsafe(4);
  bytes.writeUInt32LE(length, 0);
  hash.update(bytes);
}

function updateString(hash: Hash, value: string): void {
  const bytes = Buffer.from(value, "utf8");
  updateLength(hash, bytes.byteLength);
  hash.update(bytes);
}

function updateTensor(hash: Hash, tensor: CacheKeyTensor): void {
  updateString(hash, tensor.name);
  updateString(hash, tensor.datatype);
  updateLength(hash, tensor.shape.length);
  const dims = Buffer.allocUnsafe(8 * tensor.shape.length);
  tensor.shape.forEach((dim, i) => {
    dims.writeDoubleLE(dim, 8 * i);
  });
  hash.update(dims);
  if (ArrayBuffer.isView(tensor.data)) {
    hash.update("b");
    updateLength(hash, tensor.data.byteLength);
    hash.update(new Uint8Array(tensor.data.buffer, tensor.data.byteOffset, tensor.data.byteLength));
  } else {
    hash.update("s");
    updateLength(hash, tensor.data.length);
    for (const element of tensor.data) {
      updateLength(hash, element.byteLength);
      hash.update(element);
    }
  }
}

/**
 * Builds the cache key of a request: SHA-256 over every input's name, datatype, shape and data,
 * each field length-prefixed so that no two different requests share a key. Inputs are taken in
 * name order, so the order they were sent in does not matter.
 *
 * @param model Model name.
 * @param version Model version that will answer.
 * @param inputs The request's input tensors.
 * @param variant Anything else that changes the cached value (e.g. the requested output names),
 * or `""` when the whole response is cached regardless of selection.
 */
export function responseCacheKey(
  model: string,
  version: string,
  inputs: readonly CacheKeyTensor[],
  variant = "",
): ResponseCacheKey {
  const hash = createHash("sha256");
  updateString(hash, variant);
  const sorted = [...inputs].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  updateLength(hash, sorted.length);
  for (const tensor of sorted) updateTensor(hash, tensor);
  const digest = hash.digest("base64url");
  return { model, version, digest, id: `${model}\0${version}\0${digest}` };
}
