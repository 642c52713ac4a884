import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { Storage, type StorageOptions } from "@google-cloud/storage";
import type { ObjectInfo, ObjectStat, RemoteObject, WritableObjectStore } from "./store";

/**
 * Reads `gs://bucket/prefix` with the official `@google-cloud/storage` client and Application
 * Default Credentials (GKE Workload Identity, the metadata server, `GOOGLE_APPLICATION_CREDENTIALS`).
 * The endpoint can be overridden only through the SDK's `STORAGE_EMULATOR_HOST` or `options`.
 * The SDK's own retries are off: the puller retries whole objects (including broken bodies).
 * Writes (for `hybridai-serve sync`) are single-request uploads whose CRC32C the SDK checks
 * against the one GCS computes (a mismatching object is deleted by the SDK).
 */
export class GcsStore implements WritableObjectStore {
  private readonly storage: Storage;

  /**
   * @param bucket bucket name
   * @param prefix object name prefix, empty or ending with `/`
   * @param uri the source URI, for messages
   * @param options extra client options (tests: `apiEndpoint`)
   */
  constructor(
    private readonly bucket: string,
    private readonly prefix: string,
    readonly uri: string,
    options: StorageOptions = {},
  ) {
    this.storage = new Storage({ ...options, retryOptions: { autoRetry: false } });
  }

  async list(): Promise<RemoteObject[]> {
    const [files] = await this.storage
      .bucket(this.bucket)
      .getFiles({ prefix: this.prefix, autoPaginate: true });
    return files
      .filter((file) => !file.name.endsWith("/"))
      .map((file) => ({
        path: file.name.slice(this.prefix.length),
        size: Number(file.metadata.size ?? 0),
      }));
  }

  async open(path: string, signal?: AbortSignal): Promise<Readable> {
    const stream = this.storage
      .bucket(this.bucket)
      .file(`${this.prefix}${path}`)
      .createReadStream();
    if (signal) {
      const onAbort = () =>
        stream.destroy(signal.reason instanceof Error ? signal.reason : undefined);
      signal.addEventListener("abort", onAbort, { once: true });
      stream.once("close", () => signal.removeEventListener("abort", onAbort));
    }
    return stream;
  }

  async stat(path: string): Promise<ObjectStat | undefined> {
    try {
      const [metadata] = await this.storage
        .bucket(this.bucket)
        .file(`${this.prefix}${path}`)
        .getMetadata();
      const recorded = metadata.metadata?.sha256;
      return {
        size: Number(metadata.size ?? 0),
        sha256: typeof recorded === "string" ? recorded : undefined,
      };
    } catch (error) {
      if ((error as { code?: unknown }).code === 404) return undefined;
      throw error;
    }
  }

  async write(path: string, body: Readable, info: ObjectInfo, signal?: AbortSignal): Promise<void> {
    const destination = this.storage
      .bucket(this.bucket)
      .file(`${this.prefix}${path}`)
      .createWriteStream({
        resumable: false,
        validation: "crc32c",
        contentType: "application/octet-stream",
        metadata: { metadata: { sha256: info.sha256 } },
      });
    await pipeline(body, destination, { signal });
  }
}
