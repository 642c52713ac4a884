import { createHash, randomBytes } from "node:crypto";
import { mkdir, readdir, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { CacheEntryError, runPullCommand } from "@hybridai/serving-runtime/src/pull";
import { ModelCache } from "@hybridai/serving-runtime/src/pull/model-cache";
import { beforeEach, describe, expect, it } from "vitest";
import {
  digestsOf,
  manifestOf,
  readTree,
  removeDirectory,
  sampleRepository,
  temporaryDirectory,
} from "./helpers/repository";

// A cached version is named after the SHA-256 of its manifest, and its files are checked against
// that manifest whenever they are laid. The manifest itself must therefore still hash to the
// version's name: someone who can write the cache could otherwise swap a model file and rewrite
// the manifest's entry for it to match, and the swapped file would pass every file check.

let work: string;
let out: string[];
let err: string[];

beforeEach(async (context) => {
  work = await temporaryDirectory();
  out = [];
  err = [];
  context.onTestFinished(() => removeDirectory(work));
});

const source = () => path.join(work, "source");
const target = () => path.join(work, "models");
const versions = () => path.join(work, "cache", "v1");

/** Writes a file:// source holding `files` and their manifest; returns the manifest's SHA-256. */
async function publish(files: Record<string, Buffer>): Promise<string> {
  await rm(source(), { recursive: true, force: true });
  const manifest = Buffer.from(JSON.stringify(manifestOf(files)));
  for (const [name, content] of Object.entries({ ...files, "manifest.json": manifest })) {
    await mkdir(path.dirname(path.join(source(), name)), { recursive: true });
    await writeFile(path.join(source(), name), content);
  }
  return createHash("sha256").update(manifest).digest("hex");
}

function pull(): Promise<number> {
  out = [];
  err = [];
  return runPullCommand(
    ["--from", `file://${source()}`, "--to", target(), "--cache-dir", path.join(work, "cache")],
    { out: (line) => out.push(line), err: (line) => err.push(line) },
  );
}

/**
 * Swaps `ranker/1/model.onnx` of a cached version for other bytes and rewrites the version's
 * manifest.json to describe them, so every file matches the manifest but the manifest no longer
 * hashes to the version's name. Returns the files the version now holds.
 */
async function tamper(
  digest: string,
  files: Record<string, Buffer>,
): Promise<Record<string, Buffer>> {
  const swapped = { ...files, "ranker/1/model.onnx": randomBytes(200_000) };
  const folder = path.join(versions(), digest);
  await writeFile(
    path.join(folder, "files", "ranker", "1", "model.onnx"),
    swapped["ranker/1/model.onnx"],
  );
  await writeFile(path.join(folder, "manifest.json"), JSON.stringify(manifestOf(swapped)));
  return swapped;
}

describe("the cache's check of a version's own manifest", () => {
  it("offline, removes a version whose rewritten manifest no longer hashes to its name and lays the previous one", async () => {
    const v1 = sampleRepository();
    const v2 = sampleRepository();
    const d1 = await publish(v1);
    expect(await pull()).toBe(0);
    const d2 = await publish(v2);
    expect(await pull()).toBe(0);
    const swapped = await tamper(d2, v2);
    await rm(source(), { recursive: true });
    await rm(target(), { recursive: true });

    expect(await pull()).toBe(0);
    expect(out[0]).toMatch(/\(verified: sha256, cache: offline\)$/);
    const laid = await readTree(target());
    expect(laid).toEqual(digestsOf(v1));
    expect(laid["ranker/1/model.onnx"]).not.toBe(digestsOf(swapped)["ranker/1/model.onnx"]);
    expect(await readdir(versions())).toEqual([d1]);
  });

  it("online, downloads a version again when its cached manifest no longer hashes to its name, with a warning", async () => {
    const files = sampleRepository();
    const digest = await publish(files);
    expect(await pull()).toBe(0);
    await tamper(digest, files);
    await rm(target(), { recursive: true });

    expect(await pull()).toBe(0);
    expect(err).toEqual([
      `hybridai-serve pull: warning: cached version ${digest.slice(0, 12)} in ${path.join(versions(), digest)}: manifest.json does not match its SHA-256; removing it and downloading it again`,
    ]);
    expect(out[0]).toMatch(/\(verified: sha256, cache: stored\)$/);
    expect(await readTree(target())).toEqual(digestsOf(files));
    expect(await readdir(versions())).toEqual([digest]);
  });

  it("ModelCache.read refuses the version with a CacheEntryError naming the manifest", async () => {
    const files = sampleRepository();
    const digest = await publish(files);
    expect(await pull()).toBe(0);
    const cache = new ModelCache(path.join(work, "cache"));
    expect((await cache.read(digest)).manifest).toEqual(manifestOf(files));
    await tamper(digest, files);
    const reading = cache.read(digest);
    await expect(reading).rejects.toBeInstanceOf(CacheEntryError);
    await expect(reading).rejects.toThrow(
      `cached version ${digest.slice(0, 12)} in ${path.join(versions(), digest)}: manifest.json does not match its SHA-256`,
    );
  });
});
