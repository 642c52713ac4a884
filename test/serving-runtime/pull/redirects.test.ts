import { execFile } from "node:child_process";
import { readdir } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import { PullError, pullModelRepository } from "@hybridai/serving-runtime/src/pull";
import { syncModelVersion } from "@hybridai/serving-runtime/src/sync";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { compilePullModule } from "./helpers/compiled-pull";
import { startStaticServer } from "./helpers/fake-https";
import type { ObjectServer } from "./helpers/object-server";
import { startObjectServer } from "./helpers/object-server";
import {
  digestsOf,
  manifestOf,
  readTree,
  removeDirectory,
  sampleRepository,
  temporaryDirectory,
} from "./helpers/repository";
import { type LocalS3, startLocalS3 } from "./helpers/s3";
import { type LocalHttps, startLocalHttps } from "./helpers/self-signed";

// Issue 24, finding 5: `pull` followed redirects to plain HTTP and to other hosts (a 302 on
// manifest.json too, whose manifest was then trusted), wrote a whole 30 MiB body for an entry
// whose manifest says 10 bytes — twice, with the retry — and accepted `size: 1e15`. Redirects
// are now followed only within the source's scheme and host, a download stops as soon as it
// passes its declared size, and a manifest's sizes are limited. Pull and sync share the code;
// both are tested against real local servers.

const files = sampleRepository();
const manifest = Buffer.from(JSON.stringify(manifestOf(files)));
let origin: ObjectServer;
let elsewhere: ObjectServer;
let work: string;

/** Where `origin` sends each redirected path (relative to its own root), by the path asked. */
const redirects = new Map<string, string>();
/** Bytes the origin has written for each path it streamed in chunks. */
const streamed = new Map<string, number>();

beforeAll(async () => {
  elsewhere = await startStaticServer();
  origin = await startObjectServer((server, _request, url, response) => {
    const name = decodeURIComponent(url.pathname.slice(1));
    const target = redirects.get(name);
    if (target !== undefined) {
      response.writeHead(302, { location: target });
      response.end();
      return;
    }
    if (name === "huge/ranker/1/model.onnx") {
      // 30 MiB for an entry the manifest lists at 10 bytes, written as the client reads it.
      const chunk = Buffer.alloc(64 * 1024, 1);
      let sent = 0;
      const pump = () => {
        while (sent < 30 * 1024 * 1024) {
          sent += chunk.length;
          streamed.set(name, sent);
          if (!response.write(chunk)) return void response.once("drain", pump);
        }
        response.end();
      };
      response.writeHead(200, { "content-type": "application/octet-stream" });
      pump();
      return;
    }
    const content = server.objects.get(name);
    if (!content) {
      response.writeHead(404);
      response.end();
      return;
    }
    response.writeHead(200, { "content-length": String(content.length) });
    response.end(content);
  });
  for (const [name, content] of Object.entries(files)) {
    origin.objects.set(`repo/${name}`, content);
    elsewhere.objects.set(`repo/${name}`, content);
  }
  origin.objects.set("repo/manifest.json", manifest);
  elsewhere.objects.set("repo/manifest.json", manifest);
  origin.objects.set(
    "huge/manifest.json",
    Buffer.from(
      JSON.stringify({
        files: [{ path: "ranker/1/model.onnx", size: 10, sha256: "0".repeat(64) }],
      }),
    ),
  );
  origin.objects.set(
    "vast/manifest.json",
    Buffer.from(
      JSON.stringify({
        files: [{ path: "ranker/1/model.onnx", size: 1e15, sha256: "0".repeat(64) }],
      }),
    ),
  );
});

afterAll(async () => {
  await origin.close();
  await elsewhere.close();
});

beforeEach(async (context) => {
  work = await temporaryDirectory();
  redirects.clear();
  origin.requests.length = 0;
  elsewhere.requests.length = 0;
  context.onTestFinished(() => removeDirectory(work));
});

const pull = (from: string) =>
  pullModelRepository({
    from,
    to: path.join(work, "models"),
    allowLoopbackHttp: true,
    retry: { baseDelayMs: 5 },
  });

