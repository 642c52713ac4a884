import { randomBytes } from "node:crypto";
import path from "node:path";
import { pullModelRepository } from "@hybridai/serving-runtime/src/pull";
import { type SyncOptions, syncModelVersion } from "@hybridai/serving-runtime/src/sync";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type FakeGcs, startFakeGcs } from "../pull/helpers/fake-gcs";
import {
  digestsOf,
  manifestOf,
  type RepositoryFiles,
  readTree,
  removeDirectory,
  sampleRepository,
  temporaryDirectory,
} from "../pull/helpers/repository";
import { type LocalS3, startLocalS3, underPrefix } from "../pull/helpers/s3";

let s3: LocalS3;
let gcs: FakeGcs;
let work: string;
/** Prefixes are unique per test, so tests share the two servers without seeing each other. */
let prefix: string;
let counter = 0;

beforeAll(async () => {
  s3 = await startLocalS3(["aws-models"]);
  gcs = await startFakeGcs(["gcp-models"]);
});

afterAll(async () => {
  await s3.destroy();
  await gcs.close();
});

beforeEach(async (context) => {
  work = await temporaryDirectory();
  prefix = `t${++counter}`;
  gcs.faults.clear();
  gcs.requests.length = 0;
  context.onTestFinished(() => removeDirectory(work));
});

const clients = () => ({
  s3: { endpoint: s3.endpoint, forcePathStyle: true },
  gcs: { apiEndpoint: gcs.url, projectId: "test" },
});

function sync(from: string, to: string, extra: Partial<SyncOptions> = {}) {
  return syncModelVersion({ from, to, ...clients(), retry: { baseDelayMs: 5 }, ...extra });
}

/** Pulls `from` into a fresh folder and returns path → SHA-256 of what was laid. */
async function pulled(from: string): Promise<Record<string, string>> {
  const to = path.join(work, `pulled-${randomBytes(4).toString("hex")}`);
  await pullModelRepository({ from, to, ...clients(), retry: { attempts: 1 } });
  return readTree(to);
}

function putGcs(objects: Record<string, Buffer>): void {
  for (const [name, content] of Object.entries(objects))
    gcs.objects.set(`gcp-models/${name}`, content);
}

const uploads = () => gcs.requests.filter((r) => r.startsWith("POST ") && r.includes("/upload/"));

