import { createHash } from "node:crypto";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { ClientRegistry } from "@hybridai/serving-runtime/src/limits/client-registry";
import { DailyQuota } from "@hybridai/serving-runtime/src/limits/daily-quota";
import { LimitError } from "@hybridai/serving-runtime/src/limits/limit-error";
import { TokenBucket } from "@hybridai/serving-runtime/src/limits/token-bucket";
import { readTokensFile } from "@hybridai/serving-runtime/src/limits/tokens-file";
import { Registry } from "prom-client";
import { describe, expect, it } from "vitest";

const sha = (token: string) => createHash("sha256").update(token).digest("hex");

describe("token bucket", () => {
  it("lets a burst through, then refills at the rate", () => {
    const bucket = new TokenBucket(2, 3, 0);
    expect([bucket.take(0), bucket.take(0), bucket.take(0)]).toEqual([0, 0, 0]);
    expect(bucket.take(0)).toBeCloseTo(0.5, 12); // one token at 2/s: half a second
    expect(bucket.take(250)).toBeCloseTo(0.25, 12); // half a token refilled
    expect(bucket.take(500)).toBe(0);
    expect(bucket.take(10_000)).toBe(0); // refilled to the burst, not beyond
    expect([bucket.take(10_000), bucket.take(10_000)]).toEqual([0, 0]);
    expect(bucket.take(10_000)).toBeGreaterThan(0);
  });
});

describe("daily quota", () => {
  const midnight = Date.UTC(2026, 10, 30);
  it("counts per UTC day and says how long until 00:00 UTC", () => {
    const quota = new DailyQuota(2);
    const late = midnight - 90_000; // 23:58:30 UTC
    expect([quota.take(late), quota.take(late)]).toEqual([0, 0]);
    expect(quota.take(late)).toBe(90);
    expect(quota.remaining(late)).toBe(0);
    expect(quota.take(midnight)).toBe(0);
    expect(quota.remaining(midnight + 1000)).toBe(1);
  });
});

describe("client registry", () => {
  let now = 0;
  const clocks = { monotonic: () => now, wall: () => Date.UTC(2026, 10, 30, 12) };
  const registry = () =>
    new ClientRegistry(
      [
        {
          name: "web",
          token_sha256: sha("web-token"),
          rate_per_second: 1,
          burst: 2,
          models: ["mlp"],
        },
        { name: "batch", token_sha256: sha("batch-token").toUpperCase(), daily_quota: 1 },
      ],
      new Registry(),
      clocks,
    );

  it("identifies clients by their token, and nobody by a wrong or missing one", () => {
    const clients = registry();
    expect(clients.identify("Bearer web-token")?.name).toBe("web");
    expect(clients.identify("Bearer batch-token")?.name).toBe("batch");
    expect(clients.identify("Bearer web-token ")?.name).toBe("web");
    expect(clients.identify("Bearer web-tokeN")).toBeUndefined();
    expect(clients.identify("web-token")).toBeUndefined();
    expect(clients.identify(undefined)).toBeUndefined();
  });

  it("admits within the limits and refuses with the seconds to wait", () => {
    const clients = registry();
    const web = clients.identify("Bearer web-token");
    if (!web) throw new Error("web not identified");
    now = 0;
    clients.admit(web, "mlp");
    clients.admit(web, "mlp");
    let refusal: unknown;
    try {
      clients.admit(web, "mlp");
    } catch (error) {
      refusal = error;
    }
    expect(refusal).toBeInstanceOf(LimitError);
    expect((refusal as LimitError).status).toBe(429);
    expect((refusal as LimitError).retryAfterSeconds).toBe(1);
    expect((refusal as LimitError).message).toBe(
      "client 'web' is over its rate limit of 1 requests/s (burst 2); retry after 1 s",
    );
    now = 1000;
    expect(() => clients.admit(web, "mlp")).not.toThrow();
    expect(() => clients.admit(web, "simple")).toThrow(
      "client 'web' may not use model 'simple'; its tokens-file entry lists 'mlp'",
    );
    const batch = clients.identify("Bearer batch-token");
    if (!batch) throw new Error("batch not identified");
    clients.admit(batch, "simple");
    expect(() => clients.admit(batch, "simple")).toThrow(
      "client 'batch' has used its daily quota of 1 requests; it resets at 00:00 UTC, in 43200 s",
    );
  });
});

describe("tokens file", () => {
  const write = async (value: unknown) => {
    const dir = await mkdtemp(path.join(tmpdir(), "hybridai-tokens-"));
    const file = path.join(dir, "tokens.json");
    await writeFile(file, typeof value === "string" ? value : JSON.stringify(value));
    return file;
  };

  it("names the entry and what is allowed", async () => {
    const cases: [unknown, RegExp][] = [
      ["{", /is not JSON/],
      [{ clients: [] }, /clients: list at least one client/],
      [
        { clients: [{ name: "a", token_sha256: "abc" }] },
        /clients\[0\]\.token_sha256: give the token's SHA-256 as 64 hex digits/,
      ],
      [
        { clients: [{ name: "-a", token_sha256: sha("x") }] },
        /clients\[0\]\.name: names are 1-64 letters/,
      ],
      [
        { clients: [{ name: "a", token_sha256: sha("x"), burst: 5 }] },
        /clients\[0\]\.burst: burst needs rate_per_second/,
      ],
      [
        { clients: [{ name: "a", token_sha256: sha("x"), rate_per_second: 0 }] },
        /clients\[0\]\.rate_per_second/,
      ],
      [
        { clients: [{ name: "a", token_sha256: sha("x"), token: "x" }] },
        /clients\[0\]: Unrecognized key: "token"/,
      ],
      [
        {
          clients: [
            { name: "a", token_sha256: sha("x") },
            { name: "a", token_sha256: sha("y") },
          ],
        },
        /clients\[1\]\.name 'a' is used twice/,
      ],
      [
        {
          clients: [
            { name: "a", token_sha256: sha("x") },
            { name: "b", token_sha256: sha("x") },
          ],
        },
        /clients\[1\]\.token_sha256 is also another client's/,
      ],
    ];
    for (const [value, message] of cases) {
      await expect(
        readTokensFile(await write(value), "--tokens-file"),
        JSON.stringify(value),
      ).rejects.toThrow(message);
    }
    await expect(readTokensFile("/nonexistent/tokens.json", "--tokens-file")).rejects.toThrow(
      /--tokens-file: cannot read '\/nonexistent\/tokens.json'/,
    );
  });
});
