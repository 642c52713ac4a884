import { readdir } from "node:fs/promises";
import path from "node:path";
import { PullError, pullModelRepository } from "@hybridai/serving-runtime/src/pull";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
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

let server: ObjectServer;
let work: string;
const files = sampleRepository();

beforeAll(async () => {
  server = await startStaticServer();
  for (const [name, content] of Object.entries(files)) server.objects.set(`repo/${name}`, content);
  server.objects.set("repo/manifest.json", Buffer.from(JSON.stringify(manifestOf(files))));
  server.objects.set("unlisted/ranker/1/model.onnx", Buffer.from("x"));
});

afterAll(() => server.close());

beforeEach(async (context) => {
  work = await temporaryDirectory();
  server.faults.clear();
  context.onTestFinished(() => removeDirectory(work));
});

const target = () => path.join(work, "models");

describe("pull from https:// (a loopback http server in tests)", () => {
  it("fetches every manifest file and verifies its SHA-256", async () => {
    const result = await pullModelRepository({
      from: `${server.url}/repo/`,
      to: target(),
      allowLoopbackHttp: true,
    });
    expect(result).toMatchObject({ files: 4, verified: "sha256" });
    expect(await readTree(target())).toEqual(digestsOf(files));
  });

  it("resumes after a connection dropped mid-body", async () => {
    server.faults.set("repo/ranker/2/model.onnx", [{ drop: "mid-body" }]);
    const retries: string[] = [];
    await pullModelRepository({
      from: `${server.url}/repo`,
      to: target(),
      allowLoopbackHttp: true,
      retry: { baseDelayMs: 5 },
      log: (line) => retries.push(line),
    });
    expect(retries).toHaveLength(1);
    expect(retries[0]).toMatch(/^attempt 1 failed/);
    expect(await readTree(target())).toEqual(digestsOf(files));
  });

  it("needs a manifest, and says so", async () => {
    await expect(
      pullModelRepository({
        from: `${server.url}/unlisted`,
        to: target(),
        allowLoopbackHttp: true,
      }),
    ).rejects.toThrow(/an https source needs manifest\.json at its base URL .*HTTP 404/);
    expect(await readdir(work)).toEqual([]);
  });

  it("refuses plain http unless allowed for loopback tests", async () => {
    await expect(pullModelRepository({ from: `${server.url}/repo`, to: target() })).rejects.toThrow(
      new PullError(`--from ${server.url}/repo: plain http is refused; use https://`),
    );
  });
});
