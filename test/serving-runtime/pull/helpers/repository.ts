import { createHash, randomBytes } from "node:crypto";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { Manifest } from "@hybridai/serving-runtime/src/pull";

/** A model repository as path → content, the way a store holds it under a prefix. */
export type RepositoryFiles = Record<string, Buffer>;

/** A small Triton-style repository: two versions of one model, its config, and a second model. */
export function sampleRepository(): RepositoryFiles {
  return {
    "ranker/config.json": Buffer.from(JSON.stringify({ max_batch_size: 8 })),
    "ranker/1/model.onnx": randomBytes(200_000),
    "ranker/2/model.onnx": randomBytes(150_000),
    "embedder/1/model.onnx": randomBytes(90_000),
  };
}

/** The manifest that describes `files` truthfully. */
export function manifestOf(files: RepositoryFiles): Manifest {
  return {
    version: 1,
    files: Object.entries(files).map(([p, content]) => ({
      path: p,
      size: content.length,
      sha256: createHash("sha256").update(content).digest("hex"),
    })),
  };
}

/**
 * Path → SHA-256 of each file: compared instead of the bytes, because a deep equality of
 * large buffers is slow in the test runner.
 */
export function digestsOf(files: RepositoryFiles): Record<string, string> {
  return Object.fromEntries(
    Object.entries(files).map(([p, content]) => [
      p,
      createHash("sha256").update(content).digest("hex"),
    ]),
  );
}

/** Every regular file under `directory`, as relative path → SHA-256 of its content. */
export async function readTree(directory: string): Promise<Record<string, string>> {
  const files: RepositoryFiles = {};
  const entries = await readdir(directory, { recursive: true, withFileTypes: true });
  for (const entry of entries) {
    if (!entry.isFile()) continue;
    const full = path.join(entry.parentPath, entry.name);
    files[path.relative(directory, full).split(path.sep).join("/")] = await readFile(full);
  }
  return digestsOf(files);
}

/** A fresh temporary directory; remove it with {@link removeDirectory}. */
export function temporaryDirectory(): Promise<string> {
  return mkdtemp(path.join(os.tmpdir(), "hybridai-pull-test-"));
}

/** Removes a directory tree. */
export function removeDirectory(directory: string): Promise<void> {
  return rm(directory, { recursive: true, force: true });
}
