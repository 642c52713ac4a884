import path from "node:path";
import { downloadFile, type ExpectedFile } from "./download";
import { HttpStatusError, PullError } from "./errors";
import { MANIFEST_NAME, type Manifest, parseManifest } from "./manifest";
import { openStore, type StoreClientOptions } from "./open-store";
import { planFiles } from "./plan-files";
import { type RetryPolicy, withRetry } from "./retry";
import { parseSourceUri } from "./source-uri";
import { prepareStaging } from "./staging";
import type { ObjectStore, RemoteObject } from "./store";

/** Options of {@link pullModelRepository}. */
export interface PullOptions extends StoreClientOptions {
  /** Source URI: `s3://bucket/prefix`, `gs://bucket/prefix`, `https://…` or `file:///…`. */
  from: string;
  /** Target directory; created when missing. */
  to: string;
  /** Files downloaded at the same time. Default 4. */
  concurrency?: number;
  /** Retry policy for listing, the manifest and each file. Default 5 attempts, 250 ms base. */
  retry?: RetryPolicy;
  /** Aborts the pull; the staging directory is removed. */
  signal?: AbortSignal;
  /** Milliseconds without a byte before a transfer is abandoned and retried. Default 30 000. */
  stallTimeoutMs?: number;
  /** Accept `http://` on loopback hosts (tests only). Default false. */
  allowLoopbackHttp?: boolean;
  /** Receives one line per retry. Default: none. */
  log?: (line: string) => void;
}

/** What a finished pull laid down. */
export interface PullResult {
  /** The absolute target directory. */
  target: string;
  /** Files written. */
  files: number;
  /** Bytes written. */
  bytes: number;
  /** `sha256` when a manifest verified every file, `size` otherwise. */
  verified: "sha256" | "size";
}

/** Largest manifest accepted, bytes. */
const MANIFEST_LIMIT = 16 * 1024 * 1024;

async function readSmall(store: ObjectStore, name: string, signal?: AbortSignal): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of await store.open(name, signal)) {
    size += (chunk as Buffer).length;
    if (size > MANIFEST_LIMIT) {
      throw new PullError(`${store.uri}/${name} is larger than ${MANIFEST_LIMIT} bytes`);
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString("utf8");
}

async function loadManifest(
  store: ObjectStore,
  listing: readonly RemoteObject[] | undefined,
  retry: RetryPolicy,
  signal?: AbortSignal,
): Promise<Manifest | undefined> {
  if (listing && !listing.some((o) => o.path === MANIFEST_NAME)) return undefined;
  try {
    const text = await withRetry(() => readSmall(store, MANIFEST_NAME, signal), retry, signal);
    return parseManifest(text, store.uri);
  } catch (error) {
    if (!listing && error instanceof HttpStatusError && error.status === 404) {
      throw new PullError(
        `${store.uri}: an https source needs ${MANIFEST_NAME} at its base URL ({"files":[{"path","size","sha256"}]}), and ${error.message}`,
      );
    }
    throw error;
  }
}

/** Runs `work` on every item with at most `limit` at once; stops starting new items after a failure. */
async function forEachLimited<T>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async () => {
    while (!failure && next < items.length) {
      const item = items[next++];
      try {
        await work(item);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (failure) throw failure.error;
}

function checkConcurrency(value: number): number {
  if (!Number.isInteger(value) || value < 1 || value > 64) {
    throw new PullError(`concurrency = ${value} is not valid; use a whole number from 1 to 64`);
  }
  return value;
}

/**
 * Lays a model repository from an object store into a directory, all or nothing: files are
 * downloaded into a staging directory on the target's file system, verified (size, and SHA-256
 * when the source has a `manifest.json`), then renamed into place. A failure or an abort removes
 * the staging directory, so the target never holds a partial pull. Listing, the manifest and
 * each file are retried on transient errors with exponential backoff and jitter.
 */
export async function pullModelRepository(options: PullOptions): Promise<PullResult> {
  const concurrency = checkConcurrency(options.concurrency ?? 4);
  const source = parseSourceUri(options.from, { allowLoopbackHttp: options.allowLoopbackHttp });
  const store = openStore(source, options);
  const { signal } = options;
  const retry: RetryPolicy = {
    ...options.retry,
    onRetry: (attempt, error, delayMs) => {
      options.retry?.onRetry?.(attempt, error, delayMs);
      const reason = error instanceof Error ? error.message : String(error);
      options.log?.(`attempt ${attempt} failed (${reason}); retrying in ${delayMs} ms`);
    },
  };
  const listing = await withRetry(() => store.list(signal), retry, signal);
  const manifest = await loadManifest(store, listing, retry, signal);
  const files: ExpectedFile[] = planFiles(store.uri, listing, manifest);
  const staging = await prepareStaging(options.to);
  const internal = new AbortController();
  const onAbort = () => internal.abort(signal?.reason);
  signal?.addEventListener("abort", onAbort, { once: true });
  try {
    await forEachLimited(files, concurrency, (file) =>
      withRetry(
        () =>
          downloadFile(
            store,
            file,
            path.join(staging.directory, ...file.path.split("/")),
            internal.signal,
            options.stallTimeoutMs,
          ),
        retry,
        internal.signal,
      ).catch((error) => {
        internal.abort(error);
        throw error;
      }),
    );
    if (signal?.aborted) throw signal.reason ?? new PullError("pull aborted");
    await staging.promote();
  } catch (error) {
    await staging.discard();
    throw signal?.aborted ? (signal.reason ?? error) : error;
  } finally {
    signal?.removeEventListener("abort", onAbort);
  }
  return {
    target: path.resolve(options.to),
    files: files.length,
    bytes: files.reduce((sum, f) => sum + f.size, 0),
    verified: manifest ? "sha256" : "size",
  };
}
