import { createHash, randomBytes } from "node:crypto";
import { mkdir, readdir, readFile, rm, stat, utimes, writeFile } from "node:fs/promises";
import path from "node:path";
import { runPullCommand } from "@hybridai/serving-runtime/src/pull";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  digestsOf,
  manifestOf,
  readTree,
  removeDirectory,
  sampleRepository,
  temporaryDirectory,
} from "./helpers/repository";
import { type LocalS3, startLocalS3, underPrefix } from "./helpers/s3";

let s3: LocalS3;
let work: string;
let out: string[];
let err: string[];
const io = { out: (l: string) => out.push(l), err: (l: string) => err.push(l) };

beforeAll(async () => {
  s3 = await startLocalS3(["models"]);
  process.env.AWS_ENDPOINT_URL_S3 = s3.endpoint;
});

afterAll(async () => {
  delete process.env.AWS_ENDPOINT_URL_S3;
  await s3.destroy();
});

beforeEach(async (context) => {
  work = await temporaryDirectory();
  out = [];
  err = [];
  context.onTestFinished(() => removeDirectory(work));
});

/** Publishes a version under `prefix` and returns the SHA-256 of its manifest's bytes. */
async function publish(prefix: string, files: Record<string, Buffer>): Promise<string> {
  const objects = underPrefix(prefix, files, manifestOf(files));
  await s3.put("models", objects);
  return createHash("sha256").update(objects[`${prefix}/manifest.json`]).digest("hex");
}

async function pull(args: string[]): Promise<number> {
  out = [];
  err = [];
  return runPullCommand(args, io);
}

