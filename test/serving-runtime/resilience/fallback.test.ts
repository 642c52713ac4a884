import {
  parseFallbackConfig,
  ResilienceConfigError,
} from "@hybridai/serving-runtime/src/resilience/config";
import { fallbackTarget, shouldFallback } from "@hybridai/serving-runtime/src/resilience/fallback";
import { describe, expect, it } from "vitest";

describe("fallback decision", () => {
  const onErrorOnly = parseFallbackConfig("ranker", { model: "ranker-small", on: ["error"] });

  it("falls back on the listed outcomes only", () => {
    expect(fallbackTarget(onErrorOnly, "error")).toBe("ranker-small");
    expect(shouldFallback(onErrorOnly, "timeout")).toBe(false);
    expect(shouldFallback(onErrorOnly, "overload")).toBe(false);
    expect(shouldFallback(onErrorOnly, "success")).toBe(false);
  });

  it("always falls back while the breaker is open", () => {
    expect(fallbackTarget(onErrorOnly, "circuit_open")).toBe("ranker-small");
  });

  it("never falls back without a fallback model", () => {
    expect(shouldFallback(undefined, "circuit_open")).toBe(false);
    expect(shouldFallback(undefined, "error")).toBe(false);
  });

  it("falls back on timeout, error and overload by default", () => {
    const config = parseFallbackConfig("ranker", { model: "ranker-small" });
    expect(config.on).toEqual(["timeout", "error", "overload"]);
    for (const outcome of ["timeout", "error", "overload"] as const) {
      expect(shouldFallback(config, outcome)).toBe(true);
    }
  });

  it("rejects a model that falls back to itself, an unknown model and an unknown trigger", () => {
    expect(() => parseFallbackConfig("ranker", { model: "ranker" })).toThrow(
      /fallback\.model = "ranker" is invalid: a model cannot be its own fallback/,
    );
    expect(() => parseFallbackConfig("ranker", { model: "nope" }, ["ranker", "small"])).toThrow(
      /known models: ranker, small/,
    );
    expect(() => parseFallbackConfig("ranker", { model: "small", on: ["crash"] })).toThrow(
      ResilienceConfigError,
    );
    expect(() => parseFallbackConfig("ranker", { model: "small", on: ["crash"] })).toThrow(
      /fallback\.on\.0 = "crash" is invalid: on entries must be one of timeout, error, overload/,
    );
  });
});
