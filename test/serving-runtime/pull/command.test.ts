import { mkdir, readdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { runPullCommand } from "@hybridai/serving-runtime/src/pull";
import { beforeEach, describe, expect, it } from "vitest";
import { removeDirectory, temporaryDirectory } from "./helpers/repository";

let work: string;
let out: string[];
let err: string[];
const io = { out: (l: string) => out.push(l), err: (l: string) => err.push(l) };

beforeEach(async (context) => {
  work = await temporaryDirectory();
  out = [];
  err = [];
  context.onTestFinished(() => removeDirectory(work));
});

describe("hybridai-serve pull", () => {
  it("pulls and prints a summary, exit code 0", async () => {
    await mkdir(path.join(work, "src", "m", "1"), { recursive: true });
    await writeFile(path.join(work, "src", "m", "1", "model.onnx"), "onnx");
    const code = await runPullCommand(
      ["--from", pathToFileURL(path.join(work, "src")).href, "--to", path.join(work, "models")],
      io,
    );
    expect(err).toEqual([]);
    expect(code).toBe(0);
    expect(out[0]).toMatch(
      /^hybridai-serve pull: 1 files, 4 bytes from file:\/\/.* \(verified: size\)$/,
    );
    expect(await readdir(path.join(work, "models", "m", "1"))).toEqual(["model.onnx"]);
  });

  it.each([
    [["--to", "/models"], "--from is required"],
    [["--from", "s3://b/p"], "--to is required"],
    [
      ["--from", "s3://b/p", "--to", "/m", "--concurrency", "x"],
      '--concurrency "x" is not a whole number',
    ],
    [["--from", "s3://b/p", "--to", "/m", "--attempts", "50"], "--attempts 50 is out of range"],
    [["--from", "s3://b/p", "--to", "/m", "--access-key", "AKIA"], "Unknown option '--access-key'"],
  ])("exits 2 with usage for %j", async (argv, message) => {
    expect(await runPullCommand(argv, io)).toBe(2);
    expect(err.join("\n")).toContain(message);
    expect(err.join("\n")).toContain("Usage: hybridai-serve pull");
  });

  it("exits 1 with the reason when the pull fails", async () => {
    const code = await runPullCommand(
      ["--from", "gs://bucket/x", "--to", work, "--concurrency", "0"],
      io,
    );
    expect(code).toBe(1);
    expect(err[0]).toContain("concurrency = 0 is not valid; use a whole number from 1 to 64");
  });
});
