import path from "node:path";
import { downloadFile, type ExpectedFile } from "./download";
import { forEachLimited } from "./for-each-limited";
import { type RetryPolicy, withRetry } from "./retry";
import type { ObjectStore } from "./store";

/** How {@link downloadAll} fetches. */
export interface DownloadAllOptions {
  /** Files downloaded at the same time. */
  concurrency: number;
  /** Retry policy for each file. */
  retry: RetryPolicy;
  /** Aborts every transfer. */
  signal?: AbortSignal;
  /** Milliseconds without a byte before a transfer is abandoned and retried. */
  stallTimeoutMs?: number;
}

/**
 * Downloads `files` from `store` into `directory` (each at its relative path), verifying each
 * one's size and SHA-256 ({@link downloadFile}) and retrying transient failures per file. The
 * first failure aborts the other transfers and is thrown; what was written stays for the caller
 * to discard.
 */
export async function downloadAll(
  store: ObjectStore,
  files: readonly ExpectedFile[],
  directory: string,
  options: DownloadAllOptions,
): Promise<void> {
  const { signal } = options;
  const internal = new AbortController();
  const onAbort = () => internal.abort(signal?.reason);
  signal?.addEventListener("abort", onAbort, { once: true });
  try {
    await forEachLimited(files, options.concurrency, (file) =>
      withRetry(
        () =>
          downloadFile(
            store,
            file,
            path.join(directory, ...file.path.split("/")),
            internal.signal,
            options.stallTimeoutMs,
          ),
        options.retry,
        internal.signal,
      ).catch((error) => {
        internal.abort(error);
        throw error;
      }),
    );
  } finally {
    signal?.removeEventListener("abort", onAbort);
  }
}
