import { createHash } from "node:crypto";
import { createWriteStream } from "node:fs";
import { mkdir } from "node:fs/promises";
import path from "node:path";
import { Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import { PullError } from "./errors";
import type { ObjectStore } from "./store";

/** What a downloaded file must be. */
export interface ExpectedFile {
  /** Path relative to the source prefix. */
  path: string;
  /** Size in bytes. */
  size: number;
  /** Lowercase hex SHA-256, when a manifest gives it. */
  sha256?: string;
}

/** Milliseconds without a byte before a transfer counts as stalled, by default. */
export const DEFAULT_STALL_TIMEOUT_MS = 30_000;

/**
 * Streams one object into `destination` (overwriting a previous partial attempt) and checks its
 * size, and its SHA-256 when expected. A body is stopped the moment it passes its expected
 * size, so no more than that (and the chunk that crossed it) is ever written. A short body, or
 * a long one whose size came from a listing, is a transient {@link PullError} (the connection
 * broke, or the object changed while listing); a long body whose size a manifest gives, and a
 * SHA-256 mismatch, are permanent (the store holds other bytes than its manifest promises). A
 * transfer that receives nothing for `stallTimeoutMs` (some SDK streams never end when the
 * server drops the connection) is aborted as a transient error.
 */
export async function downloadFile(
  store: ObjectStore,
  file: ExpectedFile,
  destination: string,
  signal?: AbortSignal,
  stallTimeoutMs = DEFAULT_STALL_TIMEOUT_MS,
): Promise<void> {
  await mkdir(path.dirname(destination), { recursive: true });
  const stall = new AbortController();
  const attempt = signal ? AbortSignal.any([signal, stall.signal]) : stall.signal;
  let timer: NodeJS.Timeout | undefined;
  const armStallTimer = () => {
    clearTimeout(timer);
    timer = setTimeout(
      () =>
        stall.abort(
          new PullError(
            `${store.uri}: "${file.path}" stalled: no data for ${stallTimeoutMs} ms`,
            true,
          ),
        ),
      stallTimeoutMs,
    );
  };
  const hash = createHash("sha256");
  let received = 0;
  const meter = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      armStallTimer();
      received += chunk.length;
      if (received > file.size) {
        const source = file.sha256 === undefined ? "the listing gives" : "the manifest lists";
        done(
          new PullError(
            `${store.uri}: "${file.path}" sends more than the ${file.size} bytes ${source}; the download was stopped`,
            file.sha256 === undefined,
          ),
        );
        return;
      }
      hash.update(chunk);
      done(null, chunk);
    },
  });
  try {
    armStallTimer();
    const body = await store.open(file.path, attempt);
    await pipeline(body, meter, createWriteStream(destination), { signal: attempt });
  } catch (error) {
    throw stall.signal.aborted ? stall.signal.reason : error;
  } finally {
    clearTimeout(timer);
  }
  if (received !== file.size) {
    throw new PullError(
      `${store.uri}: "${file.path}" arrived with ${received} bytes, expected ${file.size}`,
      true,
    );
  }
  const digest = hash.digest("hex");
  if (file.sha256 !== undefined && digest !== file.sha256) {
    throw new PullError(
      `${store.uri}: "${file.path}" has SHA-256 ${digest}, but the manifest says ${file.sha256}; re-upload the file or regenerate manifest.json`,
    );
  }
}
