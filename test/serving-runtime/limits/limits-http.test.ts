import { createHash } from "node:crypto";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { RunningServer } from "@hybridai/serving-runtime/src/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { identityModel, multiModel, repositoryWith } from "../helpers/models";
import { samplesOf, scrape } from "../helpers/prometheus-text";
import { startTestServer } from "../helpers/server";

const sha = (token: string) => createHash("sha256").update(token).digest("hex");
const TOKENS = { web: "web-6b1d0c", nightly: "nightly-93ad71", admin: "admin-51f0e2" };

let root: string;
let tokensFile: string;
let server: RunningServer;

const body = JSON.stringify({
  inputs: [{ name: "x", shape: [1, 3], datatype: "FP32", data: [1, 2, 3] }],
});

function infer(token: string | undefined, model = "identity_fp32") {
  return fetch(`${server.url}/v2/models/${model}/infer`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body,
  });
}

beforeAll(async () => {
  root = await repositoryWith([identityModel("FP32"), multiModel()]);
  const dir = await mkdtemp(path.join(tmpdir(), "hybridai-clients-"));
  tokensFile = path.join(dir, "tokens.json");
  await writeFile(
    tokensFile,
    JSON.stringify({
      clients: [
        // 1 request per 1000 s after a burst of 3: the 4th is refused for about 1000 s.
        {
          name: "web",
          token_sha256: sha(TOKENS.web),
          rate_per_second: 0.001,
          burst: 3,
          models: ["identity_fp32"],
        },
        { name: "nightly", token_sha256: sha(TOKENS.nightly), daily_quota: 2 },
        { name: "admin", token_sha256: sha(TOKENS.admin) },
      ],
    }),
  );
  server = await startTestServer(root, { tokensFile, metricsClientLabels: true });
});

afterAll(async () => {
  await server?.shutdown(5000);
});

describe("per-client limits over real HTTP", () => {
  it("refuses unknown and missing tokens with 401", async () => {
    for (const token of [undefined, "web", `${TOKENS.web}x`]) {
      const response = await infer(token);
      expect(response.status, String(token)).toBe(401);
      expect(response.headers.get("www-authenticate")).toMatch(/^Bearer/);
    }
    expect((await fetch(`${server.url}/v2/models/identity_fp32`)).status).toBe(401);
  });

  it("answers a client over its rate with 429 and Retry-After", async () => {
    for (let i = 0; i < 3; i++) expect((await infer(TOKENS.web)).status).toBe(200);
    const refused = await infer(TOKENS.web);
    expect(refused.status).toBe(429);
    const retryAfter = Number(refused.headers.get("retry-after"));
    // One token at 0.001/s takes 1000 s; a few ms passed while the burst was spent.
    expect(retryAfter).toBeGreaterThanOrEqual(990);
    expect(retryAfter).toBeLessThanOrEqual(1000);
    expect(await refused.json()).toEqual({
      error: `client 'web' is over its rate limit of 0.001 requests/s (burst 3); retry after ${retryAfter} s`,
    });
    // Other clients are not affected.
    expect((await infer(TOKENS.admin)).status).toBe(200);
  });

  it("answers a client past its daily quota with 429 and the seconds until 00:00 UTC", async () => {
    expect((await infer(TOKENS.nightly)).status).toBe(200);
    expect((await infer(TOKENS.nightly, "multi")).status).toBe(400); // admitted, then invalid
    const before = Date.now();
    const refused = await infer(TOKENS.nightly);
    const after = Date.now();
    expect(refused.status).toBe(429);
    const nextMidnight = (Math.floor(before / 86_400_000) + 1) * 86_400_000;
    const retryAfter = Number(refused.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThanOrEqual(Math.ceil((nextMidnight - after) / 1000));
    expect(retryAfter).toBeLessThanOrEqual(Math.ceil((nextMidnight - before) / 1000));
    expect(((await refused.json()) as { error: string }).error).toBe(
      `client 'nightly' has used its daily quota of 2 requests; it resets at 00:00 UTC, in ${retryAfter} s`,
    );
  });

  it("keeps a client to its models, for inference and metadata", async () => {
    // admin may call every model: its request reaches the model (and is invalid for it: 400).
    expect((await infer(TOKENS.admin, "multi")).status).toBe(400);
    const forbidden = await fetch(`${server.url}/v2/models/multi/infer`, {
      method: "POST",
      headers: { authorization: `Bearer ${TOKENS.web}`, "content-type": "application/json" },
      body,
    });
    expect(forbidden.status).toBe(403);
    expect(await forbidden.json()).toEqual({
      error: "client 'web' may not use model 'multi'; its tokens-file entry lists 'identity_fp32'",
    });
    const metadata = (model: string) =>
      fetch(`${server.url}/v2/models/${model}`, {
        headers: { authorization: `Bearer ${TOKENS.web}` },
      });
    expect((await metadata("multi")).status).toBe(403);
    expect((await metadata("identity_fp32")).status).toBe(200);
  });

  it("counts every client's requests by model and outcome, and the quota left", async () => {
    const page = await scrape(server.url);
    const count = (client: string, model: string, outcome: string) =>
      samplesOf(page, "hybridai_client_requests_total", { client, model, outcome })[0]?.value ?? 0;
    expect(count("web", "identity_fp32", "admitted")).toBe(3);
    expect(count("web", "identity_fp32", "rate_limited")).toBe(1);
    expect(count("web", "multi", "forbidden")).toBe(1);
    expect(count("admin", "identity_fp32", "admitted")).toBe(1);
    expect(count("admin", "multi", "admitted")).toBe(1);
    expect(count("nightly", "identity_fp32", "admitted")).toBe(1);
    expect(count("nightly", "multi", "admitted")).toBe(1);
    expect(count("nightly", "identity_fp32", "quota_exhausted")).toBe(1);
    expect(samplesOf(page, "hybridai_client_requests_total")).toHaveLength(8);
    expect(
      samplesOf(page, "hybridai_client_quota_remaining", { client: "nightly" })[0]?.value,
    ).toBe(0);
    expect(samplesOf(page, "hybridai_client_quota_remaining")).toHaveLength(1);
  });

  it("refuses a tokens file with a bad entry before serving, naming it", async () => {
    const bad = path.join(path.dirname(tokensFile), "bad.json");
    await writeFile(bad, JSON.stringify({ clients: [{ name: "x", token: "plain" }] }));
    await expect(startTestServer(root, { tokensFile: bad })).rejects.toThrow(
      /--tokens-file: '.*bad\.json': clients\[0\]/,
    );
  });
});
