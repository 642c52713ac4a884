import { createReadStream } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { pipeline, Readable, Transform } from "node:stream";
import { DEFAULT_STALL_TIMEOUT_MS, downloadFile, type ExpectedFile } from "../pull/download";
import { messageOf, PullError } from "../pull/errors";
import { forEachLimited } from "../pull/for-each-limited";
import { MANIFEST_NAME, type Manifest, parseManifest } from "../pull/manifest";
import { openStore, openWritableStore, type StoreClientOptions } from "../pull/open-store";
import { type RetryPolicy, withRetry } from "../pull/retry";
import { readSmallObject, resolveRepository } from "../pull/source-repository";
import { parseSourceUri } from "../pull/source-uri";
import type { ObjectInfo, WritableObjectStore } from "../pull/store";

/** Options of {@link syncModelVersion}. */
export interface SyncOptions extends StoreClientOptions {
  /** Source URI with a `manifest.json`: `s3://…`, `gs://…`, `https://…` or `file:///…`. */
  from: string;
  /** Target URI: `s3://bucket/prefix` or `gs://bucket/prefix`. */
  to: string;
  /** Files copied at the same time. Default 4. */
  concurrency?: number;
  /** Retry policy for each request and each file's download and upload. Default 5 attempts. */
  retry?: RetryPolicy;
  /** Aborts the sync; the target keeps its previous manifest. */
  signal?: AbortSignal;
  /** Milliseconds without progress before a transfer is abandoned and retried. Default 30 000. */
  stallTimeoutMs?: number;
  /** Where files are staged between download and upload. Default: the OS temporary folder. */
  scratchDir?: string;
  /** Accept `http://` on loopback hosts for the source (tests only). Default false. */
  allowLoopbackHttp?: boolean;
  /** Receives one line per retry and per warning. Default: none. */
  log?: (line: string) => void;
}

/** What a finished sync did. */
export interface SyncResult {
  /** Lowercase hex SHA-256 of the manifest now at the target (the version's identity). */
  version: string;
  /** Files the version has. */
  files: number;
  /** Files uploaded. */
  copied: number;
  /** Bytes uploaded. */
  bytesCopied: number;
  /** Files already at the target with the right size and SHA-256, left alone. */
  skipped: number;
  /** Paths whose content the target's previous manifest named differently (replaced in place). */
  replaced: string[];
  /** Whether the manifest was written, or already the source's. */
  manifest: "written" | "unchanged";
}

/**
 * Streams a local file for upload, aborting `upload` when the uploader has read nothing for
 * `stallTimeoutMs` (a stalled connection stops pulling from the file).
 */
function stallGuardedFile(
  file: string,
  upload: AbortController,
  stallTimeoutMs: number,
  what: string,
): Readable {
  let timer: NodeJS.Timeout | undefined;
  const arm = () => {
    clearTimeout(timer);
    timer = setTimeout(
      () =>
        upload.abort(new PullError(`${what}: no upload progress for ${stallTimeoutMs} ms`, true)),
      stallTimeoutMs,
    );
  };
  const guard = new Transform({
    transform(chunk, _encoding, done) {
      arm();
      done(null, chunk);
    },
    flush(done) {
      clearTimeout(timer);
      done();
    },
  });
  guard.once("close", () => clearTimeout(timer));
  arm();
  return pipeline(createReadStream(file), guard, () => clearTimeout(timer));
}

/** Uploads a local file and reads its size and recorded SHA-256 back. */
async function upload(
  target: WritableObjectStore,
  relative: string,
  body: () => Readable,
  info: ObjectInfo,
  signal: AbortSignal | undefined,
  guard: AbortController,
): Promise<void> {
  const combined = signal ? AbortSignal.any([signal, guard.signal]) : guard.signal;
  try {
    await target.write(relative, body(), info, combined);
  } catch (error) {
    throw guard.signal.aborted ? guard.signal.reason : error;
  }
  const written = await target.stat(relative, signal);
  if (written?.size !== info.size || written.sha256 !== info.sha256) {
    throw new PullError(
      `${target.uri}: "${relative}" reads back as ${written ? `${written.size} bytes, SHA-256 ${written.sha256 ?? "unrecorded"}` : "absent"} after the upload; expected ${info.size} bytes, SHA-256 ${info.sha256}`,
      true,
    );
  }
}

/** The manifest the target serves now, or `undefined` (none, or unreadable: warned). */
async function currentTargetManifest(
  target: WritableObjectStore,
  retry: RetryPolicy,
  log: (line: string) => void,
  signal?: AbortSignal,
): Promise<{ bytes: Buffer; manifest?: Manifest } | undefined> {
  const present = await withRetry(() => target.stat(MANIFEST_NAME, signal), retry, signal);
  if (!present) return undefined;
  const bytes = await withRetry(
    () => readSmallObject(target, MANIFEST_NAME, signal),
    retry,
    signal,
  );
  try {
    return { bytes, manifest: parseManifest(bytes.toString("utf8"), target.uri) };
  } catch (error) {
    log(`warning: the target's current ${MANIFEST_NAME} is unusable (${messageOf(error)})`);
    return { bytes };
  }
}

/**
 * The files the target lacks, or holds with another size or recorded SHA-256.
 *
 * @param target the store synced to
 * @param files the files of the source's manifest
 * @param concurrency how many objects are looked at at once
 * @param retry the retry policy of each look-up
 * @param signal aborts the look-ups
 */
