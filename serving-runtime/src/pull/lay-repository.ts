import type { ExpectedFile } from "./download";
import { type DownloadAllOptions, downloadAll } from "./download-all";
import { PullError } from "./errors";
import { prepareStaging, type StagingOptions } from "./staging";
import type { ObjectStore } from "./store";

/** How {@link layRepository} fetches and stages. */
export interface LayOptions extends DownloadAllOptions, StagingOptions {
  /**
   * Turns a download failure into another error (the cache marks its own entries broken); the
   * target is unchanged either way. Default: rethrow as is.
   */
  onDownloadError?: (error: unknown) => unknown;
}

/**
 * Lays `files` from `store` into `target`, all or nothing: they are downloaded and verified into
 * a staging directory on the target's file system, then renamed into place. A failure or an
 * abort removes the staging directory, so the target never holds a partial repository.
 */
export async function layRepository(
  store: ObjectStore,
  files: readonly ExpectedFile[],
  target: string,
  options: LayOptions,
): Promise<void> {
  const { signal } = options;
  const staging = await prepareStaging(target, options);
  try {
    try {
      await downloadAll(store, files, staging.directory, options);
    } catch (error) {
      throw signal?.aborted || !options.onDownloadError ? error : options.onDownloadError(error);
    }
    if (signal?.aborted) throw signal.reason ?? new PullError("pull aborted");
    await staging.promote();
  } catch (error) {
    await staging.discard();
    throw signal?.aborted ? (signal.reason ?? error) : error;
  }
}
