import { mkdir, readdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { pullModelRepository, runPullCommand } from "@hybridai/serving-runtime/src/pull";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startFakeGcs } from "./helpers/fake-gcs";
import { startStaticServer } from "./helpers/fake-https";
import type { ObjectServer } from "./helpers/object-server";
import {
  digestsOf,
  manifestOf,
  readTree,
  removeDirectory,
  sampleRepository,
  temporaryDirectory,
} from "./helpers/repository";
import { type LocalS3, startLocalS3, underPrefix } from "./helpers/s3";

let s3: LocalS3;
let gcs: ObjectServer;
let work: string;
let out: string[];
let err: string[];
const io = { out: (l: string) => out.push(l), err: (l: string) => err.push(l) };
/** What the AWS store holds, and a different version in the Google store. */
const inS3 = sampleRepository();
const inGcs = sampleRepository();

beforeAll(async () => {
  s3 = await startLocalS3(["models"]);
  process.env.AWS_ENDPOINT_URL_S3 = s3.endpoint;
  await s3.put("models", underPrefix("ranker", inS3, manifestOf(inS3)));
  const tampered = manifestOf(inS3);
  tampered.files[2].sha256 = "0".repeat(64);
  await s3.put("models", underPrefix("tampered", inS3, tampered));
  gcs = await startFakeGcs(["models"]);
  process.env.STORAGE_EMULATOR_HOST = `${gcs.url}/storage/v1`;
  for (const [name, content] of Object.entries(underPrefix("ranker", inGcs, manifestOf(inGcs)))) {
    gcs.objects.set(`models/${name}`, content);
  }
});

afterAll(async () => {
  delete process.env.AWS_ENDPOINT_URL_S3;
  delete process.env.STORAGE_EMULATOR_HOST;
  await s3.destroy();
  await gcs.close();
});

beforeEach(async (context) => {
  work = await temporaryDirectory();
  out = [];
  err = [];
  gcs.requests.length = 0;
  gcs.faults.clear();
  context.onTestFinished(() => removeDirectory(work));
});

const target = () => path.join(work, "models");

describe("hybridai-serve pull --from … --from …", () => {
  it("takes the first source when it is up, and never asks the second", async () => {
    const code = await runPullCommand(
      ["--from", "s3://models/ranker", "--from", "gs://models/ranker", "--to", target()],
      io,
    );
    expect(err).toEqual([]);
    expect(code).toBe(0);
    expect(out[0]).toMatch(/from s3:\/\/models\/ranker into .* \(verified: sha256\)$/);
    expect(await readTree(target())).toEqual(digestsOf(inS3));
    expect(gcs.requests).toEqual([]);
  });

  it("starts from the second cloud's store while the first is down", async () => {
    await s3.stop();
    try {
      const code = await runPullCommand(
        [
          "--from",
          "s3://models/ranker",
          "--from",
          "gs://models/ranker",
          "--to",
          target(),
          "--attempts",
          "2",
        ],
        io,
      );
      expect(code).toBe(0);
      expect(out[0]).toMatch(/from gs:\/\/models\/ranker into .* \(verified: sha256\)$/);
      expect(err.join("\n")).toMatch(
        /s3:\/\/models\/ranker failed \(.*ECONNREFUSED.*\); trying gs:\/\/models\/ranker/,
      );
      expect(await readTree(target())).toEqual(digestsOf(inGcs));
    } finally {
      await s3.restart();
    }
  });

  it("skips a source whose files do not verify, without mixing its files into the target", async () => {
    const result = await pullModelRepository({
      from: ["s3://models/tampered", "gs://models/ranker"],
      to: target(),
      retry: { baseDelayMs: 5 },
    });
    expect(result.source).toBe("gs://models/ranker");
    expect(result.failures).toHaveLength(1);
    expect(result.failures[0].source).toBe("s3://models/tampered");
    expect(result.failures[0].message).toMatch(
      /has SHA-256 [0-9a-f]{64}, but the manifest says 0{64}/,
    );
    expect(await readTree(target())).toEqual(digestsOf(inGcs));
    expect(await readdir(work)).toEqual(["models"]);
  });

  it("falls through a source that breaks mid-download", async () => {
    gcs.faults.set(
      "models/ranker/ranker/1/model.onnx",
      Array.from({ length: 2 }, () => ({ drop: "mid-body" as const })),
    );
    const result = await pullModelRepository({
      from: ["gs://models/ranker", "s3://models/ranker"],
      to: target(),
      retry: { attempts: 2, baseDelayMs: 5 },
      stallTimeoutMs: 500,
    });
    expect(result.source).toBe("s3://models/ranker");
    expect(await readTree(target())).toEqual(digestsOf(inS3));
  });

  it("gives up on a store that accepts the connection but never answers the manifest", async () => {
    const stalled = await startStaticServer();
    try {
      for (const [name, content] of Object.entries(underPrefix("r", inS3, manifestOf(inS3)))) {
        stalled.objects.set(name, content);
      }
      stalled.faults.set("r/manifest.json", [{ stall: "mid-body" }, { stall: "mid-body" }]);
      const lines: string[] = [];
      const result = await pullModelRepository({
        from: [`${stalled.url}/r`, "gs://models/ranker"],
        to: target(),
        allowLoopbackHttp: true,
        retry: { attempts: 2, baseDelayMs: 5 },
        stallTimeoutMs: 300,
        log: (line) => lines.push(line),
      });
      expect(result.source).toBe("gs://models/ranker");
      expect(result.failures[0].message).toBe(
        `${stalled.url}/r/manifest.json: no answer within 300 ms`,
      );
      expect(lines[0]).toMatch(/^attempt 1 failed \(.*no answer within 300 ms\)/);
    } finally {
      await stalled.close();
    }
  });

  it("exits 1 naming every source's failure when all fail, the target unchanged", async () => {
    await mkdir(target());
    await writeFile(path.join(target(), "kept"), "previous");
    gcs.faults.set("list:models", [{ status: 403 }]);
    const code = await runPullCommand(
      ["--from", "s3://models/nothing", "--from", "gs://models/ranker", "--to", target()],
      io,
    );
    expect(code).toBe(1);
    expect(err.at(-1)).toMatch(
      /^hybridai-serve pull: failed: every source failed: s3:\/\/models\/nothing: no objects found under this prefix; check the bucket and path; gs:\/\/models\/ranker: scripted; .* is unchanged$/,
    );
    expect(await readdir(target())).toEqual(["kept"]);
  });

  it("with a cache, lays the version last pulled from either store when both are down", async () => {
    const cacheDir = path.join(work, "cache");
    const args = [
      "--from",
      "s3://models/ranker",
      "--from",
      "gs://models/ranker",
      "--to",
      target(),
      "--cache-dir",
      cacheDir,
      "--attempts",
      "1",
    ];
    await s3.stop();
    try {
      expect(await runPullCommand(args, io)).toBe(0);
      expect(out[0]).toMatch(/from gs:\/\/models\/ranker .*cache: stored\)$/);
      gcs.faults.set("list:models", [{ status: 503 }]);
      await removeDirectory(target());
      out = [];
      err = [];
      expect(await runPullCommand(args, io)).toBe(0);
      expect(out[0]).toMatch(/from gs:\/\/models\/ranker .*cache: offline\)$/);
      expect(err.at(-1)).toMatch(
        /warning: no source could be pulled from \(s3:\/\/models\/ranker: .*; gs:\/\/models\/ranker: scripted\); laid the newest cached version/,
      );
      expect(await readTree(target())).toEqual(digestsOf(inGcs));
    } finally {
      await s3.restart();
    }
  });
});
