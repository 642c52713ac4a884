import { createHash } from "node:crypto";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { RunningServer } from "@hybridai/serving-runtime/src/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "../helpers/free-port";
import { openInferStream, TestGrpcClient } from "../helpers/grpc-client";
import { identityModel, multiModel, repositoryWith } from "../helpers/models";
import { samplesOf, scrape } from "../helpers/prometheus-text";
import { startTestServer } from "../helpers/server";

// The tokens file (--tokens-file) over gRPC: the same clients, allow-lists, rate limits and
// quotas as HTTP, answered with gRPC codes (UNAUTHENTICATED, PERMISSION_DENIED,
// RESOURCE_EXHAUSTED with a retry-after trailer).

const sha = (token: string) => createHash("sha256").update(token).digest("hex");
const TOKENS = { web: "web-6b1d0c", nightly: "nightly-93ad71" };
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const request = (model = "identity_fp32") => ({
  model_name: model,
  inputs: [{ name: "x", datatype: "FP32", shape: [1, 3], contents: { fp32_contents: [1, 2, 3] } }],
});

let server: RunningServer;
let client: TestGrpcClient;

beforeAll(async () => {
  const root = await repositoryWith([identityModel("FP32"), multiModel()]);
  const tokensFile = path.join(await mkdtemp(path.join(tmpdir(), "hybridai-grpc-clients-")), "t");
  await writeFile(
    tokensFile,
    JSON.stringify({
      clients: [
        // A burst of 2, then 1 request per 1000 s: the 3rd is refused for about 1000 s.
        {
          name: "web",
          token_sha256: sha(TOKENS.web),
          rate_per_second: 0.001,
          burst: 2,
          models: ["identity_fp32"],
        },
        { name: "nightly", token_sha256: sha(TOKENS.nightly), daily_quota: 1 },
      ],
    }),
  );
  server = await startTestServer(root, {
    tokensFile,
    grpcPort: await freePort(),
    metricsClientLabels: true,
  });
  client = new TestGrpcClient(server.grpc?.address ?? "");
});

afterAll(async () => {
  client.close();
  await server.shutdown(5000);
});

describe("per-client limits over gRPC", () => {
  it("refuses calls without a token of the tokens file, health and liveness aside", async () => {
    for (const metadata of [{}, bearer("web"), bearer(`${TOKENS.web}x`)]) {
      const error = await client.error("ModelInfer", request(), metadata);
      expect(error.code).toBe(16);
      expect(error.details).toBe("this endpoint needs 'Authorization: Bearer <token>'");
    }
    expect((await client.error("ServerMetadata", {})).code).toBe(16);
    expect((await client.ok("ServerLive", {})).live).toBe(true);
  });

  it("keeps a client to the models its entry lists, on inference and metadata", async () => {
    const inference = await client.error("ModelInfer", request("multi"), bearer(TOKENS.web));
    expect(inference.code).toBe(7);
    expect(inference.details).toBe(
      "client 'web' may not use model 'multi'; its tokens-file entry lists 'identity_fp32'",
    );
    const metadata = await client.error("ModelMetadata", { name: "multi" }, bearer(TOKENS.web));
    expect(metadata.code).toBe(7);
    expect(metadata.details).toBe(inference.details);
    const allowed = await client.ok("ModelMetadata", { name: "identity_fp32" }, bearer(TOKENS.web));
    expect(allowed.name).toBe("identity_fp32");
  });

  it("answers RESOURCE_EXHAUSTED with a retry-after trailer past the rate limit, on unary calls and streams", async () => {
    for (let i = 0; i < 2; i++) await client.ok("ModelInfer", request(), bearer(TOKENS.web));
    const result = await client.call("ModelInfer", request(), bearer(TOKENS.web));
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.code).toBe(8);
    expect(result.error.details).toMatch(
      /^client 'web' is over its rate limit of 0\.001 requests\/s \(burst 2\); retry after \d+ s$/,
    );
    const seconds = Number(result.error.metadata.get("retry-after")[0]);
    expect(seconds).toBeGreaterThanOrEqual(990);
    expect(seconds).toBeLessThanOrEqual(1000);

    const stream = openInferStream(client, bearer(TOKENS.web));
    stream.send(request());
    const [answer] = await stream.next(1);
    expect(answer.error_message).toMatch(/^client 'web' is over its rate limit/);
    expect((await stream.finish()).code).toBe(0);
  });

  it("counts a client's daily quota and exports the outcomes per client", async () => {
    await client.ok("ModelInfer", request(), bearer(TOKENS.nightly));
    const refused = await client.error("ModelInfer", request(), bearer(TOKENS.nightly));
    expect(refused.code).toBe(8);
    expect(refused.details).toMatch(/^client 'nightly' has used its daily quota of 1/);
    const nightly = samplesOf(await scrape(server.url), "hybridai_client_requests_total", {
      client: "nightly",
    });
    expect(nightly.map((sample) => [sample.labels.outcome, sample.value]).sort()).toEqual([
      ["admitted", 1],
      ["quota_exhausted", 1],
    ]);
  });
});
