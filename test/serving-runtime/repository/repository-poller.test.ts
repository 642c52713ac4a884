import { mkdir, mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { ModelRepository } from "@hybridai/serving-runtime/src/repository/model-repository";
import { RepositoryPoller } from "@hybridai/serving-runtime/src/repository/repository-poller";
import pino from "pino";
import { describe, expect, it } from "vitest";
import { waitForValue } from "../helpers/server";

/** A repository root with one model directory per name. */
async function rootWith(...names: string[]): Promise<string> {
  const root = await mkdtemp(path.join(tmpdir(), "poller-"));
  for (const name of names) {
    await mkdir(path.join(root, name, "1"), { recursive: true });
    await writeFile(path.join(root, name, "1", "model.onnx"), name);
  }
  return root;
}

/** The part of a ModelRepository the poller drives, recording each load and unload. */
function recordingRepository(root: string, calls: string[]): ModelRepository {
  return {
    root,
    load: async (name: string) => void calls.push(`load ${name}`),
    unload: async (name: string) => void calls.push(`unload ${name}`),
    versionsOf: () => [1],
  } as unknown as ModelRepository;
}

describe("RepositoryPoller", () => {
  it("keeps polling after a read that threw, and logs the failure", async () => {
    const root = await rootWith("a");
    const calls: string[] = [];
    const warnings: string[] = [];
    const logger = pino({ level: "warn" }, { write: (line: string) => void warnings.push(line) });
    let changes = 0;
    const poller = new RepositoryPoller({
      repository: recordingRepository(root, calls),
      intervalMs: 20,
      logger,
      track: (work) => work(),
      onChanged: () => {
        changes += 1;
        if (changes === 1) throw new Error("listeners failed");
      },
    });
    await poller.remember();
    poller.start();
    await writeFile(path.join(root, "a", "1", "model.onnx"), "changed once");
    await waitForValue(async () => changes, 1, 5_000);
    await writeFile(path.join(root, "a", "1", "model.onnx"), "changed twice, longer");
    expect(await waitForValue(async () => changes, 2, 5_000)).toBe(2);
    await poller.stop();
    expect(calls).toEqual(["load a", "load a"]);
    expect(warnings.join("")).toMatch(/reading the model repository failed/);
    expect(warnings.join("")).toMatch(/listeners failed/);
  });

  it("stop waits for a read in progress and starts no further read", async () => {
    const root = await rootWith();
    const calls: string[] = [];
    let releaseLoad: () => void = () => undefined;
    let loadStarted = false;
    const poller = new RepositoryPoller({
      repository: recordingRepository(root, calls),
      intervalMs: 20,
      logger: pino({ level: "silent" }),
      track: async (work) => {
        loadStarted = true;
        await new Promise<void>((resolve) => {
          releaseLoad = resolve;
        });
        return work();
      },
    });
    await poller.remember();
    poller.start();
    await mkdir(path.join(root, "b", "1"), { recursive: true });
    await writeFile(path.join(root, "b", "1", "model.onnx"), "b");
    expect(await waitForValue(async () => loadStarted, true, 5_000)).toBe(true);
    let stopped = false;
    const stopping = poller.stop().then(() => {
      stopped = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(stopped).toBe(false);
    releaseLoad();
    await stopping;
    await writeFile(path.join(root, "b", "1", "model.onnx"), "after stop");
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(calls).toEqual(["load b"]);
  });
});
