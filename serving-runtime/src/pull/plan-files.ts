import type { ExpectedFile } from "./download";
import { PullError } from "./errors";
import { MANIFEST_NAME, type Manifest } from "./manifest";
import { safeRelativePath } from "./safe-path";
import type { RemoteObject } from "./store";

/** Refuses a set of paths where one is both a file and a folder of another (`a` and `a/b`). */
function assertNoFileFolderClash(files: readonly ExpectedFile[], uri: string): void {
  const paths = new Set(files.map((f) => f.path));
  for (const file of files) {
    const segments = file.path.split("/");
    for (let i = 1; i < segments.length; i++) {
      const folder = segments.slice(0, i).join("/");
      if (paths.has(folder)) {
        throw new PullError(`${uri}: "${folder}" is both a file and the folder of "${file.path}"`);
      }
    }
  }
}

/**
 * Decides which files to fetch and what each must be. With a manifest: exactly its files, each
 * of which must be in the listing (when the store can list) with the same size. Without one:
 * every listed object except directory markers, checked against its listed size. Every path
 * must be a safe relative path.
 */
export function planFiles(
  uri: string,
  listing: readonly RemoteObject[] | undefined,
  manifest: Manifest | undefined,
): ExpectedFile[] {
  let files: ExpectedFile[];
  if (manifest) {
    const listed = new Map(listing?.map((o) => [o.path, o.size]));
    for (const file of manifest.files) {
      if (!listing) continue;
      const size = listed.get(file.path);
      if (size === undefined) {
        throw new PullError(
          `${uri}: ${MANIFEST_NAME} lists "${file.path}", which is not in the store`,
        );
      }
      if (size !== file.size) {
        throw new PullError(
          `${uri}: ${MANIFEST_NAME} says "${file.path}" has ${file.size} bytes; the store has ${size}`,
        );
      }
    }
    files = manifest.files.map((f) => ({ ...f }));
  } else {
    files = (listing ?? []).filter((o) => o.path !== MANIFEST_NAME).map((o) => ({ ...o }));
  }
  if (files.length === 0) {
    throw new PullError(`${uri}: no objects found under this prefix; check the bucket and path`);
  }
  for (const file of files) safeRelativePath(file.path, uri);
  assertNoFileFolderClash(files, uri);
  return files;
}
