import type { Readable } from "node:stream";

/** One object under the source prefix. */
export interface RemoteObject {
  /** Path relative to the source prefix, `/`-separated. */
  path: string;
  /** Size in bytes, as the store reports it. */
  size: number;
}

/** Read access to one source: S3, GCS, an HTTPS server or a local directory. */
export interface ObjectStore {
  /** The source URI, for messages. */
  readonly uri: string;
  /**
   * Every object under the prefix (directory markers left out), or `undefined` when the store
   * cannot list (HTTPS: the manifest says what to fetch).
   */
  list(signal?: AbortSignal): Promise<RemoteObject[] | undefined>;
  /** Opens an object for reading; a missing object fails (at once or while reading). */
  open(path: string, signal?: AbortSignal): Promise<Readable>;
}
