import type { Readable } from "node:stream";
import {
  GetObjectCommand,
  HeadObjectCommand,
  paginateListObjectsV2,
  S3Client,
  type S3ClientConfig,
} from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";
import type { ObjectInfo, ObjectStat, RemoteObject, WritableObjectStore } from "./store";

/** Part size of multipart uploads (objects larger than this are uploaded in parts). */
const PART_SIZE = 16 * 1024 * 1024;

/**
 * Reads `s3://bucket/prefix` with the AWS SDK v3 and its default credential chain (IRSA web
 * identity, EKS Pod Identity, instance metadata, environment). The endpoint can be overridden
 * only through the SDK's own `AWS_ENDPOINT_URL_S3` / `AWS_ENDPOINT_URL` variables or `config`.
 * The SDK's own retries are off: the puller retries whole objects (including broken bodies).
 * Writes (for `hybridai-serve sync`) go through `@aws-sdk/lib-storage`, one PUT or a multipart
 * upload for large objects, with the SDK's default request checksums checked by S3.
 */
export class S3Store implements WritableObjectStore {
  private readonly client: S3Client;

  /**
   * @param bucket bucket name
   * @param prefix key prefix, empty or ending with `/`
   * @param uri the source URI, for messages
   * @param config extra client configuration (tests: `endpoint`, `forcePathStyle`)
   */
  constructor(
    private readonly bucket: string,
    private readonly prefix: string,
    readonly uri: string,
    config: S3ClientConfig = {},
  ) {
    this.client = new S3Client({
      region: process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? "us-east-1",
      followRegionRedirects: true,
      ...config,
      maxAttempts: 1,
    });
  }

  async list(signal?: AbortSignal): Promise<RemoteObject[]> {
    const objects: RemoteObject[] = [];
    const pages = paginateListObjectsV2(
      { client: this.client },
      { Bucket: this.bucket, Prefix: this.prefix },
      { abortSignal: signal },
    );
    for await (const page of pages) {
      for (const item of page.Contents ?? []) {
        if (!item.Key || item.Key.endsWith("/")) continue;
        objects.push({ path: item.Key.slice(this.prefix.length), size: item.Size ?? 0 });
      }
    }
    return objects;
  }

  async open(path: string, signal?: AbortSignal): Promise<Readable> {
    const answer = await this.client.send(
      new GetObjectCommand({ Bucket: this.bucket, Key: `${this.prefix}${path}` }),
      { abortSignal: signal },
    );
    return answer.Body as Readable;
  }

  async stat(path: string, signal?: AbortSignal): Promise<ObjectStat | undefined> {
    try {
      const answer = await this.client.send(
        new HeadObjectCommand({ Bucket: this.bucket, Key: `${this.prefix}${path}` }),
        { abortSignal: signal },
      );
      return { size: answer.ContentLength ?? 0, sha256: answer.Metadata?.sha256 };
    } catch (error) {
      if ((error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404)
        return undefined;
      throw error;
    }
  }

  async write(path: string, body: Readable, info: ObjectInfo, signal?: AbortSignal): Promise<void> {
    const upload = new Upload({
      client: this.client,
      params: {
        Bucket: this.bucket,
        Key: `${this.prefix}${path}`,
        Body: body,
        ContentType: "application/octet-stream",
        Metadata: { sha256: info.sha256 },
      },
      partSize: PART_SIZE,
      queueSize: 4,
      leavePartsOnError: false,
    });
    const onAbort = () => void upload.abort().catch(() => undefined);
    signal?.addEventListener("abort", onAbort, { once: true });
    try {
      await upload.done();
    } finally {
      signal?.removeEventListener("abort", onAbort);
    }
  }
}
