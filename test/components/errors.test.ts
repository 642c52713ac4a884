import { HybridAiConfigError } from "pulumi-hybridai";
import { describe, expect, it } from "vitest";

describe("HybridAiConfigError", () => {
  it("names component, field, value and what is allowed, ending in one period", () => {
    const listed = new HybridAiConfigError("Pool", "accelerator.count", 3, [1, 4, 8]);
    expect(listed.message).toBe("Pool: accelerator.count = 3 is not valid. Allowed: 1, 4, 8.");
    const sentence = new HybridAiConfigError("Pool", "zone", "x", "a zone of the region.");
    expect(sentence.message).toBe('Pool: zone = "x" is not valid. Allowed: a zone of the region.');
    expect(sentence.problems).toEqual([
      { field: "zone", value: "x", allowed: "a zone of the region." },
    ]);
  });

  it("lists several problems one a line, saying which are missing and which keys are unknown", () => {
    const error = new HybridAiConfigError("stack config", [
      { field: "a.b", value: 0, allowed: "a whole number ≥ 1" },
      { field: "a.c", value: undefined, allowed: "a string", kind: "missing" },
      { field: "a.d", value: true, allowed: "b, c", kind: "unknown-key" },
    ]);
    expect(error.message).toBe(
      [
        "stack config: 3 problems:",
        "  a.b = 0 is not valid. Allowed: a whole number ≥ 1.",
        "  a.c is missing. Expected: a string.",
        "  a.d is not a known key. Known keys: b, c.",
      ].join("\n"),
    );
    expect([error.field, error.value, error.allowed]).toEqual(["a.b", 0, "a whole number ≥ 1"]);
  });

  it("shortens a long value", () => {
    const error = new HybridAiConfigError("X", "f", "y".repeat(500), "short");
    expect(error.message).toBe(`X: f = "${"y".repeat(118)}… is not valid. Allowed: short.`);
  });

  it("moves its problems under a parent path for the caller that owns them", () => {
    const inner = new HybridAiConfigError("OnnxService", "replicas.max", 2, "3 to 10");
    const listInner = new HybridAiConfigError("Plugin", "[1]", "x", "y");
    expect(inner.under("serving", "hybridai:serving.services[0]").message).toBe(
      "serving: hybridai:serving.services[0].replicas.max = 2 is not valid. Allowed: 3 to 10.",
    );
    expect(listInner.under("p", "accelerators").field).toBe("accelerators[1]");
  });
});
