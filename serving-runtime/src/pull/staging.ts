import { randomBytes } from "node:crypto";
import { mkdir, readdir, rename, rm, stat, utimes } from "node:fs/promises";
import path from "node:path";
import { PullError } from "./errors";
import { STAGING_PREFIX } from "./safe-path";

/** A staging directory on the target's file system and how to finish or abandon it. */
export interface Staging {
  /** The directory files are downloaded into. */
  readonly directory: string;
  /** Moves the staged repository into the target, each top-level entry with one rename. */
  promote(): Promise<void>;
  /** Removes the staging directory and everything in it. */
  discard(): Promise<void>;
}

function stagingName(): string {
  return `${STAGING_PREFIX}${process.pid}-${randomBytes(4).toString("hex")}`;
}

/**
 * In a shared parent (a device cache used by several pulls at once), a staging directory counts
 * as left by a killed pull only when nobody touched it for this long; a live pull touches its
 * own every tenth of it.
 */
export const SHARED_STALE_MS = 10 * 60_000;

/** How a staging directory is prepared. */
export interface StagingOptions {
  /**
   * The parent directory is shared by concurrent pulls (a device cache): only staging
   * directories untouched for {@link SHARED_STALE_MS} are removed, and this one is touched
   * while it lives. Default false: every staging directory in the parent is stale.
   */
  shared?: boolean;
}

/** Removes staging directories a killed pull left in `directory`. */
async function removeStale(directory: string, shared: boolean): Promise<void> {
  const entries = await readdir(directory).catch(() => [] as string[]);
  const now = Date.now();
  await Promise.all(
    entries
      .filter((name) => name.startsWith(STAGING_PREFIX))
      .map(async (name) => {
        const full = path.join(directory, name);
        if (shared) {
          const stats = await stat(full).catch(() => undefined);
          if (!stats || now - stats.mtimeMs < SHARED_STALE_MS) return;
        }
        await rm(full, { recursive: true, force: true });
      }),
  );
}

/** Touches `directory` regularly until the returned function is called. */
function keepAlive(directory: string): () => void {
  const timer = setInterval(() => {
    const now = new Date();
    utimes(directory, now, now).catch(() => undefined);
  }, SHARED_STALE_MS / 10);
  timer.unref();
  return () => clearInterval(timer);
}

/** Replaces `destination` (file or directory, present or not) by `source` with renames only. */
async function replace(source: string, destination: string, parking: string): Promise<void> {
  const existing = await stat(destination).catch(() => undefined);
  if (existing) await rename(destination, parking);
  await rename(source, destination);
  if (existing) await rm(parking, { recursive: true, force: true });
}

/**
 * Prepares the staging directory for a pull into `target`, always on the same file system so
 * that promotion is made of renames:
 * - `target` does not exist: staging is `<parent>/.hybridai-pull-…`, promoted by renaming it to
 *   `target` in one step;
 * - `target` is a directory (e.g. an emptyDir mount point): staging is `<target>/.hybridai-pull-…`,
 *   and each top-level entry (a model folder) replaces its namesake with one rename.
 * Stale staging directories of a killed pull are removed first.
 */
export async function prepareStaging(
  target: string,
  options: StagingOptions = {},
): Promise<Staging> {
  const absolute = path.resolve(target);
  const existing = await stat(absolute).catch(() => undefined);
  if (existing && !existing.isDirectory()) {
    throw new PullError(`--to ${target}: exists and is not a directory`);
  }
  const parent = existing ? absolute : path.dirname(absolute);
  await mkdir(parent, { recursive: true });
  await removeStale(parent, options.shared ?? false);
  const directory = path.join(parent, stagingName());
  await mkdir(directory);
  const stopKeepAlive = options.shared ? keepAlive(directory) : () => undefined;
  const discard = () => {
    stopKeepAlive();
    return rm(directory, { recursive: true, force: true });
  };
  if (!existing) {
    return {
      directory,
      discard,
      promote: () => {
        stopKeepAlive();
        return rename(directory, absolute);
      },
    };
  }
  return {
    directory,
    discard,
    async promote() {
      stopKeepAlive();
      for (const entry of await readdir(directory)) {
        await replace(
          path.join(directory, entry),
          path.join(absolute, entry),
          path.join(directory, `${STAGING_PREFIX}old-${entry}`),
        );
      }
      await rm(directory, { recursive: true, force: true });
    },
  };
}
