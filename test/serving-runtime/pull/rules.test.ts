import {
  backoffDelay,
  HttpStatusError,
  isTransientError,
  PullError,
  parseManifest,
  parseSourceUri,
  withRetry,
} from "@hybridai/serving-runtime/src/pull";
import { describe, expect, it } from "vitest";

describe("parseSourceUri", () => {
  it("parses each scheme", () => {
    expect(parseSourceUri("s3://bucket/models/ranker")).toMatchObject({
      kind: "s3",
      bucket: "bucket",
      prefix: "models/ranker/",
    });
    expect(parseSourceUri("gs://b-1/")).toMatchObject({ kind: "gcs", bucket: "b-1", prefix: "" });
    expect(parseSourceUri("https://host/a/b/")).toMatchObject({
      kind: "http",
      baseUrl: "https://host/a/b",
    });
    expect(parseSourceUri("file:///srv/models")).toMatchObject({
      kind: "file",
      directory: "/srv/models",
    });
  });

  it.each([
    ["ftp://host/x", /scheme "ftp" is not supported/],
    ["s3://KEY:SECRET@bucket/x", /credentials in the URI are refused/],
    ["s3://B/x", /is not a valid bucket name/],
    ["http://example.com/x", /plain http is refused/],
    ["file://remote/x", /must be local/],
    ["models/ranker", /is not a URI/],
  ])("refuses %s", (uri, message) => {
    expect(() => parseSourceUri(uri)).toThrow(message);
  });
});

describe("parseManifest", () => {
  const sha = "a".repeat(64);
  it("accepts the documented shape", () => {
    expect(
      parseManifest(
        JSON.stringify({ files: [{ path: "m/1/model.onnx", size: 3, sha256: sha }] }),
        "s3://b/p",
      ),
    ).toEqual({ files: [{ path: "m/1/model.onnx", size: 3, sha256: sha }] });
  });
  it.each([
    [{ files: [{ path: "../x", size: 1, sha256: sha }] }, /"\.\." segment/],
    [{ files: [{ path: "/etc/x", size: 1, sha256: sha }] }, /absolute path/],
    [{ files: [{ path: "a\\b", size: 1, sha256: sha }] }, /backslash/],
    [
      { files: [{ path: "x", size: 1, sha256: "ABC" }] },
      /files\.0\.sha256: must be 64 lowercase hex digits/,
    ],
    [{ files: [] }, /must list at least one file/],
    [
      {
        files: [
          { path: "x", size: 1, sha256: sha },
          { path: "x", size: 1, sha256: sha },
        ],
      },
      /lists "x" twice/,
    ],
  ])("refuses %j", (manifest, message) => {
    expect(() => parseManifest(JSON.stringify(manifest), "s3://b/p")).toThrow(message);
  });
});

describe("retry", () => {
  it("classifies errors", () => {
    expect(isTransientError(new HttpStatusError("u", 503))).toBe(true);
    expect(isTransientError(new HttpStatusError("u", 429))).toBe(true);
    expect(isTransientError(new HttpStatusError("u", 404))).toBe(false);
    expect(isTransientError({ name: "SlowDown", $metadata: { httpStatusCode: 503 } })).toBe(true);
    expect(isTransientError({ name: "AccessDenied", $metadata: { httpStatusCode: 403 } })).toBe(
      false,
    );
    expect(isTransientError({ code: 500, message: "backend" })).toBe(true);
    expect(
      isTransientError(Object.assign(new Error("read ECONNRESET"), { code: "ECONNRESET" })),
    ).toBe(true);
    expect(
      isTransientError(new TypeError("fetch failed", { cause: { code: "UND_ERR_SOCKET" } })),
    ).toBe(true);
    expect(isTransientError(new PullError("bad"))).toBe(false);
  });

  it("backs off exponentially with full jitter, capped", () => {
    const top = () => 0.999999;
    expect(backoffDelay(1, { baseDelayMs: 100, random: top })).toBe(99);
    expect(backoffDelay(4, { baseDelayMs: 100, random: top })).toBe(799);
    expect(backoffDelay(20, { baseDelayMs: 100, maxDelayMs: 1000, random: top })).toBe(999);
    expect(backoffDelay(3, { baseDelayMs: 100, random: () => 0 })).toBe(0);
  });

  it("retries transient errors up to the attempt limit and permanent ones never", async () => {
    let calls = 0;
    await expect(
      withRetry(
        async () => {
          calls++;
          throw new HttpStatusError("u", 500);
        },
        { attempts: 3, baseDelayMs: 1 },
      ),
    ).rejects.toThrow("HTTP 500");
    expect(calls).toBe(3);
    calls = 0;
    await expect(
      withRetry(
        async () => {
          calls++;
          throw new HttpStatusError("u", 400);
        },
        { attempts: 3, baseDelayMs: 1 },
      ),
    ).rejects.toThrow("HTTP 400");
    expect(calls).toBe(1);
    expect(
      await withRetry(async (n) => (n < 2 ? Promise.reject(new PullError("t", true)) : n), {
        baseDelayMs: 1,
      }),
    ).toBe(2);
  });
});
