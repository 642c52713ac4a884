import { createHash } from "node:crypto";
import type { ExpectedFile } from "./download";
import { HttpStatusError, PullError } from "./errors";
import { MANIFEST_NAME, type Manifest, parseManifest } from "./manifest";
import { planFiles } from "./plan-files";
import { type RetryPolicy, withRetry } from "./retry";
import type { ObjectStore, RemoteObject } from "./store";

/**
 * Runs one attempt of a small request (a listing, the manifest) with a deadline: when it has not
 * finished after `ms`, its signal is aborted and a transient {@link PullError} is thrown, so a
 * store that accepts connections but never answers is retried and then given up on instead of
 * holding the pull (and the next source) forever.
 */
async function withDeadline<T>(
  what: string,
  ms: number,
  signal: AbortSignal | undefined,
  step: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const deadline = new AbortController();
  const combined = signal ? AbortSignal.any([signal, deadline.signal]) : deadline.signal;
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const error = new PullError(`${what}: no answer within ${ms} ms`, true);
      deadline.abort(error);
      reject(error);
    }, ms);
  });
  try {
    return await Promise.race([step(combined), expired]);
  } finally {
    clearTimeout(timer);
  }
}

/** Largest manifest accepted, bytes. */
const MANIFEST_LIMIT = 16 * 1024 * 1024;

/** What a source holds, before anything is downloaded. */
export interface SourceRepository {
  /** The source's objects, or `undefined` when it cannot list (HTTPS). */
  listing: RemoteObject[] | undefined;
  /** The parsed manifest, when the source has one. */
  manifest?: Manifest;
  /** The manifest's bytes exactly as stored, when the source has one. */
  manifestBytes?: Buffer;
  /** Lowercase hex SHA-256 of `manifestBytes`: the identity of this version of the repository. */
  manifestSha256?: string;
  /** The files to fetch and what each must be. */
  files: ExpectedFile[];
}

/** Reads a small object (a manifest) whole, refusing anything over 16 MiB. */
export async function readSmallObject(
  store: ObjectStore,
  name: string,
  signal?: AbortSignal,
): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of await store.open(name, signal)) {
    size += (chunk as Buffer).length;
    if (size > MANIFEST_LIMIT) {
      throw new PullError(`${store.uri}/${name} is larger than ${MANIFEST_LIMIT} bytes`);
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

async function loadManifestBytes(
  store: ObjectStore,
  listing: readonly RemoteObject[] | undefined,
  retry: RetryPolicy,
  deadlineMs: number,
  signal?: AbortSignal,
): Promise<Buffer | undefined> {
  if (listing && !listing.some((o) => o.path === MANIFEST_NAME)) return undefined;
  try {
    return await withRetry(
      () =>
        withDeadline(`${store.uri}/${MANIFEST_NAME}`, deadlineMs, signal, (attempt) =>
          readSmallObject(store, MANIFEST_NAME, attempt),
        ),
      retry,
      signal,
    );
  } catch (error) {
    if (!listing && error instanceof HttpStatusError && error.status === 404) {
      throw new PullError(
        `${store.uri}: an https source needs ${MANIFEST_NAME} at its base URL ({"files":[{"path","size","sha256"}]}), and ${error.message}`,
      );
    }
    throw error;
  }
}

/** Milliseconds a listing or manifest request may take, by default. */
export const DEFAULT_REQUEST_DEADLINE_MS = 30_000;

/**
 * Lists a source and reads its manifest (each attempt given `deadlineMs`, both retried on
 * transient errors), then decides which files to fetch ({@link planFiles}). Nothing is
 * downloaded but the manifest.
 */
export async function resolveRepository(
  store: ObjectStore,
  retry: RetryPolicy,
  signal?: AbortSignal,
  deadlineMs = DEFAULT_REQUEST_DEADLINE_MS,
): Promise<SourceRepository> {
  const listing = await withRetry(
    () =>
      withDeadline(`${store.uri}: listing`, deadlineMs, signal, (attempt) => store.list(attempt)),
    retry,
    signal,
  );
  const manifestBytes = await loadManifestBytes(store, listing, retry, deadlineMs, signal);
  const manifest = manifestBytes
    ? parseManifest(manifestBytes.toString("utf8"), store.uri)
    : undefined;
  return {
    listing,
    manifest,
    manifestBytes,
    manifestSha256: manifestBytes && createHash("sha256").update(manifestBytes).digest("hex"),
    files: planFiles(store.uri, listing, manifest),
  };
}
