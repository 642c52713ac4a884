import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import path from "node:path";

function newestMtimeMs(entry: string): number {
  const stat = statSync(entry);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const child of readdirSync(entry)) {
    newest = Math.max(newest, newestMtimeMs(path.join(entry, child)));
  }
  return newest;
}

/**
 * Builds the serving runtime (`npm run build:runtime` at the repository root) when its CLI is
 * missing or its build output is older than any of its sources, so the benchmark runs on a fresh clone.
 * @param repoRoot Repository root.
 * @returns Path of the compiled CLI.
 * @throws Error with the build's output when the build fails or produces no CLI.
 */
export function ensureRuntimeBuilt(repoRoot: string): string {
  const runtime = path.join(repoRoot, "serving-runtime");
  const cli = path.join(runtime, "dist", "cli.js");
  const sources = ["src", "package.json", "tsconfig.json", "tsconfig.build.json"]
    .map((name) => path.join(runtime, name))
    .filter((entry) => existsSync(entry));
  const newestSource = Math.max(...sources.map(newestMtimeMs));
  const dist = path.join(runtime, "dist");
  if (existsSync(cli) && newestMtimeMs(dist) >= newestSource) return cli;
  console.log(existsSync(cli) ? "runtime sources changed: rebuilding" : "building the runtime");
  const build = spawnSync("npm", ["run", "build:runtime"], {
    cwd: repoRoot,
    encoding: "utf8",
    timeout: 180_000,
  });
  if (build.status !== 0 || !existsSync(cli)) {
    throw new Error(
      `npm run build:runtime failed (exit ${build.status ?? build.signal}); no usable ${cli}\n${build.stdout}${build.stderr}`,
    );
  }
  return cli;
}
