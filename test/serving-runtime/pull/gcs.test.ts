import { readdir, stat } from "node:fs/promises";
import path from "node:path";
import { type PullOptions, pullModelRepository } from "@hybridai/serving-runtime/src/pull";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startFakeGcs } from "./helpers/fake-gcs";
import type { ObjectServer } from "./helpers/object-server";
import {
  digestsOf,
  manifestOf,
  type RepositoryFiles,
  readTree,
  removeDirectory,
  sampleRepository,
  temporaryDirectory,
} from "./helpers/repository";

let gcs: ObjectServer;
let work: string;
const files: RepositoryFiles = sampleRepository();

beforeAll(async () => {
  gcs = await startFakeGcs(["models"]);
  for (const [name, content] of Object.entries(files))
    gcs.objects.set(`models/repo/${name}`, content);
  const manifest = manifestOf(files);
  for (const [name, content] of Object.entries(files))
    gcs.objects.set(`models/signed/${name}`, content);
  gcs.objects.set("models/signed/manifest.json", Buffer.from(JSON.stringify(manifest)));
});

afterAll(async () => {
  await gcs.close();
});

beforeEach(async (context) => {
  work = await temporaryDirectory();
  gcs.faults.clear();
  gcs.requests.length = 0;
  context.onTestFinished(() => removeDirectory(work));
});

function pull(from: string, extra: Partial<PullOptions> = {}) {
  return pullModelRepository({
    from,
    to: path.join(work, "models"),
    gcs: { apiEndpoint: gcs.url, projectId: "test" },
    retry: { baseDelayMs: 5 },
    // The GCS SDK's stream never ends when the server drops the connection: the stall timer catches it.
    stallTimeoutMs: 500,
    ...extra,
  });
}

describe("pull from gs:// through @google-cloud/storage", () => {
  it("lays the whole prefix into the target, across list pages, checking sizes", async () => {
    const result = await pull("gs://models/repo");
    expect(await readTree(path.join(work, "models"))).toEqual(digestsOf(files));
    expect(result).toMatchObject({ files: 4, verified: "size" });
    expect(gcs.requests.filter((r) => r.includes("pageToken=")).length).toBeGreaterThan(0);
  });

  it("verifies SHA-256 when the prefix has a manifest, and leaves the manifest out", async () => {
    const result = await pull("gs://models/signed/");
    expect(result.verified).toBe("sha256");
    expect(await readTree(path.join(work, "models"))).toEqual(digestsOf(files));
  });

  it("retries a 503 and a connection dropped mid-body, then succeeds", async () => {
    gcs.faults.set("models/repo/ranker/1/model.onnx", [{ status: 503 }, { drop: "mid-body" }]);
    const retries: unknown[] = [];
    await pull("gs://models/repo", {
      retry: { baseDelayMs: 5, onRetry: (_, e) => retries.push(e) },
    });
    expect(retries).toHaveLength(2);
    expect(await readTree(path.join(work, "models"))).toEqual(digestsOf(files));
  });

  it("gives up after the last attempt of an interrupted transfer and leaves nothing behind", async () => {
    gcs.faults.set(
      "models/repo/ranker/1/model.onnx",
      Array.from({ length: 3 }, () => ({ drop: "mid-body" as const })),
    );
    await expect(
      pull("gs://models/repo", { retry: { attempts: 3, baseDelayMs: 5 } }),
    ).rejects.toThrow();
    await expect(stat(path.join(work, "models"))).rejects.toThrow(/ENOENT/);
    expect(await readdir(work)).toEqual([]);
  });

  it("does not retry a 403", async () => {
    gcs.faults.set("models/repo/embedder/1/model.onnx", [{ status: 403 }]);
    const retries: unknown[] = [];
    await expect(
      pull("gs://models/repo", { retry: { onRetry: (_, e) => retries.push(e) } }),
    ).rejects.toThrow();
    expect(retries).toEqual([]);
    expect(await readdir(work)).toEqual([]);
  });

  it("retries a throttled listing", async () => {
    gcs.faults.set("list:models", [{ status: 429 }]);
    await pull("gs://models/repo");
    expect(gcs.requests.filter((r) => r.startsWith("GET /storage/v1/b/models/o?")).length).toBe(3);
  });

  it("refuses object names that escape the prefix", async () => {
    gcs.objects.set("models/evil/../../etc/cron.d/job", Buffer.from("x"));
    await expect(pull("gs://models/evil")).rejects.toThrow(/"\.\." segment/);
    expect(await readdir(work)).toEqual([]);
  });

  it("reports an empty prefix clearly", async () => {
    await expect(pull("gs://models/nothing-here")).rejects.toThrow(
      "gs://models/nothing-here: no objects found under this prefix",
    );
  });
});
