import { existsSync, readFileSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import type * as pulumi from "@pulumi/pulumi";
import { awaitOutput, installMocks, type MockRecorder, restartMocks, settle } from "./mocks";
import { programLoadError } from "./program-error";
import {
  findPulumiProject,
  type PulumiProject,
  projectConfigDefaults,
  stackConfig,
} from "./pulumi-project";
import { withNodeStackFormat } from "./stack-format";

/** Options for {@link runProgram}. */
export interface RunProgramOptions {
  /**
   * The stack config the program sees, keys like `aws:region` or `hybridai:aws`; objects are
   * JSON-encoded (Pulumi's structured config). Replaces all config set before. Default: what
   * `pulumi up` would give the program: the `config:` defaults of its `Pulumi.yaml`, then the
   * values of `Pulumi.<stack>.yaml` (in `stackConfigDir`) when `stack` names a stack with a file;
   * secrets read `"secret-placeholder"`.
   */
  config?: Record<string, string | object>;
  /** The name `pulumi.getStack()` returns and URNs carry (default: the mocks' stack, `stack`). */
  stack?: string;
  /**
   * The name `pulumi.getProject()` returns, and the namespace of `new pulumi.Config()`. Default:
   * `name` of the program's `Pulumi.yaml` (the nearest one at or above the program's folder),
   * else the mocks' project, `project`.
   */
  project?: string;
  /** Run as a preview: outputs the mocks do not return stay unknown (default `false`). */
  preview?: boolean;
}

/** What one isolated program run registered and exported. */
export interface ProgramRun {
  /** The recorder, holding only this run's resources and calls. */
  mocks: MockRecorder;
  /** The program's stack outputs: its exports (or what its exported function returned), resolved. */
  outputs: Record<string, unknown>;
  /** The entry file that was loaded. */
  entry: string;
  /** The `Pulumi.yaml` the run read its project name and default config from, if any. */
  projectFile?: string;
}

/** Files a program loaded that are not packages: evicted from the module cache before the next run. */
const programModules = new Set<string>();

/** Node's own `require` (also under test runners that load this module through their own loader). */
const nodeRequire = createRequire(path.join(process.cwd(), "noop.js"));

/** Whether a TypeScript loader is registered with Node's `require`. */
function typeScriptLoaderRegistered(): boolean {
  return ".ts" in nodeRequire.extensions;
}

/** tsx's CommonJS API, from the program's project, else from next to this library. */
function loadTsx(entry: string): { register(): () => void } {
  try {
    return createRequire(entry)("tsx/cjs/api");
  } catch {
    return require("tsx/cjs/api");
  }
}

/**
 * Registers tsx's CommonJS loader (esbuild transpilation, tsconfig `paths` honoured) unless some
 * loader (ts-node, jest's, tsx) already handles `.ts` files.
 */
function ensureTypeScriptLoader(entry: string): void {
  if (typeScriptLoaderRegistered()) {
    return;
  }
  let tsx: { register(): () => void };
  try {
    tsx = loadTsx(entry);
  } catch {
    throw new Error(
      `runProgram: ${entry} is TypeScript and no TypeScript loader is registered: ` +
        "npm install --save-dev tsx (runProgram then registers it), or register your own " +
        "(e.g. require('ts-node/register')) before calling runProgram",
    );
  }
  tsx.register();
}

/**
 * The file the Pulumi CLI would run for a program path: the file itself; for a folder, the
 * `main` of its `Pulumi.yaml` when it names one, else the folder's `package.json` `main`, else
 * its `index.ts` or `index.js`.
 */
export function programEntry(program: string): string {
  const absolute = path.resolve(program);
  if (!existsSync(absolute)) {
    throw new Error(`runProgram: ${absolute} does not exist; pass a .ts/.js file or a folder`);
  }
  if (!statSync(absolute).isDirectory()) {
    return absolute;
  }
  const projectMain = findPulumiProject(absolute);
  if (projectMain?.dir === absolute && projectMain.settings.main) {
    const main = path.resolve(absolute, projectMain.settings.main);
    if (main !== absolute) return programEntry(main);
  }
  const manifest = path.join(absolute, "package.json");
  if (existsSync(manifest)) {
    const main = (JSON.parse(readFileSync(manifest, "utf8")) as { main?: string }).main;
    if (main && existsSync(path.join(absolute, main))) {
      return path.join(absolute, main);
    }
  }
  for (const candidate of ["index.ts", "index.js"]) {
    if (existsSync(path.join(absolute, candidate))) {
      return path.join(absolute, candidate);
    }
  }
  throw new Error(`runProgram: ${absolute} has no index.ts, index.js or package.json "main"`);
}

function isPackageFile(file: string): boolean {
  return file.split(path.sep).includes("node_modules");
}

/** Forgets every non-package module earlier runs loaded, so the program's code runs again. */
function evictProgramModules(): void {
  for (const file of programModules) {
    delete nodeRequire.cache[file];
  }
  programModules.clear();
}

/**
 * Loads the entry with Node's `require`, remembering which non-package modules it brought in.
 * When loading throws, the error's stack is reduced to the program's own frames (see
 * {@link programLoadError}).
 */
function loadFresh(entry: string): unknown {
  evictProgramModules();
  const before = new Set(Object.keys(nodeRequire.cache));
  const rememberLoaded = () => {
    for (const file of Object.keys(nodeRequire.cache)) {
      if (!before.has(file) && !isPackageFile(file)) {
        programModules.add(file);
      }
    }
  };
  try {
    const exported = createRequire(entry)(entry);
    rememberLoaded();
    return exported;
  } catch (error) {
    rememberLoaded();
    throw programLoadError(error, new Set([...programModules, entry]));
  }
}

/** Pulumi's rule for a program's exports: call an exported function, await a promise. */
async function stackOutputsOf(exported: unknown): Promise<Record<string, unknown>> {
  let value = exported;
  if (typeof value === "function") {
    value = await (value as () => unknown)();
  }
  value = await value;
  if (value === null || typeof value !== "object") {
    return {};
  }
  const entries = Object.entries(value as Record<string, unknown>).filter(
    ([key]) => key !== "__esModule",
  );
  const resolved: Record<string, unknown> = {};
  for (const [key, output] of entries) {
    resolved[key] = await awaitOutput(output as pulumi.Input<unknown>);
  }
  return resolved;
}

/** Collects unhandled rejections while a program runs (a failed apply or registration surfaces so). */
async function failingOnUnhandledRejections<T>(run: () => Promise<T>): Promise<T> {
  const rejections: unknown[] = [];
  const listener = (reason: unknown) => rejections.push(reason);
  process.on("unhandledRejection", listener);
  try {
    const result = await run();
    await new Promise((resolve) => setImmediate(resolve));
    if (rejections.length > 0) {
      throw rejections[0] instanceof Error ? rejections[0] : new Error(String(rejections[0]));
    }
    return result;
  } finally {
    process.off("unhandledRejection", listener);
  }
}

/** The folder a program path names: the folder itself, or a file's folder. */
function programFolder(program: string): string {
  const absolute = path.resolve(program);
  return existsSync(absolute) && statSync(absolute).isDirectory()
    ? absolute
    : path.dirname(absolute);
}

/** The config `pulumi up` would give the program: project defaults, then the stack's file. */
function defaultConfig(
  project: PulumiProject | undefined,
  stack: string | undefined,
): Record<string, string | object> {
  if (!project) return {};
  return (stack === undefined ? projectConfigDefaults(project) : stackConfig(project, stack))
    .config;
}

/**
 * Runs a Pulumi program in isolation under the mocks: a fresh instance of the program's own
 * modules (packages in `node_modules`, like `@pulumi/pulumi`, stay shared), fresh config
 * (`options.config`, else what its `Pulumi.yaml` and stack file give) and fresh records (the
 * recorder is reset first); the project name comes from its `Pulumi.yaml`. Installs the mocks
 * when this file has not. `program` is a `.ts`/`.js` file or a folder (its `Pulumi.yaml` `main`,
 * else its `package.json` `main`, else `index.ts`/`index.js`), as `pulumi up` would run it; a
 * `.ts` program needs a TypeScript loader (tsx, from the program's project or next to this
 * library, is registered when installed and none is). Exports become the resolved `outputs`; an
 * exported function is called and awaited, as the Pulumi CLI does. Rejects with the program's
 * error when it throws (its stack reduced to the program's own, source-mapped frames), and with
 * the mocks' errors when a registration failed.
 */
export async function runProgram(
  program: string,
  options: RunProgramOptions = {},
): Promise<ProgramRun> {
  const entry = programEntry(program);
  if (/\.[cm]?tsx?$/.test(entry)) {
    ensureTypeScriptLoader(entry);
  }
  const project = findPulumiProject(programFolder(program));
  installMocks();
  const mocks = restartMocks({
    ...options,
    project: options.project ?? project?.settings.name,
  });
  mocks.setConfig(options.config ?? defaultConfig(project, options.stack));
  return withNodeStackFormat(() =>
    failingOnUnhandledRejections(async () => {
      const outputs = await stackOutputsOf(loadFresh(entry));
      await settle();
      return { mocks, outputs, entry, ...(project ? { projectFile: project.file } : {}) };
    }),
  );
}
