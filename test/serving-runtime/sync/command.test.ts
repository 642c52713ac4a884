import { runSyncCommand } from "@hybridai/serving-runtime/src/sync";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type FakeGcs, startFakeGcs } from "../pull/helpers/fake-gcs";
import { manifestOf, sampleRepository } from "../pull/helpers/repository";
import { type LocalS3, startLocalS3, underPrefix } from "../pull/helpers/s3";

let s3: LocalS3;
let gcs: FakeGcs;
let out: string[];
let err: string[];
const io = { out: (l: string) => out.push(l), err: (l: string) => err.push(l) };

beforeAll(async () => {
  s3 = await startLocalS3(["aws-models"]);
  gcs = await startFakeGcs(["gcp-models"]);
  // Endpoints through the SDKs' own variables only, as in a real environment.
  process.env.AWS_ENDPOINT_URL_S3 = s3.endpoint;
  process.env.STORAGE_EMULATOR_HOST = `${gcs.url}/storage/v1`;
  const files = sampleRepository();
  await s3.put("aws-models", underPrefix("ranker", files, manifestOf(files)));
});

afterAll(async () => {
  delete process.env.AWS_ENDPOINT_URL_S3;
  delete process.env.STORAGE_EMULATOR_HOST;
  await s3.destroy();
  await gcs.close();
});

beforeEach(() => {
  out = [];
  err = [];
});

describe("hybridai-serve sync", () => {
  it("copies, prints a summary and exits 0; a second run copies nothing", async () => {
    const args = ["--from", "s3://aws-models/ranker", "--to", "gs://gcp-models/ranker"];
    expect(await runSyncCommand(args, io)).toBe(0);
    expect(err).toEqual([]);
    expect(out[0]).toMatch(
      /^hybridai-serve sync: version [0-9a-f]{12} from s3:\/\/aws-models\/ranker to gs:\/\/gcp-models\/ranker: 4 of 4 files copied \(440020 bytes\), 0 already there, manifest written, in \d+\.\d s$/,
    );
    out = [];
    expect(await runSyncCommand(args, io)).toBe(0);
    expect(out[0]).toMatch(
      /: 0 of 4 files copied \(0 bytes\), 4 already there, manifest unchanged,/,
    );
  });

  it("exits 1 and says the target keeps its previous manifest when the sync fails", async () => {
    gcs.faults.set("list:gcp-models", [{ status: 403 }]);
    const code = await runSyncCommand(
      ["--from", "gs://gcp-models/ranker", "--to", "s3://aws-models/copy"],
      io,
    );
    expect(code).toBe(1);
    expect(err.at(-1)).toMatch(
      /^hybridai-serve sync: failed: .*; s3:\/\/aws-models\/copy still serves its previous manifest$/,
    );
  });

  it.each([
    [["--to", "gs://b/p"], "--from is required"],
    [["--from", "s3://b/p"], "--to is required"],
    [
      ["--from", "s3://b/p", "--to", "gs://b/p", "--concurrency", "0"],
      "--concurrency 0 is out of range; use 1 to 64",
    ],
    [
      ["--from", "s3://b/p", "--to", "gs://b/p", "--attempts", "x"],
      '--attempts "x" is not a whole number',
    ],
    [["--from", "s3://b/p", "--to", "gs://b/p", "--delete"], "Unknown option '--delete'"],
  ])("exits 2 with usage for %j", async (argv, message) => {
    expect(await runSyncCommand(argv, io)).toBe(2);
    expect(err.join("\n")).toContain(message);
    expect(err.join("\n")).toContain("Usage: hybridai-serve sync");
  });
});
