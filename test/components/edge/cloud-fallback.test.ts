import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { edge, HybridAiConfigError } from "pulumi-hybridai";
import { describe, expect, it } from "vitest";

const { planCloudFallback, MERGE_MODEL_CONFIG_SCRIPT } = edge;

describe("planCloudFallback", () => {
  it("produces the runtime's remote fallback block, with defaults", () => {
    expect(planCloudFallback("EdgeFleet", { url: "https://ranker.example.com" })).toEqual({
      url: "https://ranker.example.com",
      timeout_ms: 5000,
      on: ["timeout", "error", "overload"],
    });
    expect(
      planCloudFallback("EdgeFleet", {
        url: "https://ranker.example.com/v2",
        tokenSecret: "s3cret",
        timeoutMs: 800,
        on: ["overload"],
      }),
    ).toEqual({
      url: "https://ranker.example.com/v2",
      token_file: "/var/run/hybridai/fallback/token",
      timeout_ms: 800,
      on: ["overload"],
    });
  });

  it("refuses a URL that is not http(s), a timeout out of range and bad conditions", () => {
    const fieldOf = (fallback: Parameters<typeof planCloudFallback>[1]) => {
      try {
        planCloudFallback("EdgeFleet", fallback);
      } catch (error) {
        expect(error).toBeInstanceOf(HybridAiConfigError);
        return (error as HybridAiConfigError).field;
      }
      return "accepted";
    };
    expect(fieldOf({ url: "ftp://models.example.com" })).toBe("cloudFallback.url");
    expect(fieldOf({ url: "ranker.example.com" })).toBe("cloudFallback.url");
    expect(fieldOf({ url: "https://r.example.com", timeoutMs: 0 })).toBe("cloudFallback.timeoutMs");
    expect(fieldOf({ url: "https://r.example.com", timeoutMs: 1.5 })).toBe(
      "cloudFallback.timeoutMs",
    );
    expect(fieldOf({ url: "https://r.example.com", on: [] })).toBe("cloudFallback.on");
    expect(fieldOf({ url: "https://r.example.com", on: ["timeout", "timeout"] })).toBe(
      "cloudFallback.on",
    );
    expect(fieldOf({ url: "https://r.example.com", on: ["slow"] as unknown as ["timeout"] })).toBe(
      "cloudFallback.on",
    );
    expect(fieldOf({ url: "http://10.0.0.5:8000" })).toBe("accepted");
  });
});

describe("the model-config init container's program, run with node", () => {
  const overlay = JSON.stringify({
    fallback: { url: "https://cloud.example.com", timeout_ms: 900, on: ["error"] },
  });
  const run = (file: string) =>
    execFileSync(process.execPath, ["-e", MERGE_MODEL_CONFIG_SCRIPT, overlay, file], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
    });

  it("sets the fallback in the store's config.json and keeps every other key", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "edge-config-"));
    const file = path.join(dir, "config.json");
    writeFileSync(
      file,
      JSON.stringify({ max_batch_size: 8, fallback: { model: "small" }, dynamic_batching: {} }),
    );
    run(file);
    expect(JSON.parse(readFileSync(file, "utf8"))).toEqual({
      max_batch_size: 8,
      dynamic_batching: {},
      fallback: { url: "https://cloud.example.com", timeout_ms: 900, on: ["error"] },
    });
  });

  it("creates config.json when the store has none", () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), "edge-config-")), "config.json");
    run(file);
    expect(JSON.parse(readFileSync(file, "utf8"))).toEqual(JSON.parse(overlay));
  });

  it("fails, leaving the file alone, when config.json is not a JSON object", () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), "edge-config-")), "config.json");
    writeFileSync(file, "[1, 2]");
    expect(() => run(file)).toThrow(/does not hold a JSON object/);
    expect(readFileSync(file, "utf8")).toBe("[1, 2]");
  });
});
