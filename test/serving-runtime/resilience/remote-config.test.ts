import { parseModelConfigText } from "@hybridai/serving-runtime/src/repository/pbtxt";
import {
  isRemoteFallback,
  parseFallbackConfig,
  ResilienceConfigError,
} from "@hybridai/serving-runtime/src/resilience/config";
import { fallbackTarget, shouldFallback } from "@hybridai/serving-runtime/src/resilience/fallback";
import { describe, expect, it } from "vitest";
import { planCloudFallback } from "../../../components/edge/cloud-fallback";

describe("remote fallback configuration", () => {
  it("reads the block EdgeFleet writes, with the endpoint breaker's defaults", () => {
    const written = planCloudFallback("edge", {
      url: "https://cloud.example.com/serving/",
      tokenSecret: "s3cret",
    });
    const config = parseFallbackConfig("ranker", JSON.parse(JSON.stringify(written)));
    expect(isRemoteFallback(config)).toBe(true);
    expect(config).toEqual({
      url: "https://cloud.example.com/serving",
      token_file: "/var/run/hybridai/fallback/token",
      timeout_ms: 5000,
      on: ["timeout", "error", "overload"],
      circuit_breaker: {
        failure_rate_threshold: 0.5,
        latency_quantile: 0.5,
        window_size: 20,
        minimum_requests: 10,
        open_duration_ms: 30_000,
        half_open_max_probes: 3,
      },
    });
  });

  it("falls back to the endpoint on listed conditions, an open breaker and an absent model", () => {
    const config = parseFallbackConfig("ranker", { url: "http://10.0.0.5:8000", on: ["overload"] });
    expect(fallbackTarget(config, "overload")).toBe("http://10.0.0.5:8000");
    expect(fallbackTarget(config, "circuit_open")).toBe("http://10.0.0.5:8000");
    expect(fallbackTarget(config, "absent")).toBe("http://10.0.0.5:8000");
    expect(shouldFallback(config, "error")).toBe(false);
    expect(shouldFallback(config, "timeout")).toBe(false);
  });

  it("a local fallback answers for an absent model too", () => {
    const config = parseFallbackConfig("ranker", { model: "small", on: ["error"] });
    expect(fallbackTarget(config, "absent")).toBe("small");
  });

  it("refuses bad endpoint blocks, naming the key, the value and what is allowed", () => {
    const cases: [unknown, RegExp][] = [
      [
        { url: "https://a.example.com", model: "small" },
        /config\.json fallback = .* is invalid: give either model .* or url .*, not both/,
      ],
      [{}, /fallback = an object is invalid: name model .* or url/],
      [
        { url: "ftp://a.example.com" },
        /fallback\.url = "ftp:\/\/a\.example\.com" is invalid: url must start with http:\/\/ or https:\/\//,
      ],
      [{ url: "cloud:8000" }, /fallback\.url = "cloud:8000" is invalid: url must start with http/],
      [{ url: "not a url" }, /fallback\.url = "not a url" is invalid: url must be an absolute/],
      [
        { url: "https://u:p@a.example.com" },
        /url must not carry credentials; put the bearer token in token_file/,
      ],
      [{ url: "https://a.example.com/?x=1" }, /url must not carry a query or fragment/],
      [
        { url: "https://a.example.com", timeout_ms: 0 },
        /fallback\.timeout_ms = 0 is invalid: timeout_ms must be at least 1/,
      ],
      [{ url: "https://a.example.com", timeout_ms: 1.5 }, /timeout_ms must be a whole number/],
      [{ url: "https://a.example.com", token_file: "" }, /fallback\.token_file = "" is invalid/],
      [
        { url: "https://a.example.com", on: [] },
        /fallback\.on = an array of 0 is invalid: on must list at least one condition/,
      ],
      [{ url: "https://a.example.com", on: ["error", "error"] }, /on must not repeat a condition/],
      [
        { url: "https://a.example.com", retries: 3 },
        /fallback\.retries = 3 is invalid: unknown key; allowed keys are url, token_file, timeout_ms, on, circuit_breaker/,
      ],
      [
        { url: "https://a.example.com", circuit_breaker: { window_size: 0 } },
        /fallback\.circuit_breaker\.window_size = 0 is invalid: window_size must be at least 1/,
      ],
      [
        { url: "https://a.example.com", circuit_breaker: { windows: 3 } },
        /fallback\.circuit_breaker\.windows = 3 is invalid: unknown key/,
      ],
    ];
    expect(cases.length).toBe(15);
    for (const [block, message] of cases) {
      expect(() => parseFallbackConfig("ranker", block), JSON.stringify(block)).toThrow(message);
      expect(() => parseFallbackConfig("ranker", block)).toThrow(ResilienceConfigError);
    }
  });

  it("reads a remote fallback from config.pbtxt", () => {
    const raw = parseModelConfigText(
      'fallback { url: "https://cloud.example.com" token_file: "/t" timeout_ms: 800 on: [ "overload" ] circuit_breaker { minimum_requests: 2 window_size: 4 } }',
    );
    expect(raw.fallback).toEqual({
      url: "https://cloud.example.com",
      token_file: "/t",
      timeout_ms: 800,
      on: ["overload"],
      circuit_breaker: { minimum_requests: 2, window_size: 4 },
    });
    const config = parseFallbackConfig("ranker", raw.fallback);
    expect(isRemoteFallback(config) && config.circuit_breaker.window_size).toBe(4);
  });
});
