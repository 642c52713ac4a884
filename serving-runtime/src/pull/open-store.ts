import type { S3ClientConfig } from "@aws-sdk/client-s3";
import type { StorageOptions } from "@google-cloud/storage";
import { PullError } from "./errors";
import { FileStore } from "./file-store";
import { GcsStore } from "./gcs-store";
import { HttpStore } from "./http-store";
import { S3Store } from "./s3-store";
import type { PullSource } from "./source-uri";
import type { ObjectStore, WritableObjectStore } from "./store";

/** SDK client settings for tests and emulators; production uses ambient credentials only. */
export interface StoreClientOptions {
  /** Extra AWS S3 client configuration (e.g. `endpoint`, `forcePathStyle`). */
  s3?: S3ClientConfig;
  /** Extra Google Cloud Storage client options (e.g. `apiEndpoint`). */
  gcs?: StorageOptions;
}

/** The object store for a parsed source. */
export function openStore(source: PullSource, options: StoreClientOptions = {}): ObjectStore {
  switch (source.kind) {
    case "s3":
      return new S3Store(source.bucket, source.prefix, source.uri, options.s3);
    case "gcs":
      return new GcsStore(source.bucket, source.prefix, source.uri, options.gcs);
    case "http":
      return new HttpStore(source.baseUrl, source.uri);
    case "file":
      return new FileStore(source.directory, source.uri);
  }
}

/** The writable store for a parsed target; only S3 and GCS can be written. */
export function openWritableStore(
  target: PullSource,
  options: StoreClientOptions = {},
): WritableObjectStore {
  switch (target.kind) {
    case "s3":
      return new S3Store(target.bucket, target.prefix, target.uri, options.s3);
    case "gcs":
      return new GcsStore(target.bucket, target.prefix, target.uri, options.gcs);
    default:
      throw new PullError(
        `--to ${target.uri}: only s3://bucket/prefix and gs://bucket/prefix can be written`,
      );
  }
}
