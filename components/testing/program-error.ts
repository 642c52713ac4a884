import { nodeFormattedStack } from "./stack-format";
import { parseStackFrame } from "./stack-frames";

/** The file a stack frame line names. */
function frameFile(line: string): string | undefined {
  return parseStackFrame(line)?.file;
}

/** Packages that compile TypeScript for Node's `require`: their frames are loader machinery. */
const LOADER_PACKAGES = /[\\/]node_modules[\\/](tsx|esbuild|@esbuild[\\/][^\\/]+|ts-node)[\\/]/;

/** Whether a frame belongs to Node's internals or to a TypeScript loader. */
function isLoaderFrame(line: string): boolean {
  const file = frameFile(line);
  return file === undefined || file.startsWith("node:") || LOADER_PACKAGES.test(file);
}

/** Whether a stack line is a frame (`    at …`). */
function isFrame(line: string): boolean {
  return /^\s+at /.test(line);
}

/**
 * The error a program threw while loading, with its stack cut to the program's own frames:
 * the message, the frames above the program (a library it called), and the program's frames,
 * source-mapped; the module loader's frames (Node's, the TypeScript loader's) and the test
 * kit's own are dropped. Besides being what a reader wants, this keeps test runners from
 * reading the loader's bundled files to map frames: vitest takes the source-map comment that
 * tsx's bundle carries as a string literal for a real one and crashes on it, hiding the error.
 * The error object itself is kept (its class and fields stay), only `stack` changes.
 *
 * @param thrown what `require` threw
 * @param programFiles the program's own module files
 */
export function programLoadError(thrown: unknown, programFiles: ReadonlySet<string>): unknown {
  if (!(thrown instanceof Error)) return thrown;
  const lines = nodeFormattedStack(thrown).split("\n");
  const firstFrame = lines.findIndex(isFrame);
  if (firstFrame < 0) return thrown;
  const head = lines.slice(0, firstFrame);
  const frames = lines.slice(firstFrame);
  const isProgram = (line: string) => programFiles.has(frameFile(line) ?? "");
  const last = frames.findLastIndex(isProgram);
  const first = frames.findIndex(isProgram);
  const kept = (last < 0 ? frames : frames.slice(0, last + 1)).filter((line, i) =>
    last >= 0 && i >= first ? isProgram(line) : !isLoaderFrame(line),
  );
  thrown.stack = [...head, ...kept].join("\n");
  return thrown;
}