describe("hybridai-serve pull --cache-dir against s3rver", () => {
  it("downloads once, serves the cache when the store is down, refuses a corrupt cache, fetches the next version when the store is back", async () => {
    const v1 = sampleRepository();
    const v1Digest = await publish("edge", v1);
    const target = path.join(work, "models");
    const cacheDir = path.join(work, "cache");
    const args = [
      "--from",
      "s3://models/edge",
      "--to",
      target,
      "--cache-dir",
      cacheDir,
      "--attempts",
      "2",
    ];

    // First pull: downloaded into the cache, laid from it.
    expect(await pull(args)).toBe(0);
    expect(err).toEqual([]);
    expect(out[0]).toMatch(
      /^hybridai-serve pull: 4 files, 440020 bytes from s3:\/\/models\/edge into .* \(verified: sha256, cache: stored\)$/,
    );
    expect(await readTree(target)).toEqual(digestsOf(v1));
    expect(await readdir(path.join(cacheDir, "v1"))).toEqual([v1Digest]);

    // Same version again: nothing but the manifest is read from the store. The store now holds
    // other bytes for a model file (same size, manifest unchanged), and they are not used.
    await s3.put("models", { "edge/ranker/1/model.onnx": randomBytes(200_000) });
    await rm(target, { recursive: true });
    expect(await pull(args)).toBe(0);
    expect(out[0]).toMatch(/\(verified: sha256, cache: hit\)$/);
    expect(await readTree(target)).toEqual(digestsOf(v1));

    // Store down: the cached version is laid with a warning, exit 0.
    await s3.stop();
    await rm(target, { recursive: true });
    expect(await pull(args)).toBe(0);
    expect(out[0]).toMatch(/\(verified: sha256, cache: offline\)$/);
    expect(err.join("\n")).toMatch(
      /warning: no source could be pulled from \(s3:\/\/models\/edge: .*ECONNREFUSED.*\); laid the newest cached version [0-9a-f]{12}, last pulled from s3:\/\/models\/edge/,
    );
    expect(await readTree(target)).toEqual(digestsOf(v1));

    // A corrupt cached file is refused: exit 1, the target unchanged, the version removed.
    const cached = path.join(cacheDir, "v1", v1Digest, "files", "ranker", "1", "model.onnx");
    const bytes = await readFile(cached);
    bytes[1000] ^= 0xff;
    await writeFile(cached, bytes);
    expect(await pull(args)).toBe(1);
    expect(err.join("\n")).toContain(`"ranker/1/model.onnx" has SHA-256`);
    expect(err.join("\n")).toContain("holds no complete cached version of s3://models/edge");
    expect(await readTree(target)).toEqual(digestsOf(v1));
    expect(await readdir(path.join(cacheDir, "v1"))).toEqual([]);

    // Store back with a new version: it is downloaded and laid.
    await s3.restart();
    const v2 = sampleRepository();
    const v2Digest = await publish("edge", v2);
    expect(await pull(args)).toBe(0);
    expect(err).toEqual([]);
    expect(out[0]).toMatch(/\(verified: sha256, cache: stored\)$/);
    expect(await readTree(target)).toEqual(digestsOf(v2));
    expect(await readdir(path.join(cacheDir, "v1"))).toEqual([v2Digest]);
  });

  it("with the store down and an empty cache, fails (exit 1) and leaves the target unchanged", async () => {
    await s3.stop();
    try {
      const target = path.join(work, "models");
      const code = await pull([
        "--from",
        "s3://models/edge",
        "--to",
        target,
        "--cache-dir",
        path.join(work, "cache"),
        "--attempts",
        "1",
      ]);
      expect(code).toBe(1);
      expect(err.join("\n")).toMatch(/ECONNREFUSED.*holds no complete cached version/);
      await expect(stat(target)).rejects.toThrow(/ENOENT/);
    } finally {
      await s3.restart();
    }
  });

  it("needs a manifest at the source", async () => {
    await s3.put("models", underPrefix("unsigned", sampleRepository()));
    const code = await pull([
      "--from",
      "s3://models/unsigned",
      "--to",
      path.join(work, "models"),
      "--cache-dir",
      path.join(work, "cache"),
    ]);
    expect(code).toBe(1);
    expect(err.join("\n")).toContain(
      "s3://models/unsigned has no manifest.json; --cache-dir needs one",
    );
  });

  it("refuses --cache-keep without --cache-dir or out of range", async () => {
    expect(await pull(["--from", "s3://b/p", "--to", work, "--cache-keep", "2"])).toBe(2);
    expect(err.join("\n")).toContain("--cache-keep needs --cache-dir");
    expect(
      await pull(["--from", "s3://b/p", "--to", work, "--cache-dir", work, "--cache-keep", "0"]),
    ).toBe(2);
    expect(err.join("\n")).toContain("--cache-keep 0 is out of range; use 1 to 100");
  });
});

