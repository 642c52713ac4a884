import { existsSync, statSync } from "node:fs";
import path from "node:path";
import type { RecordedResource, SourceFrame } from "../../../components/testing";
import { parseStackFrame } from "../../../components/testing/stack-frames";

/**
 * The folder SARIF locations are relative to: the repository holding the project (the nearest
 * folder at or above it with a `.git` entry, as GitHub code scanning resolves paths from the
 * repository root), else the project folder itself.
 */
export function sourceRoot(projectDir: string): string {
  let dir = path.resolve(projectDir);
  for (;;) {
    if (existsSync(path.join(dir, ".git"))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) return path.resolve(projectDir);
    dir = parent;
  }
}

/** Whether a file is the user's own source: inside the root and not in an installed package. */
export function isOwnSource(file: string, root: string): boolean {
  const relative = path.relative(root, file);
  return (
    relative !== "" &&
    !relative.startsWith("..") &&
    !path.isAbsolute(relative) &&
    !relative.split(path.sep).includes("node_modules")
  );
}

/** A path relative to the root, with forward slashes, as SARIF URIs are written. */
export function relativeUri(file: string, root: string): string {
  return path.relative(root, file).split(path.sep).join("/");
}

/** Where findings point: the repository root, and the program's folder within it. */
export interface SourceScope {
  /** The repository root ({@link sourceRoot}). */
  root: string;
  /** The folder of the program's entry file: its lines are preferred over other own source. */
  programDir: string;
}

/** The innermost frame in the program's folder, else the innermost in the user's own source. */
function innermostOwn(frames: readonly SourceFrame[], scope: SourceScope): SourceFrame | undefined {
  const own = frames.filter((frame) => isOwnSource(frame.file, scope.root));
  return own.find((frame) => isOwnSource(frame.file, scope.programDir));
}

/**
 * Where the program declared a resource: the innermost frame of its construction stack in the
 * program's folder. A resource a library created inside a component is so attributed to the
 * line that created the component; one created later (in an `apply`, with no program frame on
 * its stack) to where its nearest ancestor was declared. Failing that, the innermost frame in
 * other own source (not an installed package) of the resource or its ancestors.
 *
 * @param record the resource
 * @param byUrn every recorded resource by URN, to climb to parents
 * @param scope the repository root and the program's folder
 */
export function declarationSite(
  record: RecordedResource,
  byUrn: ReadonlyMap<string, RecordedResource>,
  scope: SourceScope,
): SourceFrame | undefined {
  const chain: RecordedResource[] = [];
  for (
    let current: RecordedResource | undefined = record;
    current && !chain.includes(current);
    current = current.parent ? byUrn.get(current.parent) : undefined
  ) {
    chain.push(current);
  }
  for (const resource of chain) {
    const site = innermostOwn(resource.stackTrace, scope);
    if (site) return site;
  }
  return chain
    .flatMap((resource) => resource.stackTrace)
    .find((frame) => isOwnSource(frame.file, scope.root));
}

/**
 * Where an error was thrown: the innermost frame of its stack in the program's folder, else
 * in other own source.
 */
export function errorSite(error: unknown, scope: SourceScope): SourceFrame | undefined {
  const stack = error instanceof Error ? (error.stack ?? "") : "";
  const frames = stack
    .split("\n")
    .map(parseStackFrame)
    .filter((frame): frame is SourceFrame => frame !== undefined);
  return innermostOwn(frames, scope) ?? frames.find((frame) => isOwnSource(frame.file, scope.root));
}

/** The scope of a program: its repository root and its entry's folder. */
export function sourceScope(projectDir: string, program: string): SourceScope {
  const absolute = path.resolve(program);
  const programDir =
    existsSync(absolute) && statSync(absolute).isDirectory() ? absolute : path.dirname(absolute);
  return { root: sourceRoot(projectDir), programDir };
}
