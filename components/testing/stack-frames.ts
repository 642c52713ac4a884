import { fileURLToPath } from "node:url";
import type { SourceFrame } from "./mocks";

/**
 * The file and position a V8 stack line names (`    at f (file:line:col)` or
 * `    at file:line:col`, the file a path or a `file:` URL); undefined for other lines and for
 * frames without a position (`at new Promise (<anonymous>)`).
 */
export function parseStackFrame(line: string): SourceFrame | undefined {
  const match = /^\s*at (?:.*? \()?(.+?):(\d+):(\d+)\)?$/.exec(line);
  if (!match) return undefined;
  const file = match[1].startsWith("file://") ? fileURLToPath(match[1]) : match[1];
  return { file, line: Number(match[2]), column: Number(match[3]) };
}