describe("hybridai-serve sync from S3 to GCS", () => {
  it("copies the version, manifest byte for byte, with each file's SHA-256 recorded", async () => {
    const files = sampleRepository();
    const objects = underPrefix(`${prefix}/ranker`, files, manifestOf(files));
    await s3.put("aws-models", objects);
    const result = await sync(
      `s3://aws-models/${prefix}/ranker`,
      `gs://gcp-models/${prefix}/ranker`,
    );
    expect(result).toMatchObject({
      files: 4,
      copied: 4,
      skipped: 0,
      bytesCopied: 440020,
      replaced: [],
      manifest: "written",
    });
    expect(gcs.objects.get(`gcp-models/${prefix}/ranker/manifest.json`)).toEqual(
      objects[`${prefix}/ranker/manifest.json`],
    );
    const manifest = manifestOf(files);
    expect(gcs.metadata.get(`gcp-models/${prefix}/ranker/ranker/1/model.onnx`)).toEqual({
      sha256: manifest.files.find((f) => f.path === "ranker/1/model.onnx")?.sha256,
    });
    expect(await pulled(`gs://gcp-models/${prefix}/ranker`)).toEqual(digestsOf(files));
    // The manifest is the last object uploaded.
    const posted = uploads();
    expect(posted).toHaveLength(5);
    expect(posted[4]).toContain(`name=${encodeURIComponent(`${prefix}/ranker/manifest.json`)}`);
  });

  it("is idempotent: a second run uploads nothing; a missing file is copied again", async () => {
    const files = sampleRepository();
    await s3.put("aws-models", underPrefix(`${prefix}/r`, files, manifestOf(files)));
    await sync(`s3://aws-models/${prefix}/r`, `gs://gcp-models/${prefix}/r`);
    gcs.requests.length = 0;
    const again = await sync(`s3://aws-models/${prefix}/r`, `gs://gcp-models/${prefix}/r`);
    expect(again).toMatchObject({ copied: 0, skipped: 4, manifest: "unchanged" });
    expect(uploads()).toEqual([]);
    gcs.objects.delete(`gcp-models/${prefix}/r/embedder/1/model.onnx`);
    const repaired = await sync(`s3://aws-models/${prefix}/r`, `gs://gcp-models/${prefix}/r`);
    expect(repaired).toMatchObject({ copied: 1, skipped: 3, manifest: "unchanged" });
    expect(await pulled(`gs://gcp-models/${prefix}/r`)).toEqual(digestsOf(files));
  });

  it("copies again a file present with the right size but another content", async () => {
    const files = sampleRepository();
    await s3.put("aws-models", underPrefix(`${prefix}/r`, files, manifestOf(files)));
    putGcs({ [`${prefix}/r/ranker/2/model.onnx`]: randomBytes(150_000) });
    const result = await sync(`s3://aws-models/${prefix}/r`, `gs://gcp-models/${prefix}/r`);
    expect(result.copied).toBe(4);
    expect(await pulled(`gs://gcp-models/${prefix}/r`)).toEqual(digestsOf(files));
  });

  it("retries an upload that failed with 503 or lost its connection", async () => {
    const files = sampleRepository();
    await s3.put("aws-models", underPrefix(`${prefix}/r`, files, manifestOf(files)));
    gcs.faults.set(`upload:gcp-models/${prefix}/r/ranker/1/model.onnx`, [
      { status: 503 },
      { drop: "mid-body" },
    ]);
    const retries: unknown[] = [];
    await sync(`s3://aws-models/${prefix}/r`, `gs://gcp-models/${prefix}/r`, {
      retry: { baseDelayMs: 5, onRetry: (_, error) => retries.push(error) },
    });
    expect(retries).toHaveLength(2);
    expect(await pulled(`gs://gcp-models/${prefix}/r`)).toEqual(digestsOf(files));
  });

  it("a failure mid-sync leaves the target readable at its previous version; the next run finishes", async () => {
    const v1 = sampleRepository();
    await s3.put("aws-models", underPrefix(`${prefix}/v1`, v1, manifestOf(v1)));
    await sync(`s3://aws-models/${prefix}/v1`, `gs://gcp-models/${prefix}/live`);
    const v2: RepositoryFiles = {
      ...v1,
      "ranker/3/model.onnx": randomBytes(120_000),
      "ranker/4/model.onnx": randomBytes(80_000),
    };
    await s3.put("aws-models", underPrefix(`${prefix}/v2`, v2, manifestOf(v2)));
    gcs.faults.set(`upload:gcp-models/${prefix}/live/ranker/4/model.onnx`, [{ status: 403 }]);
    await expect(
      sync(`s3://aws-models/${prefix}/v2`, `gs://gcp-models/${prefix}/live`, { concurrency: 1 }),
    ).rejects.toThrow();
    // Part of v2 reached the target, but its manifest did not: readers get v1 exactly.
    expect(gcs.objects.has(`gcp-models/${prefix}/live/ranker/3/model.onnx`)).toBe(true);
    expect(await pulled(`gs://gcp-models/${prefix}/live`)).toEqual(digestsOf(v1));

    const resumed = await sync(`s3://aws-models/${prefix}/v2`, `gs://gcp-models/${prefix}/live`);
    expect(resumed).toMatchObject({ copied: 1, skipped: 5, manifest: "written" });
    expect(await pulled(`gs://gcp-models/${prefix}/live`)).toEqual(digestsOf(v2));
  });

  it("replaces changed paths last and reports them; a reader of a half-synced target is refused, never served a mix", async () => {
    const v1 = sampleRepository();
    await s3.put("aws-models", underPrefix(`${prefix}/v1`, v1, manifestOf(v1)));
    await sync(`s3://aws-models/${prefix}/v1`, `gs://gcp-models/${prefix}/live`);
    const v2: RepositoryFiles = {
      ...v1,
      // Same size as v1's, so only the SHA-256 tells them apart.
      "ranker/config.json": Buffer.from(JSON.stringify({ max_batch_size: 9 })),
    };
    await s3.put("aws-models", underPrefix(`${prefix}/v2`, v2, manifestOf(v2)));
    gcs.faults.set(`upload:gcp-models/${prefix}/live/manifest.json`, [{ status: 403 }]);
    const lines: string[] = [];
    await expect(
      sync(`s3://aws-models/${prefix}/v2`, `gs://gcp-models/${prefix}/live`, {
        log: (l) => lines.push(l),
      }),
    ).rejects.toThrow();
    expect(lines.join("\n")).toContain(
      "warning: 1 file(s) replace content the target's current manifest names (ranker/config.json)",
    );
    await expect(pulled(`gs://gcp-models/${prefix}/live`)).rejects.toThrow(
      /"ranker\/config\.json" has SHA-256 [0-9a-f]{64}, but the manifest says [0-9a-f]{64}/,
    );
    const finished = await sync(`s3://aws-models/${prefix}/v2`, `gs://gcp-models/${prefix}/live`);
    expect(finished).toMatchObject({ copied: 0, manifest: "written" });
    expect(await pulled(`gs://gcp-models/${prefix}/live`)).toEqual(digestsOf(v2));
  });

  it("never uploads a file whose content does not match the source's manifest", async () => {
    const files = sampleRepository();
    const manifest = manifestOf(files);
    manifest.files[1].sha256 = "0".repeat(64);
    await s3.put("aws-models", underPrefix(`${prefix}/bad`, files, manifest));
    await expect(
      sync(`s3://aws-models/${prefix}/bad`, `gs://gcp-models/${prefix}/bad`),
    ).rejects.toThrow(/has SHA-256 [0-9a-f]{64}, but the manifest says 0{64}/);
    expect(gcs.objects.has(`gcp-models/${prefix}/bad/${manifest.files[1].path}`)).toBe(false);
    expect(gcs.objects.has(`gcp-models/${prefix}/bad/manifest.json`)).toBe(false);
  });
});

