import { execFile, spawn } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { copyFile, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { credentials } from "@grpc/grpc-js";
import { ResourceProviderClient } from "@pulumi/pulumi/proto/provider_grpc_pb";
import { GetSchemaRequest } from "@pulumi/pulumi/proto/provider_pb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { layOutConsumer, RESOLUTIONS, type Resolution } from "./consumer-project";
import {
  documentedAllowScripts,
  documentedCheckStep,
  type InstalledConsumer,
  installConsumer,
  runCommand,
} from "./installed-consumer";

const run = promisify(execFile);
const REPO_ROOT = path.resolve(__dirname, "../..");
const TSC = path.join(REPO_ROOT, "node_modules/typescript/bin/tsc");

let root: string;
let consumer: string;
let tarball: string;
let packed: string[];

/**
 * Builds and packs the library as a release does (`npm run pack:release`), then unpacks the
 * tarball into a consumer project. Nothing is fetched: the consumer's dependencies resolve from
 * this repository's node_modules through a symlinked parent `node_modules`.
 */
beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), "hybridai-pack-"));
  const { stdout } = await run(
    process.execPath,
    [path.join(REPO_ROOT, "scripts/release/pack.mjs"), "--pack-destination", root],
    { cwd: REPO_ROOT },
  );
  tarball = stdout.trim();
  packed = (await run("tar", ["-tzf", tarball])).stdout
    .trim()
    .split("\n")
    .map((file) => file.replace(/^package\//, ""));
  const layout = await layOutConsumer(root, path.join(REPO_ROOT, "node_modules"));
  consumer = layout.consumer;
  await run("tar", ["-xzf", tarball, "-C", layout.packageDir, "--strip-components=1"]);
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
        !file.startsWith("dist/plugin/") &&
        !file.startsWith("dist/policies/") &&
        !file.startsWith("docs/") &&
        !["package.json", "README.md", "LICENSE", "schema.json"].includes(file),
    );
    expect(outside).toEqual([]);
    expect(packed.filter((file) => /(^|\/)(test|tests|fixtures|__tests__)\//.test(file))).toEqual(
      [],
    );
    expect(packed.filter((file) => file.endsWith(".ts") && !file.endsWith(".d.ts"))).toEqual([]);
    expect(packed.filter((file) => /\.test\.|\.onnx$/.test(file))).toEqual([]);
  });

  it("ships a manifest without scripts, so installing it runs nothing of ours, and the hybridai bin", async () => {
    const manifest = JSON.parse(
      (await run("tar", ["-xzOf", tarball, "package/package.json"])).stdout,
    ) as Record<string, unknown>;
    expect(manifest.scripts).toBeUndefined();
    for (const field of ["devDependencies", "workspaces", "overrides", "allowScripts"]) {
      expect(manifest[field]).toBeUndefined();
    }
    expect(manifest.bin).toEqual({ hybridai: "dist/policies/check/src/bin.js" });
    expect(packed).toContain("dist/policies/check/src/bin.js");
    const bin = (await run("tar", ["-xzOf", tarball, "package/dist/policies/check/src/bin.js"]))
      .stdout;
    expect(bin.split("\n")[0]).toBe("#!/usr/bin/env node");
    const repository = JSON.parse(readFileSync(path.join(REPO_ROOT, "package.json"), "utf8"));
    expect(repository.scripts.prepare).toBeDefined();
    expect(manifest.dependencies).toEqual(repository.dependencies);
  });

  it("holds the documentation: README.md and every docs/ page the README links", () => {
    const pages = readdirSync(path.join(REPO_ROOT, "docs")).filter((file) => file.endsWith(".md"));
    expect(pages.length).toBeGreaterThanOrEqual(17);
    expect(packed).toContain("README.md");
    for (const page of pages) expect(packed).toContain(`docs/${page}`);
  });

  it("ships what package.json points at: main, types, every export, and the docs, schema and plugin", () => {
    const manifest = JSON.parse(readFileSync(path.join(REPO_ROOT, "package.json"), "utf8")) as {
      main: string;
      types: string;
      files: string[];
      exports: Record<string, string | Record<string, string>>;
    };
    expect(Object.keys(manifest.exports)).toEqual([".", "./testing", "./package.json"]);
    const targets = Object.values(manifest.exports).flatMap((target) =>
      typeof target === "string" ? [target] : Object.values(target),
    );
    expect(targets).toHaveLength(5);
    for (const target of [...targets, manifest.main, manifest.types]) {
      expect(packed).toContain(target.replace(/^\.\//, ""));
    }
    expect(manifest.main).toBe("dist/plugin/index.js");
    expect(manifest.files).toEqual(expect.arrayContaining(["docs", "schema.json", "dist/plugin"]));
    expect(packed).toContain("schema.json");
    const docs = existsSync(path.join(REPO_ROOT, "docs"))
      ? readdirSync(path.join(REPO_ROOT, "docs"), { recursive: true, withFileTypes: true })
          .filter((entry) => entry.isFile())
          .map((entry) => path.relative(REPO_ROOT, path.join(entry.parentPath, entry.name)))
      : [];
    for (const page of docs) expect(packed).toContain(page);
  });

  it("tags the default runtime image with the installed package's own version", async () => {
    const { stdout } = await run(
      process.execPath,
      ["-e", 'console.log(require("pulumi-hybridai").kubernetes.DEFAULT_RUNTIME_IMAGE)'],
      { cwd: consumer },
    );
    const { version } = JSON.parse(readFileSync(path.join(REPO_ROOT, "package.json"), "utf8"));
    expect(stdout.trim()).toBe(`ghcr.io/hybridai/hybridai-serving-runtime:${version}`);
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

  it("compiles every TypeScript example of examples/ against the packed declarations", async () => {
    const examples = path.join(REPO_ROOT, "examples");
    const names = readdirSync(examples).filter((name) =>
      existsSync(path.join(examples, name, "index.ts")),
    );
    expect(names.length).toBeGreaterThanOrEqual(3);
    for (const name of names) {
      await mkdir(path.join(consumer, "examples", name), { recursive: true });
      await copyFile(
        path.join(examples, name, "index.ts"),
        path.join(consumer, "examples", name, "index.ts"),
      );
    }
    await writeFile(
      path.join(consumer, "tsconfig.examples.json"),
      JSON.stringify({
        compilerOptions: {
          module: "node16",
          moduleResolution: "node16",
          target: "es2022",
          strict: true,
          skipLibCheck: true,
          noEmit: true,
          types: ["node"],
        },
        files: names.map((name) => `examples/${name}/index.ts`),
      }),
    );
    const result = await run(process.execPath, [TSC, "-p", "tsconfig.examples.json"], {
      cwd: consumer,
    }).then(
      () => ({ code: 0, output: "" }),
      (error: { code: number; stdout: string }) => ({ code: error.code, output: error.stdout }),
    );
    expect(result).toEqual({ code: 0, output: "" });
  }, 120_000);

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

describe("the source-based Pulumi plugin (PulumiPlugin.yaml)", () => {
  it("declares the Node.js runtime, loading the built entry point without ts-node", () => {
    const manifest = parse(readFileSync(path.join(REPO_ROOT, "PulumiPlugin.yaml"), "utf8"));
    expect(manifest).toEqual({ runtime: { name: "nodejs", options: { typescript: false } } });
  });

  it("serves schema.json over gRPC when Pulumi's run-plugin starts this repository, as `pulumi package add` does", async () => {
    // The Node.js language host runs `node @pulumi/pulumi/cmd/run-plugin <plugin directory>`,
    // which requires the directory (package.json `main`); the provider prints its port.
    const runPlugin = path.join(REPO_ROOT, "node_modules/@pulumi/pulumi/cmd/run-plugin");
    const plugin = spawn(process.execPath, [runPlugin, REPO_ROOT], {
      cwd: root,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    plugin.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    try {
      const port = await new Promise<string>((resolve, reject) => {
        plugin.stdout.once("data", (chunk: Buffer) => resolve(chunk.toString().trim()));
        plugin.once("exit", (code) => reject(new Error(`plugin exited with ${code}: ${stderr}`)));
      });
      expect(port).toMatch(/^\d+$/);
      const client = new ResourceProviderClient(`127.0.0.1:${port}`, credentials.createInsecure());
      const request = new GetSchemaRequest();
      request.setVersion(0);
      const served = await new Promise<string>((resolve, reject) =>
        client.getSchema(request, (error, response) =>
          error ? reject(error) : resolve(response.getSchema()),
        ),
      );
      client.close();
      expect(JSON.parse(served)).toEqual(
        JSON.parse(readFileSync(path.join(REPO_ROOT, "schema.json"), "utf8")),
      );
    } finally {
      plugin.kill();
    }
  }, 60_000);
});

describe("a `pulumi new typescript` project that installed the tarball and the documented devDependencies", () => {
  let installed: InstalledConsumer;

  beforeAll(async () => {
    installed = await installConsumer(root, tarball);
  }, 600_000);

  it("installs without running a script of ours, every dependency's install script covered by the documented allowScripts", async () => {
    expect(installed.install.stderr).not.toMatch(/ERESOLVE|ERR!|npm error/);
    expect(installed.install.code).toBe(0);
    expect(`${installed.install.stdout}${installed.install.stderr}`).not.toContain(
      "not yet covered by allowScripts",
    );
    // The packages of the installed tree that have install scripts are exactly those the docs list.
    const { stdout } = await runCommand(
      "npm",
      [
        "query",
        ":attr(scripts, [install]), :attr(scripts, [preinstall]), :attr(scripts, [postinstall])",
      ],
      installed.project,
    );
    const withScripts = (JSON.parse(stdout) as { name: string }[]).map((p) => p.name).sort();
    expect(withScripts).toEqual(Object.keys(await documentedAllowScripts()).sort());
    expect(withScripts).not.toContain("pulumi-hybridai");
  });

  it("npx vitest shows a load-time throw's own message and the program line, and passes a test that gives no project option", async () => {
    const vitest = await runCommand("npx", ["--no-install", "vitest", "run"], installed.project);
    const report = `${vitest.stdout}${vitest.stderr}`;
    expect(vitest.code).toBe(1);
    expect(report).toMatch(/Test Files\s+1 failed \| 1 passed \(2\)/);
    expect(report).toMatch(/✓ test\/fleet\.spec\.ts/);
    expect(report).toContain("FAIL  test/broken-stack.spec.ts > loads the broken stack");
    expect(report).toContain("Error: maxNodes must be at least 1, got 0");
    // The throw on line 7 of the program, column 9, as vitest points at it.
    expect(report).toMatch(/❯ .*index\.ts:7:9\n/);
    expect(report).not.toMatch(/is not valid JSON|convert-source-map|Unhandled Errors/);
  }, 300_000);

  it("npx hybridai check --stack dev --format sarif reads the project and points at the program's lines, relative to the repository root", async () => {
    // The step of the GitHub Actions job docs/policies-and-check.md gives, in its working directory.
    const step = await documentedCheckStep();
    expect(path.join(installed.repository, step.workingDirectory)).toBe(installed.project);
    expect([step.command, ...step.args]).toEqual([
      "npx",
      "--no-install",
      "hybridai",
      "check",
      "--stack",
      "dev",
      "--format",
      "sarif",
    ]);
    const check = await runCommand(step.command, step.args, installed.project);
    expect(check.code).toBe(1);
    const [sarifRun] = JSON.parse(check.stdout).runs;
    expect(sarifRun.automationDetails.id).toBe("hybridai-check/dev/");
    expect(sarifRun.originalUriBaseIds["%SRCROOT%"].uri).toBe(`file://${installed.repository}/`);
    expect(
      sarifRun.results.map(
        (r: { ruleId: string; level: string; locations: { physicalLocation: unknown }[] }) => [
          r.ruleId,
          r.level,
          r.locations[0].physicalLocation,
        ],
      ),
    ).toEqual([
      [
        "hybridai-cost/non-production-accelerators-spot-or-zero",
        "error",
        // Line 15 of infra/index.ts creates the SpotFleet whose Auto Scaling group violates.
        {
          artifactLocation: { uri: "infra/index.ts", uriBaseId: "%SRCROOT%" },
          region: { startLine: 15, startColumn: 15 },
        },
      ],
    ]);
  }, 300_000);
});