describe("redirects", () => {
  it("follows a redirect within the source's host", async () => {
    redirects.set("moved/manifest.json", "/repo/manifest.json");
    for (const name of Object.keys(files)) redirects.set(`moved/${name}`, `/repo/${name}`);
    await pull(`${origin.url}/moved`);
    expect(await readTree(path.join(work, "models"))).toEqual(digestsOf(files));
  });

  it("refuses a manifest redirected to another host, asking that host nothing", async () => {
    redirects.set("repo/manifest.json", `${elsewhere.url}/repo/manifest.json`);
    await expect(pull(`${origin.url}/repo`)).rejects.toThrow(
      new RegExp(
        `redirected to ${elsewhere.url}/repo/manifest\\.json; pull follows redirects only within ${origin.url.replace(/\./g, "\\.")}`,
      ),
    );
    expect(elsewhere.requests).toEqual([]);
    expect(await readdir(work)).toEqual([]);
  });

  it("refuses a file redirected to another host, and does not retry it", async () => {
    redirects.set("repo/ranker/1/model.onnx", `${elsewhere.url}/repo/ranker/1/model.onnx`);
    const error = await pull(`${origin.url}/repo`).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PullError);
    expect((error as PullError).transient).toBe(false);
    expect(elsewhere.requests).toEqual([]);
    expect(origin.requests.filter((r) => r.includes("ranker/1/model.onnx"))).toHaveLength(1);
  });
});

describe("sizes", () => {
  it("stops a download as soon as it passes its declared size, without a retry", async () => {
    streamed.clear();
    const error = await pull(`${origin.url}/huge`).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PullError);
    expect((error as Error).message).toMatch(
      /"ranker\/1\/model\.onnx" sends more than the 10 bytes the manifest lists/,
    );
    expect(origin.requests.filter((r) => r.includes("huge/ranker"))).toHaveLength(1);
    // What the origin could push into socket buffers before the client stopped reading.
    expect(streamed.get("huge/ranker/1/model.onnx") ?? 0).toBeLessThan(16 * 1024 * 1024);
  });

  it("refuses a manifest listing a file larger than the limit", async () => {
    await expect(pull(`${origin.url}/vast`)).rejects.toThrow(
      /files\.0\.size: .*at most 1099511627776/,
    );
  });
});

describe("sync shares the rules", () => {
  let s3: LocalS3;

  beforeAll(async () => {
    s3 = await startLocalS3(["synced"]);
  });

  afterAll(async () => {
    await s3.destroy();
  });

  it("refuses a redirect to another host and a body past its size", async () => {
    const sync = (from: string) =>
      syncModelVersion({
        from,
        to: "s3://synced/ranker",
        s3: { endpoint: s3.endpoint, forcePathStyle: true },
        allowLoopbackHttp: true,
        retry: { baseDelayMs: 5 },
      });
    redirects.set("repo/manifest.json", `${elsewhere.url}/repo/manifest.json`);
    await expect(sync(`${origin.url}/repo`)).rejects.toThrow(/pull follows redirects only within/);
    expect(elsewhere.requests).toEqual([]);
    await expect(sync(`${origin.url}/huge`)).rejects.toThrow(/sends more than the 10 bytes/);
  });
});

describe("https sources", () => {
  let https: LocalHttps;
  let compiled: string;

  beforeAll(async () => {
    https = await startLocalHttps((request, response) => {
      const name = (request.url ?? "").slice(1);
      if (name === "repo/manifest.json") {
        // A downgrade: same host, plain http.
        response.writeHead(302, { location: `${elsewhere.url}/repo/manifest.json` });
        response.end();
        return;
      }
      response.writeHead(404);
      response.end();
    });
    compiled = await compilePullModule(path.join(await temporaryDirectory(), "pull"));
  });

  afterAll(async () => {
    await https.close();
  });

  it("never follows a redirect from https to http", async () => {
    const to = path.join(work, "models");
    const script = `require(${JSON.stringify(compiled)}).pullModelRepository({ from: ${JSON.stringify(`${https.url}/repo`)}, to: ${JSON.stringify(to)}, retry: { attempts: 1 } }).then(() => console.log("pulled"), (e) => { console.log(e.message); process.exit(3); })`;
    const outcome = await promisify(execFile)(process.execPath, ["-e", script], {
      env: {
        ...process.env,
        NODE_EXTRA_CA_CERTS: https.certificateFile,
        NODE_PATH: path.resolve(__dirname, "../../../node_modules"),
      },
    }).catch((error: { code: number; stdout: string }) => error);
    expect(outcome).toMatchObject({
      code: 3,
      stdout: expect.stringMatching(
        /redirected to http:\/\/127\.0\.0\.1:\d+\/repo\/manifest\.json; pull follows redirects only within https:\/\/127\.0\.0\.1:\d+/,
      ),
    });
    expect(https.requests).toEqual(["GET /repo/manifest.json"]);
    expect(elsewhere.requests).toEqual([]);
  });
});
