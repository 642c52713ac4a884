export { type CommandIo, PULL_USAGE, runPullCommand } from "./command";
export { CacheEntryError, HttpStatusError, PullError } from "./errors";
export { MANIFEST_NAME, type Manifest, type ManifestFile, parseManifest } from "./manifest";
export type { StoreClientOptions } from "./open-store";
export { type CacheUse, type PullOptions, type PullResult, pullModelRepository } from "./pull";
export { backoffDelay, type RetryPolicy, withRetry } from "./retry";
export {
  canonicalSourceUri,
  type PullSource,
  parseSourceUri,
  SOURCE_FORMS,
} from "./source-uri";
export { isTransientError, isTransientStatus } from "./transient";
