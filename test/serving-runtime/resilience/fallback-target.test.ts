import { parseFallbackConfig } from "@hybridai/serving-runtime/src/resilience/config";
import { fallbackTarget } from "@hybridai/serving-runtime/src/resilience/fallback";
import { describe, expect, it } from "vitest";

// fallbackTarget names where a request goes instead, and nothing when it should not fall back.

describe("fallback target", () => {
  const local = parseFallbackConfig("ranker", { model: "ranker-small", on: ["error"] });
  const remote = parseFallbackConfig("ranker", {
    url: "https://cloud.example.com",
    on: ["timeout"],
  });

  it("is undefined for a success, an unlisted trigger, or a model without a fallback", () => {
    expect(fallbackTarget(local, "success")).toBeUndefined();
    expect(fallbackTarget(local, "timeout")).toBeUndefined();
    expect(fallbackTarget(remote, "error")).toBeUndefined();
    expect(fallbackTarget(undefined, "circuit_open")).toBeUndefined();
  });

  it("is the model or the endpoint URL otherwise", () => {
    expect(fallbackTarget(local, "error")).toBe("ranker-small");
    expect(fallbackTarget(remote, "timeout")).toBe("https://cloud.example.com");
  });
});
