import { PullError } from "./errors";

/** Name prefix of pull staging directories; object paths may not use it at the top level. */
export const STAGING_PREFIX = ".hybridai-pull-";

/**
 * Checks an object's path relative to the source prefix and returns its `/`-separated segments.
 * Refuses anything that could land outside the target directory or confuse it: absolute paths,
 * empty, `.` or `..` segments, backslashes, NUL and control characters, and names that collide
 * with the staging directories.
 */
export function safeRelativePath(relative: string, source: string): string[] {
  const refuse = (why: string) =>
    new PullError(
      `${source}: object path "${relative}" is refused (${why}); object keys under the prefix must be relative paths like "ranker/1/model.onnx"`,
    );
  if (relative.length === 0) throw refuse("empty path");
  if (relative.startsWith("/")) throw refuse("absolute path");
  if (relative.includes("\\")) throw refuse("backslash");
  // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point
  if (/[\u0000-\u001f\u007f]/.test(relative)) throw refuse("control character");
  const segments = relative.split("/");
  for (const segment of segments) {
    if (segment === "") throw refuse("empty segment");
    if (segment === "." || segment === "..") throw refuse(`"${segment}" segment`);
  }
  if (segments[0].startsWith(STAGING_PREFIX))
    throw refuse(`reserved name prefix ${STAGING_PREFIX}`);
  return segments;
}
