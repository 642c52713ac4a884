import { execFile } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";

const REPO_ROOT = path.resolve(__dirname, "../../..");
const RUNTIME = path.join(REPO_ROOT, "serving-runtime");
/** What `npm run build:runtime` writes last: its incremental build state. */
const BUILD_STAMP = path.join(RUNTIME, "dist/.tsbuildinfo");

/** Modification time of a file, 0 when it does not exist. */
function mtimeOf(file: string): number {
  try {
    return statSync(file).mtimeMs;
  } catch {
    return 0;
  }
}

/** The newest modification time of the runtime's sources and build settings. */
function newestSource(): number {
  const sources = readdirSync(path.join(RUNTIME, "src"), { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.join(entry.parentPath, entry.name));
  return Math.max(
    ...[
      ...sources,
      path.join(RUNTIME, "tsconfig.build.json"),
      path.join(REPO_ROOT, "tsconfig.base.json"),
    ].map(mtimeOf),
  );
}

/** Whether serving-runtime/dist is older than a source it is built from (or missing). */
export function runtimeBuildIsStale(): boolean {
  return mtimeOf(BUILD_STAMP) < newestSource();
}

/**
 * Builds the serving runtime as `npm run build:runtime` does when dist/ is older than its
 * sources; otherwise does nothing. The test run's global setup calls it once, before any test
 * file starts, so tests that spawn the compiled CLI never build it themselves, in parallel.
 */
export async function ensureRuntimeBuilt(): Promise<void> {
  if (!runtimeBuildIsStale()) return;
  await promisify(execFile)(
    process.execPath,
    [
      path.join(REPO_ROOT, "node_modules/typescript/bin/tsc"),
      "-p",
      "serving-runtime/tsconfig.build.json",
    ],
    { cwd: REPO_ROOT },
  );
}
