import path from "node:path";
import { CacheEntryError, messageOf, PullError } from "./errors";
import { type LayOptions, layRepository } from "./lay-repository";
import { MANIFEST_NAME } from "./manifest";
import { ModelCache } from "./model-cache";
import { openStore, type StoreClientOptions } from "./open-store";
import type { RetryPolicy } from "./retry";
import { resolveRepository } from "./source-repository";
import { canonicalSourceUri, parseSourceUri } from "./source-uri";
import type { ObjectStore } from "./store";

/** Options of {@link pullModelRepository}. */
export interface PullOptions extends StoreClientOptions {
  /**
   * Source URI (`s3://bucket/prefix`, `gs://bucket/prefix`, `https://…` or `file:///…`), or
   * several tried in order: the first that is pulled completely and verifies wins.
   */
  from: string | readonly string[];
  /** Target directory; created when missing. */
  to: string;
  /**
   * Device cache directory (e.g. a hostPath): each version (identified by the SHA-256 of the
   * source's manifest) is downloaded into it once and laid from it, verified, into `to`; when
   * no source can be pulled from, the newest complete cached version is laid instead. Needs a
   * `manifest.json` at the source. Default: no cache.
   */
  cacheDir?: string;
  /** Versions kept in the cache per source, newest first (1–100). Default 2. */
  cacheKeep?: number;
  /** Files downloaded at the same time. Default 4. */
  concurrency?: number;
  /** Retry policy for listing, the manifest and each file. Default 5 attempts, 250 ms base. */
  retry?: RetryPolicy;
  /** Aborts the pull; the staging directory is removed. */
  signal?: AbortSignal;
  /**
   * Milliseconds without a byte before a transfer is abandoned and retried; also the time a
   * listing or manifest request may take. Default 30 000.
   */
  stallTimeoutMs?: number;
  /** Accept `http://` on loopback hosts (tests only). Default false. */
  allowLoopbackHttp?: boolean;
  /** Receives one line per retry, per failed source and per warning. Default: none. */
  log?: (line: string) => void;
}

/** How the device cache took part in a pull. */
export type CacheUse =
  /** The source's current version was in the cache: nothing but the manifest was downloaded. */
  | "hit"
  /** The source's current version was downloaded into the cache, then laid from it. */
  | "stored"
  /** No source could be pulled from: the newest complete cached version was laid. */
  | "offline";

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
  /** The source URI the files came from (for an offline pull, the one that last served them). */
  source: string;
  /** SHA-256 of the manifest of the version laid, when there was a manifest. */
  version?: string;
  /** How the cache took part; absent without `cacheDir`. */
  cache?: CacheUse;
  /** Why each source that was tried and failed failed, in order. */
  failures: { source: string; message: string }[];
}

/** A `--from` source, parsed and opened. */
interface OpenedSource {
  uri: string;
  canonical: string;
  store: ObjectStore;
}

function checkWholeNumber(name: string, value: number, max: number): number {
  if (!Number.isInteger(value) || value < 1 || value > max) {
    throw new PullError(`${name} = ${value} is not valid; use a whole number from 1 to ${max}`);
  }
  return value;
}

/** Pulls one source's current version into the target through the cache. */
async function pullThroughCache(
  cache: ModelCache,
  source: OpenedSource,
  target: string,
  options: LayOptions,
  log: (line: string) => void,
): Promise<Omit<PullResult, "target" | "failures">> {
  const repository = await resolveRepository(
    source.store,
    options.retry,
    options.signal,
    options.stallTimeoutMs,
  );
  const digest = repository.manifestSha256;
  if (!digest) {
    throw new PullError(
      `${source.uri} has no ${MANIFEST_NAME}; --cache-dir needs one, because the cache identifies and checks versions by its SHA-256 (see "Manifest format")`,
    );
  }
  let use: CacheUse = "hit";
  if (await cache.has(digest)) {
    try {
      await cache.lay(digest, target, options);
    } catch (error) {
      if (!(error instanceof CacheEntryError)) throw error;
      log(`warning: ${error.message}; removing it and downloading it again`);
      await cache.evict(digest);
      use = "stored";
    }
  } else {
    use = "stored";
  }
  if (use === "stored") {
    await cache.store(source.store, repository, source, options);
    await cache.lay(digest, target, options);
  }
  await cache.markSeen(digest, source);
  return {
    files: repository.files.length,
    bytes: repository.files.reduce((sum, f) => sum + f.size, 0),
    verified: "sha256",
    source: source.uri,
    version: digest,
    cache: use,
  };
}

