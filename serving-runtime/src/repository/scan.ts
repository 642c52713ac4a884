import { readdir, stat } from "node:fs/promises";
import path from "node:path";
import { invalidArgument } from "../protocol/errors";
import type { ModelConfig } from "./model-config";

const MODEL_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;

/** The file each version directory must hold. */
export const MODEL_FILE = "model.onnx";

/**
 * Returns the directory of a model inside the repository, refusing names that could escape it
 * (`..`, separators, absolute paths, hidden names). Throws a 400 error naming what is allowed.
 *
 * @param root the repository directory
 * @param name the model name from a request or the directory listing
 */
export function modelDirectory(root: string, name: string): string {
  if (!MODEL_NAME.test(name) || name.includes("..")) {
    throw invalidArgument(
      `invalid model name '${name}': use letters, digits, '_', '-' and '.', not starting with ` +
        "'.' or '-' and without '..' or path separators",
    );
  }
  const directory = path.resolve(root, name);
  const relative = path.relative(path.resolve(root), directory);
  if (relative !== name) throw invalidArgument(`invalid model name '${name}'`);
  return directory;
}

/** Names of the model directories in a repository, sorted; other entries are ignored. */
export async function listModelNames(root: string): Promise<string[]> {
  const entries = await readdir(root, { withFileTypes: true });
  return entries
    .filter(
      (entry) => (entry.isDirectory() || entry.isSymbolicLink()) && MODEL_NAME.test(entry.name),
    )
    .map((entry) => entry.name)
    .sort();
}

/** Numeric version directories of a model that hold a `model.onnx`, ascending. */
export async function listVersions(directory: string): Promise<number[]> {
  const entries = await readdir(directory, { withFileTypes: true });
  const versions: number[] = [];
  for (const entry of entries) {
    if (!/^\d+$/.test(entry.name)) continue;
    const file = path.join(directory, entry.name, MODEL_FILE);
    const info = await stat(file).catch(() => undefined);
    if (info?.isFile()) versions.push(Number(entry.name));
  }
  return versions.sort((a, b) => a - b);
}

/**
 * Applies a version policy (Triton's `latest { num_versions }`, `all`, `specific { versions }`)
 * to the versions on disk.
 */
export function selectVersions(
  available: number[],
  policy: ModelConfig["version_policy"],
): number[] {
  if ("all" in policy) return available;
  if ("specific" in policy) return available.filter((v) => policy.specific.versions.includes(v));
  return available.slice(-policy.latest.num_versions);
}
