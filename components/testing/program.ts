import { existsSync, readFileSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import type * as pulumi from "@pulumi/pulumi";
import { awaitOutput, installMocks, type MockRecorder, restartMocks, settle } from "./mocks";

/** Options for {@link runProgram}. */
export interface RunProgramOptions {
  /**
   * The stack config the program sees, keys like `aws:region` or `hybridai:aws`; objects are
   * JSON-encoded (Pulumi's structured config). Replaces all config set before (default: none).
   */
  config?: Record<string, string | object>;
  /** The name `pulumi.getStack()` returns and URNs carry (default: the mocks' stack, `stack`). */
  stack?: string;
  /** The name `pulumi.getProject()` returns (default: the mocks' project, `project`). */
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
}

/** Files a program loaded that are not packages: evicted from the module cache before the next run. */
const programModules = new Set<string>();

/** Node's own `require` (also under test runners that load this module through their own loader). */
const nodeRequire = createRequire(path.join(process.cwd(), "noop.js"));

/** Whether a TypeScript loader is registered with Node's `require`. */
function typeScriptLoaderRegistered(): boolean {
  return ".ts" in nodeRequire.extensions;
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
    tsx = createRequire(entry)("tsx/cjs/api");
  } catch {
    throw new Error(
      `runProgram: ${entry} is TypeScript and no TypeScript loader is registered: ` +
        "npm install --save-dev tsx (runProgram then registers it), or register your own " +
        "(e.g. require('ts-node/register')) before calling runProgram",
    );
  }
  tsx.register();
}

/** The file Node (and the Pulumi CLI) would run for a program path: the file, or a folder's entry. */
export function programEntry(program: string): string {
  const absolute = path.resolve(program);
  if (!existsSync(absolute)) {
    throw new Error(`runProgram: ${absolute} does not exist; pass a .ts/.js file or a folder`);
  }
  if (!statSync(absolute).isDirectory()) {
    return absolute;
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

/** Loads the entry with Node's `require`, remembering which non-package modules it brought in. */
function loadFresh(entry: string): unknown {
  evictProgramModules();
  const before = new Set(Object.keys(nodeRequire.cache));
  try {
    return createRequire(entry)(entry);
  } finally {
    for (const file of Object.keys(nodeRequire.cache)) {
      if (!before.has(file) && !isPackageFile(file)) {
        programModules.add(file);
      }
    }
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

/**
 * Runs a Pulumi program in isolation under the mocks: a fresh instance of the program's own
 * modules (packages in `node_modules`, like `@pulumi/pulumi`, stay shared), fresh config (exactly
 * `options.config`) and fresh records (the recorder is reset first). Installs the mocks when this
 * file has not. `program` is a `.ts`/`.js` file or a folder (its `package.json` `main`, else
 * `index.ts`/`index.js`), as `pulumi up` would run it; a `.ts` program needs a TypeScript loader
 * (tsx is registered when installed and none is). Exports become the resolved `outputs`; an
 * exported function is called and awaited, as the Pulumi CLI does. Rejects with the program's
 * error when it throws, and with the mocks' errors when a registration failed.
 */
export async function runProgram(
  program: string,
  options: RunProgramOptions = {},
): Promise<ProgramRun> {
  const entry = programEntry(program);
  if (/\.[cm]?tsx?$/.test(entry)) {
    ensureTypeScriptLoader(entry);
  }
  installMocks();
  const mocks = restartMocks(options);
  mocks.setConfig(options.config ?? {});
  return failingOnUnhandledRejections(async () => {
    const outputs = await stackOutputsOf(loadFresh(entry));
    await settle();
    return { mocks, outputs, entry };
  });
}
