import {
  type CacheKeyTensor,
  responseCacheKey,
} from "@hybridai/serving-runtime/src/cache/cache-key";
import { describe, expect, it } from "vitest";

const image: CacheKeyTensor = {
  name: "image",
  datatype: "FP32",
  shape: [1, 2],
  data: new Float32Array([0.5, 1.5]),
};
const bytes = (...texts: string[]) => texts.map((text) => Buffer.from(text, "utf8"));
const label: CacheKeyTensor = {
  name: "label",
  datatype: "BYTES",
  shape: [2],
  data: bytes("ab", "c"),
};
const reference = responseCacheKey("m", "1", [image, label]);

describe("responseCacheKey", () => {
  it("is the same for the same model, version and inputs, in any input order", () => {
    const again = responseCacheKey("m", "1", [
      label,
      { ...image, data: new Uint8Array(new Float32Array([0.5, 1.5]).buffer) },
    ]);
    expect(again).toEqual(reference);
    expect(reference.digest).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it.each<[string, () => ReturnType<typeof responseCacheKey>]>([
    ["model", () => responseCacheKey("n", "1", [image, label])],
    ["version", () => responseCacheKey("m", "2", [image, label])],
    ["input name", () => responseCacheKey("m", "1", [{ ...image, name: "img" }, label])],
    ["datatype", () => responseCacheKey("m", "1", [{ ...image, datatype: "INT32" }, label])],
    ["shape", () => responseCacheKey("m", "1", [{ ...image, shape: [2, 1] }, label])],
    [
      "data bytes",
      () => responseCacheKey("m", "1", [{ ...image, data: new Float32Array([0.5, 1.25]) }, label]),
    ],
    [
      "string elements",
      () => responseCacheKey("m", "1", [image, { ...label, data: bytes("a", "bc") }]),
    ],
    ["set of inputs", () => responseCacheKey("m", "1", [image])],
    ["variant", () => responseCacheKey("m", "1", [image, label], "outputs=y")],
  ])("changes with the %s", (_field, build) => {
    const other = build();
    expect(other.id).not.toBe(reference.id);
  });

  it("changes the digest itself with every input field, not only the id prefix", () => {
    const renamed = responseCacheKey("m", "1", [{ ...image, name: "img" }, label]);
    expect(renamed.digest).not.toBe(reference.digest);
  });

  it("hashes only a typed array's own view of a shared buffer", () => {
    const shared = new Float32Array([9, 0.5, 1.5, 9]);
    const view = responseCacheKey("m", "1", [{ ...image, data: shared.subarray(1, 3) }, label]);
    expect(view.id).toBe(reference.id);
  });
});