/** Lays the newest complete cached version of any of the sources, skipping damaged ones. */
async function pullFromCache(
  cache: ModelCache,
  sources: readonly OpenedSource[],
  target: string,
  options: LayOptions,
  log: (line: string) => void,
): Promise<Omit<PullResult, "target" | "failures"> | undefined> {
  for (const version of await cache.versionsOf(sources.map((s) => s.canonical))) {
    try {
      await cache.lay(version.digest, target, options);
    } catch (error) {
      if (!(error instanceof CacheEntryError)) throw error;
      log(`warning: ${error.message}; removing it`);
      await cache.evict(version.digest);
      continue;
    }
    return {
      files: version.files.length,
      bytes: version.files.reduce((sum, f) => sum + f.size, 0),
      verified: "sha256",
      source: version.record.lastSource,
      version: version.digest,
      cache: "offline",
    };
  }
  return undefined;
}

/**
 * Lays a model repository from an object store into a directory, all or nothing: files are
 * downloaded into a staging directory on the target's file system, verified (size, and SHA-256
 * when the source has a `manifest.json`), then renamed into place. A failure or an abort removes
 * the staging directory, so the target never holds a partial pull. Listing, the manifest and
 * each file are retried on transient errors with exponential backoff and jitter.
 *
 * With several sources, each is tried in order until one is pulled completely and verifies; a
 * failed source's staging is discarded before the next is tried. With `cacheDir`, each version
 * goes through a device cache (see {@link PullOptions.cacheDir}) and, when every source fails,
 * the newest complete cached version of any of them is laid with a warning.
 */
export async function pullModelRepository(options: PullOptions): Promise<PullResult> {
  const concurrency = checkWholeNumber("concurrency", options.concurrency ?? 4, 64);
  const keep = checkWholeNumber("cacheKeep", options.cacheKeep ?? 2, 100);
  const log = options.log ?? (() => undefined);
  const uris = typeof options.from === "string" ? [options.from] : [...options.from];
  if (uris.length === 0) throw new PullError("no source given; name at least one --from");
  const sources: OpenedSource[] = uris.map((uri) => {
    const parsed = parseSourceUri(uri, { allowLoopbackHttp: options.allowLoopbackHttp });
    return { uri, canonical: canonicalSourceUri(parsed), store: openStore(parsed, options) };
  });
  const { signal } = options;
  const lay: LayOptions = {
    concurrency,
    signal,
    stallTimeoutMs: options.stallTimeoutMs,
    retry: {
      ...options.retry,
      onRetry: (attempt, error, delayMs) => {
        options.retry?.onRetry?.(attempt, error, delayMs);
        log(`attempt ${attempt} failed (${messageOf(error)}); retrying in ${delayMs} ms`);
      },
    },
  };
  const target = path.resolve(options.to);
  const cache = options.cacheDir === undefined ? undefined : new ModelCache(options.cacheDir);
  const failures: PullResult["failures"] = [];
  for (const source of sources) {
    try {
      if (cache) {
        const done = await pullThroughCache(cache, source, options.to, lay, log);
        await cache.prune([source.canonical], keep);
        return { target, failures, ...done };
      }
      const repository = await resolveRepository(
        source.store,
        lay.retry,
        signal,
        options.stallTimeoutMs,
      );
      await layRepository(source.store, repository.files, options.to, lay);
      return {
        target,
        failures,
        files: repository.files.length,
        bytes: repository.files.reduce((sum, f) => sum + f.size, 0),
        verified: repository.manifest ? "sha256" : "size",
        source: source.uri,
        version: repository.manifestSha256,
      };
    } catch (error) {
      if (signal?.aborted || (!cache && sources.length === 1)) throw error;
      failures.push({ source: source.uri, message: messageOf(error) });
      const next = sources[sources.indexOf(source) + 1];
      if (next) log(`${source.uri} failed (${messageOf(error)}); trying ${next.uri}`);
    }
  }
  const reasons = failures
    .map((f) => (f.message.startsWith(f.source) ? f.message : `${f.source}: ${f.message}`))
    .join("; ");
  if (!cache) throw new PullError(`every source failed: ${reasons}`);
  const cached = await pullFromCache(cache, sources, options.to, lay, log);
  if (cached) {
    log(
      `warning: no source could be pulled from (${reasons}); laid the newest cached version ${cached.version?.slice(0, 12)}, last pulled from ${cached.source}, from ${cache.directory}`,
    );
    return { target, failures, ...cached };
  }
  throw new PullError(
    `${reasons}; and ${cache.directory} holds no complete cached version of ${sources.map((s) => s.uri).join(", ")}`,
  );
}
