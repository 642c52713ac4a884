import { TransferPool } from "@hybridai/serving-runtime/src/runtime/transfer-pool";
import { describe, expect, it } from "vitest";

describe("TransferPool", () => {
  it("hands out power-of-two buffers of at least 4 KiB and knows which are out", () => {
    const pool = new TransferPool();
    const small = pool.take(10);
    const large = pool.take(110_592);
    expect(small.byteLength).toBe(4096);
    expect(large.byteLength).toBe(131_072);
    expect(pool.owns(large)).toBe(true);
    expect(pool.owns(new ArrayBuffer(8))).toBe(false);
    pool.give(large);
    expect(pool.owns(large)).toBe(false);
  });

  it("reuses the smallest free buffer that fits, and allocates when none is large enough", () => {
    const pool = new TransferPool();
    const [a, b, c] = [pool.take(5000), pool.take(70_000), pool.take(300_000)];
    for (const buffer of [c, a, b]) pool.give(buffer);
    expect(pool.size).toBe(3);
    expect(pool.take(60_000)).toBe(b);
    expect(pool.take(1)).toBe(a);
    const larger = pool.take(600_000);
    expect(larger).not.toBe(c);
    expect(larger.byteLength).toBe(1_048_576);
    expect(pool.size).toBe(1);
  });

  it("keeps at most its count and bytes of free buffers, dropping the smallest first", () => {
    const pool = new TransferPool(2, 1_000_000);
    const buffers = [pool.take(4096), pool.take(65_536), pool.take(262_144)];
    for (const buffer of buffers) pool.give(buffer);
    expect(pool.size).toBe(2);
    expect(pool.take(1)).toBe(buffers[1]);
    expect(pool.take(1)).toBe(buffers[2]);

    const bytes = new TransferPool(8, 300_000);
    const [small, large] = [bytes.take(65_536), bytes.take(262_144)];
    bytes.give(large);
    bytes.give(small);
    expect(bytes.size).toBe(1);
    expect(bytes.take(1)).toBe(large);
  });

  it("drops detached buffers and buffers larger than its byte limit", () => {
    const pool = new TransferPool(8, 10_000);
    const detached = new ArrayBuffer(16);
    structuredClone(detached, { transfer: [detached] });
    pool.give(detached);
    pool.give(new ArrayBuffer(20_000));
    expect(pool.size).toBe(0);
  });
});
