import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { layOutConsumer, RESOLUTIONS, type Resolution } from "./consumer-project";

const run = promisify(execFile);
const REPO_ROOT = path.resolve(__dirname, "../..");
const TSC = path.join(REPO_ROOT, "node_modules/typescript/bin/tsc");

let root: string;
let consumer: string;
let packed: string[];

/**
 * Builds and packs the library as a release would (`npm run build`, then `npm pack`; scripts
 * are skipped in the pack because the build already ran — `prepare` would only repeat it), then
 * unpacks the tarball into a consumer project. Nothing is fetched: the consumer's dependencies
 * resolve from this repository's node_modules through a symlinked parent `node_modules`.
 */
beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), "hybridai-pack-"));
  await run("npm", ["run", "build", "--silent"], { cwd: REPO_ROOT });
  const { stdout } = await run(
    "npm",
    ["pack", "--ignore-scripts", "--json", "--pack-destination", root],
    { cwd: REPO_ROOT },
  );
  const [tarball] = JSON.parse(stdout) as { filename: string; files: { path: string }[] }[];
  packed = tarball.files.map((file) => file.path);
  const layout = await layOutConsumer(root, path.join(REPO_ROOT, "node_modules"));
  consumer = layout.consumer;
  await run("tar", [
    "-xzf",
    path.join(root, tarball.filename),
    "-C",
    layout.packageDir,
    "--strip-components=1",
  ]);
}, 300_000);

afterAll(async () => {
  if (root) await rm(root, { recursive: true, force: true });
});

describe("the packed library", () => {
  it("holds the compiled entry points and their declarations, and no sources or tests", () => {
    expect(packed).toContain("package.json");
    expect(packed).toContain("README.md");
    for (const entry of ["dist/components/index", "dist/components/testing/index"]) {
      expect(packed).toContain(`${entry}.js`);
      expect(packed).toContain(`${entry}.d.ts`);
    }
    const outside = packed.filter(
      (file) =>
        !file.startsWith("dist/components/") &&
        !["package.json", "README.md", "LICENSE"].includes(file),
    );
    expect(outside).toEqual([]);
  });

  it.each(Object.keys(RESOLUTIONS) as Resolution[])(
    "type-checks a consumer importing pulumi-hybridai and pulumi-hybridai/testing with moduleResolution %s",
    async (resolution) => {
      const result = await run(process.execPath, [TSC, "-p", `tsconfig.${resolution}.json`], {
        cwd: consumer,
      }).then(
        () => ({ code: 0, output: "" }),
        (error: { code: number; stdout: string }) => ({ code: error.code, output: error.stdout }),
      );
      expect(result).toEqual({ code: 0, output: "" });
    },
    120_000,
  );

  it("resolves both entry points at run time from CommonJS and from an ES module", async () => {
    const resolveBoth = [
      'for (const id of ["pulumi-hybridai", "pulumi-hybridai/testing"])',
      "  console.log(require.resolve(id));",
    ].join("\n");
    const { stdout } = await run(process.execPath, ["-e", resolveBoth], { cwd: consumer });
    expect(stdout.trim().split("\n")).toEqual([
      path.join(consumer, "node_modules/pulumi-hybridai/dist/components/index.js"),
      path.join(consumer, "node_modules/pulumi-hybridai/dist/components/testing/index.js"),
    ]);
    const esm = await run(
      process.execPath,
      ["--input-type=module", "-e", 'console.log(import.meta.resolve("pulumi-hybridai/testing"))'],
      { cwd: consumer },
    );
    expect(esm.stdout.trim()).toBe(
      `file://${path.join(consumer, "node_modules/pulumi-hybridai/dist/components/testing/index.js")}`,
    );
  });
});
