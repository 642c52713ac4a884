import {
  fallbackConfigSchema,
  parseCircuitBreakerConfig,
  parseConfigBlock,
  parseFallbackConfig,
  ResilienceConfigError,
} from "@hybridai/serving-runtime/src/resilience/config";
import { parseShadowConfig } from "@hybridai/serving-runtime/src/shadow/config";
import { describe, expect, it } from "vitest";

// Every message a `circuit_breaker` or `fallback` block can be refused with, word for word: the
// message is the interface (it names the model, the key, the value and what is allowed), so each
// is pinned whole rather than by a fragment.

/** The message `attempt` throws, after checking it is a ResilienceConfigError. */
function refusal(attempt: () => unknown): string {
  try {
    attempt();
  } catch (error) {
    expect(error).toBeInstanceOf(ResilienceConfigError);
    expect((error as Error).name).toBe("ResilienceConfigError");
    return (error as Error).message;
  }
  throw new Error("expected a ResilienceConfigError, got none");
}

const invalid = (field: string, value: string, allowed: string) =>
  `model "ranker": config.json ${field} = ${value} is invalid: ${allowed}`;

describe("circuit_breaker messages", () => {
  it.each([
    [{ window_size: "20" }, "window_size", '"20"', "window_size must be a number"],
    [{ window_size: 10_001 }, "window_size", "10001", "window_size must be at most 10000"],
    [{ minimum_requests: 0 }, "minimum_requests", "0", "minimum_requests must be at least 1"],
    [{ open_duration_ms: 0 }, "open_duration_ms", "0", "open_duration_ms must be at least 1"],
    [
      { open_duration_ms: 86_400_001 },
      "open_duration_ms",
      "86400001",
      "open_duration_ms must be at most 86400000",
    ],
    [
      { half_open_max_probes: 1.5 },
      "half_open_max_probes",
      "1.5",
      "half_open_max_probes must be a whole number",
    ],
    [
      { failure_rate_threshold: "half" },
      "failure_rate_threshold",
      '"half"',
      "failure_rate_threshold must be a number",
    ],
    [
      { failure_rate_threshold: 0 },
      "failure_rate_threshold",
      "0",
      "failure_rate_threshold must be greater than 0",
    ],
    [{ latency_quantile: 0 }, "latency_quantile", "0", "latency_quantile must be greater than 0"],
    [{ latency_quantile: 1.01 }, "latency_quantile", "1.01", "latency_quantile must be at most 1"],
    [
      { latency_threshold_ms: "fast" },
      "latency_threshold_ms",
      '"fast"',
      "latency_threshold_ms must be a number",
    ],
  ])("refuses %j with its own message", (block, key, value, allowed) => {
    expect(refusal(() => parseCircuitBreakerConfig("ranker", block))).toBe(
      invalid(`circuit_breaker.${key}`, value, allowed),
    );
  });
});

describe("fallback messages", () => {
  it.each([
    [
      { model: 5 },
      "fallback.model",
      "5",
      "model must be a string naming another model of the repository",
    ],
    [
      { model: undefined },
      "fallback.model",
      "undefined",
      "model must be a string naming another model of the repository",
    ],
    [{ model: "" }, "fallback.model", '""', "model must not be empty"],
    [
      { url: "https://a.example.com", token_file: 7 },
      "fallback.token_file",
      "7",
      "token_file must be a string, the path of a file holding the token",
    ],
    [
      { url: "https://a.example.com", token_file: "" },
      "fallback.token_file",
      '""',
      "token_file must not be empty",
    ],
    [
      { url: "https://a.example.com", timeout_ms: "5s" },
      "fallback.timeout_ms",
      '"5s"',
      "timeout_ms must be a number",
    ],
    [
      { url: "https://a.example.com", timeout_ms: 600_001 },
      "fallback.timeout_ms",
      "600001",
      "timeout_ms must be at most 600000",
    ],
  ])("refuses %j with its own message", (block, field, value, allowed) => {
    expect(refusal(() => parseFallbackConfig("ranker", block))).toBe(
      invalid(field, value, allowed),
    );
  });

  it("names the repository's models, or says there are none", () => {
    expect(
      refusal(() => parseFallbackConfig("ranker", { model: "small" }, ["ranker", "big"])),
    ).toBe(
      invalid(
        "fallback.model",
        '"small"',
        "no such model in the repository; known models: ranker, big",
      ),
    );
    expect(refusal(() => parseFallbackConfig("ranker", { model: "small" }, []))).toBe(
      invalid("fallback.model", '"small"', "no such model in the repository; known models: (none)"),
    );
  });

  it("refuses a block that is not an object as one naming neither model nor url", () => {
    const allowed =
      "name model (another model of this repository) or url (a remote Open Inference Protocol endpoint)";
    expect(refusal(() => parseFallbackConfig("ranker", null))).toBe(
      invalid("fallback", "null", allowed),
    );
    expect(refusal(() => parseFallbackConfig("ranker", "small"))).toBe(
      invalid("fallback", '"small"', allowed),
    );
  });

  it("refuses an endpoint URL that is not a string or carries a user name without a password", () => {
    expect(refusal(() => parseFallbackConfig("ranker", { url: 8000 }))).toBe(
      invalid(
        "fallback.url",
        "8000",
        "url must be a string, the base URL of an Open Inference Protocol endpoint",
      ),
    );
    expect(
      refusal(() => parseFallbackConfig("ranker", { url: "https://t0ken@a.example.com" })),
    ).toBe(
      invalid(
        "fallback.url",
        '"https://t0ken@a.example.com"',
        "url must not carry credentials; put the bearer token in token_file",
      ),
    );
  });

  it("drops every trailing slash of an endpoint URL", () => {
    const config = parseFallbackConfig("ranker", { url: "https://cloud.example.com/serving//" });
    expect("url" in config && config.url).toBe("https://cloud.example.com/serving");
  });
});

describe("a block parsed from nothing", () => {
  it("reads undefined as {} and names the first missing key with its value undefined", () => {
    expect(
      refusal(() => parseConfigBlock(fallbackConfigSchema, "fallback", "ranker", undefined)),
    ).toBe(
      invalid(
        "fallback.model",
        "undefined",
        "model must be a string naming another model of the repository",
      ),
    );
  });

  it("refuses a shadow block written as null by the first key it lacks", () => {
    expect(refusal(() => parseShadowConfig("ranker", null))).toBe(
      invalid(
        "shadow.sample",
        "undefined",
        "sample must be a number from 0 to 1: the fraction of answered requests copied",
      ),
    );
  });
});