describe("the cache's versions", () => {
  /** A file:// source; removing its folder makes the source fail like a store that is down. */
  async function writeSource(files: Record<string, Buffer>): Promise<string> {
    const source = path.join(work, "source");
    await rm(source, { recursive: true, force: true });
    const manifest = Buffer.from(JSON.stringify(manifestOf(files)));
    for (const [name, content] of Object.entries({ ...files, "manifest.json": manifest })) {
      await mkdir(path.dirname(path.join(source, name)), { recursive: true });
      await writeFile(path.join(source, name), content);
    }
    return createHash("sha256").update(manifest).digest("hex");
  }

  function args(extra: string[] = []): string[] {
    return [
      "--from",
      `file://${path.join(work, "source")}`,
      "--to",
      path.join(work, "models"),
      "--cache-dir",
      path.join(work, "cache"),
      ...extra,
    ];
  }

  it("offline, lays the newest version, and the previous one when the newest is damaged", async () => {
    const v1 = sampleRepository();
    const v2 = sampleRepository();
    const d1 = await writeSource(v1);
    expect(await pull(args())).toBe(0);
    const d2 = await writeSource(v2);
    expect(await pull(args())).toBe(0);
    expect((await readdir(path.join(work, "cache", "v1"))).sort()).toEqual([d1, d2].sort());
    await rm(path.join(work, "source"), { recursive: true });

    expect(await pull(args())).toBe(0);
    expect(out[0]).toMatch(/cache: offline/);
    expect(await readTree(path.join(work, "models"))).toEqual(digestsOf(v2));

    await rm(path.join(work, "cache", "v1", d2, "files", "embedder", "1", "model.onnx"));
    expect(await pull(args())).toBe(0);
    expect(err.join("\n")).toContain(`cached version ${d2.slice(0, 12)}`);
    expect(err.join("\n")).toContain('"embedder/1/model.onnx" is not a regular file');
    expect(await readTree(path.join(work, "models"))).toEqual(digestsOf(v1));
    expect(await readdir(path.join(work, "cache", "v1"))).toEqual([d1]);
  });

  it("never lays a truncated file or a version folder without its records", async () => {
    const v1 = sampleRepository();
    const d1 = await writeSource(v1);
    expect(await pull(args())).toBe(0);
    await rm(path.join(work, "source"), { recursive: true });
    const file = path.join(work, "cache", "v1", d1, "files", "ranker", "2", "model.onnx");
    await writeFile(file, (await readFile(file)).subarray(0, 1000));
    // A folder named like a newer version but without manifest.json or entry.json.
    const partial = path.join(work, "cache", "v1", "f".repeat(64));
    await mkdir(path.join(partial, "files", "ranker", "1"), { recursive: true });
    await writeFile(path.join(partial, "files", "ranker", "1", "model.onnx"), "partial");
    await rm(path.join(work, "models"), { recursive: true });

    expect(await pull(args())).toBe(1);
    expect(err.join("\n")).toContain('"ranker/2/model.onnx" arrived with 1000 bytes');
    await expect(stat(path.join(work, "models"))).rejects.toThrow(/ENOENT/);
    expect(await readdir(path.join(work, "cache", "v1"))).toEqual([]);
  });

  it("keeps --cache-keep versions per source", async () => {
    const digests: string[] = [];
    for (let i = 0; i < 3; i++) {
      digests.push(await writeSource(sampleRepository()));
      expect(await pull(args(["--cache-keep", "2"]))).toBe(0);
    }
    expect((await readdir(path.join(work, "cache", "v1"))).sort()).toEqual(digests.slice(1).sort());
  });

  it("serves two pulls of one version at once from one cached copy", async () => {
    const files = sampleRepository();
    const digest = await writeSource(files);
    const [a, b] = await Promise.all(
      ["a", "b"].map((name) =>
        runPullCommand(
          [
            "--from",
            `file://${path.join(work, "source")}`,
            "--to",
            path.join(work, name),
            "--cache-dir",
            path.join(work, "cache"),
          ],
          { out: () => undefined, err: (l) => err.push(l) },
        ),
      ),
    );
    expect([a, b]).toEqual([0, 0]);
    expect(err).toEqual([]);
    expect(await readTree(path.join(work, "a"))).toEqual(digestsOf(files));
    expect(await readTree(path.join(work, "b"))).toEqual(digestsOf(files));
    expect(await readdir(path.join(work, "cache", "v1"))).toEqual([digest]);
  });

  it("removes a killed pull's staging folder only once it has gone untouched for 10 minutes", async () => {
    await writeSource(sampleRepository());
    const versions = path.join(work, "cache", "v1");
    const fresh = path.join(versions, ".hybridai-pull-1-aaaaaaaa");
    const stale = path.join(versions, ".hybridai-pull-2-bbbbbbbb");
    await mkdir(fresh, { recursive: true });
    await mkdir(stale, { recursive: true });
    const elevenMinutesAgo = new Date(Date.now() - 11 * 60_000);
    await utimes(stale, elevenMinutesAgo, elevenMinutesAgo);
    expect(await pull(args())).toBe(0);
    const left = await readdir(versions);
    expect(left).toContain(".hybridai-pull-1-aaaaaaaa");
    expect(left).not.toContain(".hybridai-pull-2-bbbbbbbb");
  });
});
