/**
 * Lists the functions in a source tree that are longer than a limit, read with the TypeScript
 * compiler API: declarations, methods, constructors, accessors, function expressions and arrow
 * functions, each measured from its first token to its last (TSDoc above it not counted).
 *
 * As a command: `npx tsx test/function-length.ts [folder …] [--max N]` prints one line a
 * function over the limit (default 100 lines, folder `components`) and exits 1 if there is one.
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import ts from "typescript";

/** One function longer than the limit. */
export interface LongFunction {
  /** The file, relative to the working directory. */
  file: string;
  /** The function's name (`Class.constructor`, `Class.method`, `name`, or `<anonymous>`). */
  name: string;
  /** The 1-based line of its first token. */
  line: number;
  /** How many lines it spans, first and last included. */
  lines: number;
}

/** The default limit: no function in the tree may be longer than this many lines. */
export const MAX_FUNCTION_LINES = 100;

function nameOf(node: ts.FunctionLikeDeclaration): string {
  const className =
    ts.isClassLike(node.parent) && node.parent.name ? `${node.parent.name.text}.` : "";
  if (ts.isConstructorDeclaration(node)) return `${className}constructor`;
  if (node.name && ts.isIdentifier(node.name)) return `${className}${node.name.text}`;
  const holder = node.parent;
  if (ts.isVariableDeclaration(holder) && ts.isIdentifier(holder.name)) return holder.name.text;
  if (ts.isPropertyAssignment(holder) && ts.isIdentifier(holder.name)) return holder.name.text;
  return "<anonymous>";
}

/**
 * The functions in one source text longer than `max` lines.
 * @param file the name reported for the source.
 * @param text the TypeScript source.
 * @param max the longest a function may be.
 */
export function longFunctionsIn(file: string, text: string, max = MAX_FUNCTION_LINES) {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const found: LongFunction[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isFunctionLike(node) && "body" in node && node.body) {
      const first = source.getLineAndCharacterOfPosition(node.getStart(source)).line;
      const last = source.getLineAndCharacterOfPosition(node.getEnd()).line;
      const lines = last - first + 1;
      if (lines > max) {
        found.push({
          file,
          name: nameOf(node as ts.FunctionLikeDeclaration),
          line: first + 1,
          lines,
        });
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

function sourceFiles(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(folder, entry.name);
    if (entry.isDirectory()) return entry.name === "node_modules" ? [] : sourceFiles(full);
    return entry.name.endsWith(".ts") && !entry.name.endsWith(".d.ts") ? [full] : [];
  });
}

/**
 * Every function under `folder` (its `.ts` files, declarations and node_modules left out)
 * longer than `max` lines, longest first.
 */
export function longFunctions(folder: string, max = MAX_FUNCTION_LINES): LongFunction[] {
  return sourceFiles(folder)
    .sort()
    .flatMap((file) => longFunctionsIn(file, readFileSync(file, "utf8"), max))
    .sort((a, b) => b.lines - a.lines);
}

if (require.main === module) {
  const args = process.argv.slice(2);
  const maxAt = args.indexOf("--max");
  const max = maxAt >= 0 ? Number(args[maxAt + 1]) : MAX_FUNCTION_LINES;
  const folders = maxAt >= 0 ? args.filter((_, i) => i !== maxAt && i !== maxAt + 1) : args;
  const found = (folders.length > 0 ? folders : ["components"]).flatMap((folder) =>
    longFunctions(folder, max),
  );
  for (const f of found) console.log(`${f.file}:${f.line} ${f.name}: ${f.lines} lines`);
  console.log(`${found.length} function(s) over ${max} lines`);
  process.exitCode = found.length > 0 ? 1 : 0;
}
