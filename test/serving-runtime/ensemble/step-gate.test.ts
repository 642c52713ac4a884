import { StepGate } from "@hybridai/serving-runtime/src/ensemble/step-gate";
import { describe, expect, it } from "vitest";

// Triton's max_inflight_requests: at most `limit` calls of a step at once, the rest wait in order.

describe("StepGate", () => {
  it("lets `limit` calls in at once and the next waiting one in as each ends, first come first served", async () => {
    const gate = new StepGate(2);
    const started: string[] = [];
    const enter = (name: string) => gate.acquire().then(() => started.push(name));
    const calls = ["a", "b", "c", "d"].map(enter);
    await Promise.all(calls.slice(0, 2));
    await new Promise((resolve) => setImmediate(resolve));
    expect(started).toEqual(["a", "b"]);
    gate.release();
    await calls[2];
    expect(started).toEqual(["a", "b", "c"]);
    gate.release();
    await calls[3];
    expect(started).toEqual(["a", "b", "c", "d"]);
    gate.release();
    gate.release();
    // Every slot is free again: two more enter at once.
    await Promise.all([enter("e"), enter("f")]);
    expect(started.slice(4)).toEqual(["e", "f"]);
  });
});