async function missingFiles(
  target: WritableObjectStore,
  files: readonly ExpectedFile[],
  concurrency: number,
  retry: RetryPolicy,
  signal: AbortSignal | undefined,
): Promise<ExpectedFile[]> {
  const missing: ExpectedFile[] = [];
  await forEachLimited(files, concurrency, async (file) => {
    const there = await withRetry(() => target.stat(file.path, signal), retry, signal);
    if (there?.size !== file.size || there.sha256 !== file.sha256) missing.push(file);
  });
  return missing;
}

/**
 * Uploads the source's manifest, byte for byte, once every file is in place.
 *
 * @returns `written`
 */
async function writeManifest(
  target: WritableObjectStore,
  manifestBytes: Buffer,
  manifestSha256: string,
  retry: RetryPolicy,
  signal: AbortSignal | undefined,
): Promise<"written"> {
  await withRetry(
    () =>
      upload(
        target,
        MANIFEST_NAME,
        () => Readable.from([manifestBytes]),
        { size: manifestBytes.length, sha256: manifestSha256 },
        signal,
        new AbortController(),
      ),
    retry,
    signal,
  );
  return "written";
}

/**
 * Copies one model version — the files a source's `manifest.json` lists, then the manifest
 * itself — to a second store (S3 or GCS), so pulls can fall back from one cloud's store to the
 * other's.
 * - Every file is downloaded into a scratch folder and checked against the manifest's size and
 *   SHA-256 before it is uploaded; its SHA-256 is recorded with the object (user metadata
 *   `sha256`) and read back after the upload.
 * - Files already at the target with the right size and recorded SHA-256 are skipped, so a
 *   repeated or resumed sync copies only what is missing (idempotent).
 * - The manifest is written last, byte for byte the source's, only once every file is in
 *   place: a reader of the target sees the previous version or the new one, never a half-synced
 *   one. Files at new paths are uploaded before files that replace content the target's current
 *   manifest names, which are reported in `replaced` (until the new manifest is written, a
 *   pull of the target refuses those files by their SHA-256 instead of serving a mix).
 */
export async function syncModelVersion(options: SyncOptions): Promise<SyncResult> {
  const concurrency = options.concurrency ?? 4;
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64) {
    throw new PullError(
      `concurrency = ${concurrency} is not valid; use a whole number from 1 to 64`,
    );
  }
  const log = options.log ?? (() => undefined);
  const { signal } = options;
  const stallTimeoutMs = options.stallTimeoutMs ?? DEFAULT_STALL_TIMEOUT_MS;
  const source = openStore(
    parseSourceUri(options.from, { allowLoopbackHttp: options.allowLoopbackHttp }),
    options,
  );
  const target = openWritableStore(parseSourceUri(options.to, { flag: "--to" }), options);
  const retry: RetryPolicy = {
    ...options.retry,
    onRetry: (attempt, error, delayMs) => {
      options.retry?.onRetry?.(attempt, error, delayMs);
      log(`attempt ${attempt} failed (${messageOf(error)}); retrying in ${delayMs} ms`);
    },
  };
  const repository = await resolveRepository(source, retry, signal, stallTimeoutMs);
  const { manifestBytes, manifestSha256 } = repository;
  if (!manifestBytes || !manifestSha256) {
    throw new PullError(
      `${options.from} has no ${MANIFEST_NAME}; sync copies a version with its manifest (see "Manifest format" to make one)`,
    );
  }
  const current = await currentTargetManifest(target, retry, log, signal);
  const named = new Map(current?.manifest?.files.map((f) => [f.path, f.sha256]));
  const missing = await missingFiles(target, repository.files, concurrency, retry, signal);
  const replaces = (file: ExpectedFile) => {
    const sha = named.get(file.path);
    return sha !== undefined && sha !== file.sha256;
  };
  const fresh = repository.files.filter((f) => missing.includes(f) && !replaces(f));
  const replacing = repository.files.filter((f) => missing.includes(f) && replaces(f));
  const scratch = await mkdtemp(path.join(options.scratchDir ?? os.tmpdir(), "hybridai-sync-"));
  const copy = async (file: ExpectedFile) => {
    const local = path.join(scratch, ...file.path.split("/"));
    await withRetry(() => downloadFile(source, file, local, signal, stallTimeoutMs), retry, signal);
    const info = { size: file.size, sha256: file.sha256 as string };
    await withRetry(
      () => {
        const guard = new AbortController();
        const what = `${target.uri}: "${file.path}"`;
        return upload(
          target,
          file.path,
          () => stallGuardedFile(local, guard, stallTimeoutMs, what),
          info,
          signal,
          guard,
        );
      },
      retry,
      signal,
    );
    await rm(local, { force: true });
  };
  try {
    await forEachLimited(fresh, concurrency, copy);
    if (replacing.length > 0) {
      log(
        `warning: ${replacing.length} file(s) replace content the target's current manifest names (${replacing.map((f) => f.path).join(", ")}); until the new manifest is written, pulls of ${options.to} refuse them by SHA-256. Publish each version under a new version folder to keep the target readable at its previous version throughout`,
      );
    }
    await forEachLimited(replacing, concurrency, copy);
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
  const manifest = current?.bytes.equals(manifestBytes)
    ? "unchanged"
    : await writeManifest(target, manifestBytes, manifestSha256, retry, signal);
  return {
    version: manifestSha256,
    files: repository.files.length,
    copied: missing.length,
    bytesCopied: missing.reduce((sum, f) => sum + f.size, 0),
    skipped: repository.files.length - missing.length,
    replaced: replacing.map((f) => f.path),
    manifest,
  };
}
