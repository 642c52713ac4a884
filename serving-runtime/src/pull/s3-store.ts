import type { Readable } from "node:stream";
import {
  GetObjectCommand,
  paginateListObjectsV2,
  S3Client,
  type S3ClientConfig,
} from "@aws-sdk/client-s3";
import type { ObjectStore, RemoteObject } from "./store";

/**
 * Reads `s3://bucket/prefix` with the AWS SDK v3 and its default credential chain (IRSA web
 * identity, EKS Pod Identity, instance metadata, environment). The endpoint can be overridden
 * only through the SDK's own `AWS_ENDPOINT_URL_S3` / `AWS_ENDPOINT_URL` variables or `config`.
 * The SDK's own retries are off: the puller retries whole objects (including broken bodies).
 */
export class S3Store implements ObjectStore {
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
}
