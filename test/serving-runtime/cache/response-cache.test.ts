import {
  ResponseCache,
  type ResponseCacheKey,
  responseCacheKey,
} from "@hybridai/serving-runtime/src/cache/response-cache";
import { describe, expect, it } from "vitest";

function keyOf(model: string, value: number, version = "1"): ResponseCacheKey {
  return responseCacheKey(model, version, [
    { name: "x", datatype: "FP32", shape: [1], data: new Float32Array([value]) },
  ]);
}

/** Size the cache charges for an entry: its key id's bytes plus the value estimate. */
function entryBytes(key: ResponseCacheKey, valueBytes: number): number {
  return Buffer.byteLength(key.id) + valueBytes;
}

describe("ResponseCache", () => {
  it("misses, then hits after a set, counting both per model", () => {
    const cache = new ResponseCache<string>({ maxBytes: 10_000 });
    const key = keyOf("mlp", 1);
    expect(cache.get(key)).toBeUndefined();
    expect(cache.set(key, "answer", 6)).toBe(true);
    expect(cache.get(key)).toBe("answer");
    expect(cache.get(keyOf("other", 1))).toBeUndefined();
    expect(cache.modelStats("mlp")).toMatchObject({ hits: 1, misses: 1, insertions: 1 });
    expect(cache.modelStats("other")).toMatchObject({ hits: 0, misses: 1 });
    expect(cache.stats()).toMatchObject({ hits: 1, misses: 2, entries: 1 });
    expect(cache.models().sort()).toEqual(["mlp", "other"]);
  });

  it("evicts the least recently used entry, where a get counts as a use", () => {
    const a = keyOf("m", 1);
    const b = keyOf("m", 2);
    const c = keyOf("m", 3);
    const cache = new ResponseCache<string>({ maxBytes: entryBytes(a, 100) * 2 });
    cache.set(a, "a", 100);
    cache.set(b, "b", 100);
    expect(cache.get(a)).toBe("a");
    cache.set(c, "c", 100);
    expect(cache.get(b)).toBeUndefined();
    expect(cache.get(a)).toBe("a");
    expect(cache.get(c)).toBe("c");
    expect(cache.modelStats("m").evictions).toBe(1);
  });

  it("never holds more bytes than its budget, evicting as many entries as needed", () => {
    const budget = 2_000;
    const cache = new ResponseCache<number>({ maxBytes: budget });
    for (let i = 0; i < 200; i++) {
      cache.set(keyOf("m", i), i, (i * 37) % 900);
      expect(cache.stats().bytes).toBeLessThanOrEqual(budget);
    }
    const big = keyOf("m", 1_000);
    expect(cache.set(big, 1_000, budget - Buffer.byteLength(big.id))).toBe(true);
    expect(cache.stats()).toMatchObject({ entries: 1, bytes: budget });
  });

  it("refuses an entry larger than the whole budget and keeps what it holds", () => {
    const small = keyOf("m", 1);
    const cache = new ResponseCache<string>({ maxBytes: entryBytes(small, 10) });
    cache.set(small, "small", 10);
    expect(cache.set(keyOf("m", 2), "huge", 11)).toBe(false);
    expect(cache.get(small)).toBe("small");
    expect(cache.stats()).toMatchObject({ rejections: 1, entries: 1, evictions: 0 });
  });

  it("replaces an entry stored again under the same key without counting it twice", () => {
    const key = keyOf("m", 1);
    const cache = new ResponseCache<string>({ maxBytes: 10_000 });
    cache.set(key, "old", 100);
    cache.set(key, "new", 50);
    expect(cache.get(key)).toBe("new");
    expect(cache.stats()).toMatchObject({ entries: 1, bytes: entryBytes(key, 50) });
  });

  it("drops a model's entries, all versions or one", () => {
    const cache = new ResponseCache<string>({ maxBytes: 10_000 });
    cache.set(keyOf("m", 1, "1"), "v1", 1);
    cache.set(keyOf("m", 1, "2"), "v2", 1);
    cache.set(keyOf("n", 1), "n", 1);
    expect(cache.deleteModel("m", "1")).toBe(1);
    expect(cache.get(keyOf("m", 1, "2"))).toBe("v2");
    expect(cache.deleteModel("m")).toBe(1);
    expect(cache.delete(keyOf("n", 1))).toBe(true);
    expect(cache.stats()).toMatchObject({ entries: 0, bytes: 0 });
  });

  it.each([0, -5, 1.5])("rejects a budget of %d bytes", (maxBytes) => {
    expect(() => new ResponseCache({ maxBytes })).toThrow(/maxBytes = .* positive whole number/);
  });
});
