import { createHash, randomBytes } from "node:crypto";
import { mkdir, readdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { z } from "zod";
import type { ExpectedFile } from "./download";
import { downloadAll } from "./download-all";
import { CacheEntryError, PullError } from "./errors";
import { FileStore } from "./file-store";
import { type LayOptions, layRepository } from "./lay-repository";
import { MANIFEST_NAME, type Manifest, parseManifest } from "./manifest";
import { STAGING_PREFIX } from "./safe-path";
import type { SourceRepository } from "./source-repository";
import { prepareStaging } from "./staging";
import type { ObjectStore } from "./store";

/** Folder of the cache directory holding one folder per version (the layout's version). */
const VERSIONS_FOLDER = "v1";
/** Inside a version's folder: the repository's files. */
const FILES_FOLDER = "files";
/** Inside a version's folder: where and when the version was seen. */
const RECORD_NAME = "entry.json";

/** Where and when a cached version was seen, kept in `<version>/entry.json`. */
export interface CacheRecord {
  /** Canonical URIs of the sources that served this version. */
  sources: string[];
  /** The source URI, as given, that served it last. */
  lastSource: string;
  /** ISO 8601 time a pull last found it the current version of a source. */
  seenAt: string;
}

const recordSchema = z.strictObject({
  sources: z.array(z.string().min(1)).min(1),
  lastSource: z.string().min(1),
  seenAt: z.iso.datetime(),
});

/** A complete version in the cache. Its files are verified again each time they are laid. */
export interface CachedVersion {
  /** Lowercase hex SHA-256 of the version's manifest bytes; the version's name. */
  digest: string;
  /** The version's manifest. */
  manifest: Manifest;
  /** What each file must be (size and SHA-256). */
  files: ExpectedFile[];
  /** Where and when it was seen. */
  record: CacheRecord;
}

const DIGEST = /^[0-9a-f]{64}$/;

function isCode(error: unknown, ...codes: string[]): boolean {
  return codes.includes((error as NodeJS.ErrnoException | undefined)?.code ?? "");
}

/**
 * A device-local cache of model repository versions, content-addressed by the SHA-256 of their
 * manifest: `<dir>/v1/<sha256>/{manifest.json, entry.json, files/…}`. A version appears only
 * when complete (one rename of a verified staging folder), and its files are checked against
 * the manifest's sizes and SHA-256 each time they are laid into a target, so a damaged or
 * partial version is never served. Several pulls may share the directory at once (pods on one
 * node mounting the same hostPath).
 */
export class ModelCache {
  /** Folder holding the versions. */
  private readonly versions: string;

  /** @param directory the cache directory (created when missing) */
  constructor(readonly directory: string) {
    this.versions = path.join(path.resolve(directory), VERSIONS_FOLDER);
  }

  private folder(digest: string): string {
    return path.join(this.versions, digest);
  }

  /** Whether a complete version with this manifest digest is in the cache. */
  async has(digest: string): Promise<boolean> {
    return readFile(path.join(this.folder(digest), MANIFEST_NAME)).then(
      () => true,
      () => false,
    );
  }

  /**
   * Reads a version's manifest and record; throws {@link CacheEntryError} when either is
   * missing or damaged (the manifest must still hash to the version's name).
   */
  async read(digest: string): Promise<CachedVersion> {
    const folder = this.folder(digest);
    const broken = (why: string, cause?: unknown) =>
      new CacheEntryError(`cached version ${digest.slice(0, 12)} in ${folder}: ${why}`, cause);
    const bytes = await readFile(path.join(folder, MANIFEST_NAME)).catch((error) => {
      throw broken(`${MANIFEST_NAME} cannot be read (${(error as Error).message})`, error);
    });
    if (createHash("sha256").update(bytes).digest("hex") !== digest) {
      throw broken(`${MANIFEST_NAME} does not match its SHA-256`);
    }
    let manifest: Manifest;
    let record: CacheRecord;
    try {
      manifest = parseManifest(bytes.toString("utf8"), folder);
      record = recordSchema.parse(
        JSON.parse(await readFile(path.join(folder, RECORD_NAME), "utf8")),
      );
    } catch (error) {
      throw broken(`damaged records (${(error as Error).message})`, error);
    }
    return { digest, manifest, files: manifest.files.map((f) => ({ ...f })), record };
  }

  /**
   * Downloads a source's version into the cache, verified against its manifest, and adds it
   * with one rename. When another pull added the same version meanwhile, that one is kept.
   */
  async store(
    store: ObjectStore,
    repository: SourceRepository,
    source: { canonical: string; uri: string },
    options: LayOptions,
  ): Promise<void> {
    const { manifestBytes, manifestSha256: digest } = repository;
    if (!manifestBytes || !digest) {
      throw new PullError(`${source.uri}: only a source with ${MANIFEST_NAME} can be cached`);
    }
    await mkdir(this.versions, { recursive: true });
    const staging = await prepareStaging(this.versions, { shared: true });
    try {
      const built = path.join(staging.directory, digest);
      await downloadAll(store, repository.files, path.join(built, FILES_FOLDER), options);
      await writeFile(path.join(built, MANIFEST_NAME), manifestBytes);
      const record: CacheRecord = {
        sources: [source.canonical],
        lastSource: source.uri,
        seenAt: new Date().toISOString(),
      };
      await writeFile(path.join(built, RECORD_NAME), JSON.stringify(record));
      await rename(built, this.folder(digest)).catch((error) => {
        if (!isCode(error, "ENOTEMPTY", "EEXIST")) throw error;
      });
    } finally {
      await staging.discard();
    }
  }

  /**
   * Lays a cached version into `target` (all or nothing), verifying every file's size and
   * SHA-256 on the way. Throws {@link CacheEntryError} when the version is damaged; the target
   * is then unchanged.
   */
  async lay(digest: string, target: string, options: LayOptions): Promise<CachedVersion> {
    const version = await this.read(digest);
    const files = new FileStore(
      path.join(this.folder(digest), FILES_FOLDER),
      `cached version ${digest.slice(0, 12)} in ${this.directory}`,
    );
    await layRepository(files, version.files, target, {
      ...options,
      retry: { ...options.retry, attempts: 1 },
      onDownloadError: (error) =>
        error instanceof PullError ? new CacheEntryError(error.message, error) : error,
    });
    return version;
  }

  /** Records that `source` served this version just now (it becomes the newest for it). */
  async markSeen(digest: string, source: { canonical: string; uri: string }): Promise<void> {
    const { record } = await this.read(digest);
    const updated: CacheRecord = {
      sources: [...new Set([...record.sources, source.canonical])],
      lastSource: source.uri,
      seenAt: new Date().toISOString(),
    };
    const folder = this.folder(digest);
    const temporary = path.join(folder, `.${RECORD_NAME}-${randomBytes(4).toString("hex")}`);
    await writeFile(temporary, JSON.stringify(updated));
    await rename(temporary, path.join(folder, RECORD_NAME));
  }

  /**
   * The complete versions seen at any of `sources` (canonical URIs), newest first. Versions
   * whose records are damaged are removed on the way.
   */
  async versionsOf(sources: readonly string[]): Promise<CachedVersion[]> {
    const names = await readdir(this.versions).catch(() => [] as string[]);
    const found: CachedVersion[] = [];
    for (const name of names.filter((n) => DIGEST.test(n))) {
      try {
        const version = await this.read(name);
        if (version.record.sources.some((s) => sources.includes(s))) found.push(version);
      } catch (error) {
        if (!(error instanceof CacheEntryError)) throw error;
        await this.evict(name);
      }
    }
    return found.sort(
      (a, b) => b.record.seenAt.localeCompare(a.record.seenAt) || a.digest.localeCompare(b.digest),
    );
  }

  /** Removes a version (first renamed out of sight, so no reader finds it half removed). */
  async evict(digest: string): Promise<void> {
    const parked = path.join(
      this.versions,
      `${STAGING_PREFIX}evicted-${randomBytes(4).toString("hex")}`,
    );
    try {
      await rename(this.folder(digest), parked);
    } catch (error) {
      if (isCode(error, "ENOENT")) return;
      throw error;
    }
    await rm(parked, { recursive: true, force: true });
  }

  /**
   * Keeps the `keep` newest versions seen at any of `sources` and removes older ones; returns
   * the removed digests. Versions of other sources are left alone.
   */
  async prune(sources: readonly string[], keep: number): Promise<string[]> {
    const old = (await this.versionsOf(sources)).slice(keep).map((v) => v.digest);
    for (const digest of old) await this.evict(digest);
    return old;
  }
}
