import { mkdtemp } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import S3rver from "s3rver";
import { removeDirectory } from "./repository";

/** A running s3rver whose objects live in a directory that outlives a stop. */
export interface LocalS3 {
  /** `http://127.0.0.1:<port>` */
  readonly endpoint: string;
  /** Stops the server; the objects stay on disk. */
  stop(): Promise<void>;
  /** Starts it again on the same port with the same objects. */
  restart(): Promise<void>;
  /** Writes objects (key → content) into a bucket. */
  put(bucket: string, objects: Record<string, Buffer>): Promise<void>;
  /** Stops the server and removes its directory. */
  destroy(): Promise<void>;
}

/**
 * Starts s3rver on loopback with `buckets`, and points the AWS SDK's default credential chain
 * at s3rver's fixed key pair through the environment, exactly as ambient credentials work.
 * `AWS_REQUEST_CHECKSUM_CALCULATION=WHEN_REQUIRED` because s3rver 3 predates the SDK's default
 * CRC32 request checksums.
 */
export async function startLocalS3(buckets: readonly string[]): Promise<LocalS3> {
  process.env.AWS_ACCESS_KEY_ID = "S3RVER";
  process.env.AWS_SECRET_ACCESS_KEY = "S3RVER";
  process.env.AWS_REGION = "us-east-1";
  process.env.AWS_REQUEST_CHECKSUM_CALCULATION = "WHEN_REQUIRED";
  const directory = await mkdtemp(path.join(os.tmpdir(), "s3rver-"));
  let port = 0;
  let server: S3rver | undefined;
  const start = async () => {
    server = new S3rver({
      address: "127.0.0.1",
      port,
      silent: true,
      directory,
      configureBuckets: buckets.map((name) => ({ name })),
    });
    port = (await server.run()).port;
  };
  await start();
  const endpoint = `http://127.0.0.1:${port}`;
  const stop = async () => {
    await server?.close();
    server = undefined;
  };
  return {
    endpoint,
    stop,
    restart: start,
    async put(bucket, objects) {
      const client = new S3Client({ endpoint, forcePathStyle: true });
      for (const [Key, Body] of Object.entries(objects)) {
        await client.send(new PutObjectCommand({ Bucket: bucket, Key, Body }));
      }
      client.destroy();
    },
    async destroy() {
      await stop();
      await removeDirectory(directory);
    },
  };
}

/** `files` under `prefix/`, with a truthful `manifest.json` when `manifest` is given. */
export function underPrefix(
  prefix: string,
  files: Record<string, Buffer>,
  manifest?: unknown,
): Record<string, Buffer> {
  const objects = Object.fromEntries(
    Object.entries(files).map(([name, content]) => [`${prefix}/${name}`, content]),
  );
  if (manifest !== undefined) {
    objects[`${prefix}/manifest.json`] = Buffer.from(JSON.stringify(manifest));
  }
  return objects;
}
