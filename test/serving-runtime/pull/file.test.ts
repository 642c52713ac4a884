import { mkdir, readdir, symlink, writeFile } from "node:fs/promises";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { pullModelRepository } from "@hybridai/serving-runtime/src/pull";
import { beforeEach, describe, expect, it } from "vitest";
import {
  digestsOf,
  manifestOf,
  readTree,
  removeDirectory,
  sampleRepository,
  temporaryDirectory,
} from "./helpers/repository";

let work: string;
let source: string;
const files = sampleRepository();

beforeEach(async (context) => {
  work = await temporaryDirectory();
  context.onTestFinished(() => removeDirectory(work));
  source = path.join(work, "source");
  for (const [name, content] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(source, name)), { recursive: true });
    await writeFile(path.join(source, name), content);
  }
});

describe("pull from file://", () => {
  it("copies a local repository into an existing (mount point) target, keeping other models", async () => {
    const target = path.join(work, "mount");
    await mkdir(path.join(target, "other-model", "1"), { recursive: true });
    await writeFile(path.join(target, "other-model", "1", "model.onnx"), "kept");
    await mkdir(path.join(target, ".hybridai-pull-123-deadbeef"));
    await pullModelRepository({ from: pathToFileURL(source).href, to: target });
    expect(await readTree(target)).toEqual(
      digestsOf({ ...files, "other-model/1/model.onnx": Buffer.from("kept") }),
    );
    expect((await readdir(target)).sort()).toEqual(["embedder", "other-model", "ranker"]);
  });

  it("checks a manifest when the directory has one", async () => {
    const manifest = manifestOf(files);
    manifest.files[1].size += 1;
    await writeFile(path.join(source, "manifest.json"), JSON.stringify(manifest));
    await expect(
      pullModelRepository({ from: pathToFileURL(source).href, to: path.join(work, "t") }),
    ).rejects.toThrow(
      `manifest.json says "${manifest.files[1].path}" has ${manifest.files[1].size} bytes; the store has ${manifest.files[1].size - 1}`,
    );
  });

  it("refuses symbolic links", async () => {
    await symlink("/etc/passwd", path.join(source, "ranker", "1", "leak"));
    await expect(
      pullModelRepository({ from: pathToFileURL(source).href, to: path.join(work, "t") }),
    ).rejects.toThrow(/"ranker\/1\/leak" is not a regular file or directory/);
  });

  it("stops on abort and removes the staging directory", async () => {
    const controller = new AbortController();
    controller.abort(new Error("stop"));
    await expect(
      pullModelRepository({
        from: pathToFileURL(source).href,
        to: path.join(work, "t"),
        signal: controller.signal,
      }),
    ).rejects.toThrow("stop");
    expect(await readdir(work)).toEqual(["source"]);
  });
});
