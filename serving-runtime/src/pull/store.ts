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

/** What a writable store tells about one object without reading it. */
export interface ObjectStat {
  /** Size in bytes. */
  size: number;
  /** The SHA-256 recorded with the object when it was written by `hybridai-serve sync`. */
  sha256?: string;
}

/** What an object being written must be. */
export interface ObjectInfo {
  /** Size in bytes. */
  size: number;
  /** Lowercase hex SHA-256, recorded with the object (S3 and GCS user metadata `sha256`). */
  sha256: string;
}

/** Read and write access to one prefix of an S3 bucket or GCS bucket. */
export interface WritableObjectStore extends ObjectStore {
  /** The object's size and recorded SHA-256, or `undefined` when there is no such object. */
  stat(path: string, signal?: AbortSignal): Promise<ObjectStat | undefined>;
  /**
   * Writes an object from `body` (exactly `info.size` bytes), recording `info.sha256` with it.
   * The object appears whole or not at all; aborting `signal` cancels the upload.
   */
  write(path: string, body: Readable, info: ObjectInfo, signal?: AbortSignal): Promise<void>;
}
