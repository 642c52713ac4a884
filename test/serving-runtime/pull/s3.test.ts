import { mkdtemp, readdir, stat } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { type PullOptions, pullModelRepository } from "@hybridai/serving-runtime/src/pull";
import S3rver from "s3rver";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  digestsOf,
  manifestOf,
  type RepositoryFiles,
  readTree,
  removeDirectory,
  sampleRepository,
  temporaryDirectory,
} from "./helpers/repository";

let server: S3rver;
let endpoint: string;
let serverDirectory: string;
let work: string;
const files: RepositoryFiles = sampleRepository();

beforeAll(async () => {
  // Ambient credentials, exactly as the SDK's default chain reads them (s3rver's fixed key pair).
  process.env.AWS_ACCESS_KEY_ID = "S3RVER";
  process.env.AWS_SECRET_ACCESS_KEY = "S3RVER";
  process.env.AWS_REGION = "us-east-1";
  serverDirectory = await mkdtemp(path.join(os.tmpdir(), "s3rver-"));
  server = new S3rver({
    address: "127.0.0.1",
    port: 0,
    silent: true,
    directory: serverDirectory,
    configureBuckets: [{ name: "models" }],
  });
  const { port } = await server.run();
  endpoint = `http://127.0.0.1:${port}`;
  const uploader = new S3Client({
    endpoint,
    forcePathStyle: true,
    requestChecksumCalculation: "WHEN_REQUIRED",
  });
  const manifest = manifestOf(files);
  const tampered = {
    files: manifest.files.map((f, i) => (i === 0 ? { ...f, sha256: "0".repeat(64) } : f)),
  };
  const objects: [string, Buffer][] = [
    ...Object.entries(files).map(([k, v]): [string, Buffer] => [`plain/${k}`, v]),
    ...Object.entries(files).map(([k, v]): [string, Buffer] => [`signed/${k}`, v]),
    ["signed/manifest.json", Buffer.from(JSON.stringify(manifest))],
    ...Object.entries(files).map(([k, v]): [string, Buffer] => [`tampered/${k}`, v]),
    ["tampered/manifest.json", Buffer.from(JSON.stringify(tampered))],
  ];
  for (const [Key, Body] of objects) {
    await uploader.send(new PutObjectCommand({ Bucket: "models", Key, Body }));
  }
  uploader.destroy();
});

afterAll(async () => {
  await server.close();
  await removeDirectory(serverDirectory);
});

beforeEach(async (context) => {
  work = await temporaryDirectory();
  context.onTestFinished(() => removeDirectory(work));
});

function pull(from: string, extra: Partial<PullOptions> = {}) {
  return pullModelRepository({
    from,
    to: path.join(work, "models"),
    s3: { endpoint, forcePathStyle: true },
    retry: { baseDelayMs: 5 },
    ...extra,
  });
}

describe("pull from s3:// through the AWS SDK against s3rver", () => {
  it("lays the prefix into the target with every size checked", async () => {
    const result = await pull("s3://models/plain");
    expect(result).toMatchObject({ files: 4, bytes: 440_000 + files["ranker/config.json"].length });
    expect(await readTree(path.join(work, "models"))).toEqual(digestsOf(files));
  });

  it("verifies SHA-256 against the manifest", async () => {
    const result = await pull("s3://models/signed/");
    expect(result.verified).toBe("sha256");
    expect(await readTree(path.join(work, "models"))).toEqual(digestsOf(files));
  });

  it("rejects a file whose SHA-256 differs from the manifest, without retrying, leaving nothing", async () => {
    const retries: unknown[] = [];
    await expect(
      pull("s3://models/tampered", { retry: { onRetry: (_, e) => retries.push(e) } }),
    ).rejects.toThrow(/has SHA-256 [0-9a-f]{64}, but the manifest says 0{64}/);
    expect(retries).toEqual([]);
    await expect(stat(path.join(work, "models"))).rejects.toThrow(/ENOENT/);
    expect(await readdir(work)).toEqual([]);
  });

  it("fails fast on a missing bucket (a 4xx is not retried)", async () => {
    const retries: unknown[] = [];
    await expect(
      pull("s3://no-such-bucket/x", { retry: { onRetry: (_, e) => retries.push(e) } }),
    ).rejects.toThrow(/bucket/i);
    expect(retries).toEqual([]);
  });

  it("replaces an older pull in an existing target, model folder by model folder", async () => {
    const target = path.join(work, "models");
    await pull("s3://models/plain");
    const before = await stat(path.join(target, "ranker"));
    await pull("s3://models/signed");
    expect(await readTree(target)).toEqual(digestsOf(files));
    expect((await stat(path.join(target, "ranker"))).ino).not.toBe(before.ino);
    expect((await readdir(target)).sort()).toEqual(["embedder", "ranker"]);
  });
});