describe("hybridai-serve sync from GCS to S3", () => {
  it("copies the version, and a second run copies nothing", async () => {
    const files = sampleRepository();
    putGcs(underPrefix(`${prefix}/ranker`, files, manifestOf(files)));
    const first = await sync(
      `gs://gcp-models/${prefix}/ranker`,
      `s3://aws-models/${prefix}/ranker`,
    );
    expect(first).toMatchObject({ copied: 4, manifest: "written" });
    expect(await pulled(`s3://aws-models/${prefix}/ranker`)).toEqual(digestsOf(files));
    const second = await sync(
      `gs://gcp-models/${prefix}/ranker`,
      `s3://aws-models/${prefix}/ranker`,
    );
    expect(second).toMatchObject({ copied: 0, skipped: 4, manifest: "unchanged" });
  });

  it("uploads a file larger than a part as a multipart upload, SHA-256 recorded", async () => {
    const files: RepositoryFiles = { "big/1/model.onnx": randomBytes(17 * 1024 * 1024 + 5) };
    putGcs(underPrefix(`${prefix}/big`, files, manifestOf(files)));
    const result = await sync(`gs://gcp-models/${prefix}/big`, `s3://aws-models/${prefix}/big`);
    expect(result).toMatchObject({ copied: 1, bytesCopied: 17 * 1024 * 1024 + 5 });
    expect(await pulled(`s3://aws-models/${prefix}/big`)).toEqual(digestsOf(files));
    const again = await sync(`gs://gcp-models/${prefix}/big`, `s3://aws-models/${prefix}/big`);
    expect(again).toMatchObject({ copied: 0, skipped: 1 });
  });

  it("a source that breaks mid-sync leaves the S3 target readable at its previous version", async () => {
    const v1 = sampleRepository();
    putGcs(underPrefix(`${prefix}/v1`, v1, manifestOf(v1)));
    await sync(`gs://gcp-models/${prefix}/v1`, `s3://aws-models/${prefix}/live`);
    const v2: RepositoryFiles = { ...v1, "embedder/2/model.onnx": randomBytes(70_000) };
    putGcs(underPrefix(`${prefix}/v2`, v2, manifestOf(v2)));
    gcs.faults.set(
      `gcp-models/${prefix}/v2/embedder/2/model.onnx`,
      Array.from({ length: 2 }, () => ({ drop: "mid-body" as const })),
    );
    await expect(
      sync(`gs://gcp-models/${prefix}/v2`, `s3://aws-models/${prefix}/live`, {
        retry: { attempts: 2, baseDelayMs: 5 },
        stallTimeoutMs: 500,
      }),
    ).rejects.toThrow();
    expect(await pulled(`s3://aws-models/${prefix}/live`)).toEqual(digestsOf(v1));
    const resumed = await sync(`gs://gcp-models/${prefix}/v2`, `s3://aws-models/${prefix}/live`);
    expect(resumed).toMatchObject({ copied: 1, skipped: 4, manifest: "written" });
    expect(await pulled(`s3://aws-models/${prefix}/live`)).toEqual(digestsOf(v2));
  });
});

describe("sync refuses", () => {
  it("a source without a manifest, and a target it cannot write", async () => {
    await s3.put("aws-models", underPrefix(`${prefix}/plain`, sampleRepository()));
    await expect(
      sync(`s3://aws-models/${prefix}/plain`, `gs://gcp-models/${prefix}/x`),
    ).rejects.toThrow(
      `s3://aws-models/${prefix}/plain has no manifest.json; sync copies a version with its manifest`,
    );
    await expect(sync(`s3://aws-models/${prefix}/plain`, "file:///tmp/x")).rejects.toThrow(
      "--to file:///tmp/x: only s3://bucket/prefix and gs://bucket/prefix can be written",
    );
    await expect(sync(`s3://aws-models/${prefix}/plain`, "gs://UPPER/x")).rejects.toThrow(
      /^--to gs:\/\/UPPER\/x: "UPPER" is not a valid bucket name/,
    );
  });
});
