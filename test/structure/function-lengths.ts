import { readFileSync } from "node:fs";
import path from "node:path";
import ts from "typescript";
import { sourceFiles } from "./import-graph";

/** One function, method, constructor or arrow function, and how many lines it spans. */
export interface FunctionLength {
  /** `path/to/file.ts:line`, relative to the folder listed. */
  where: string;
  /** Its name: the declared name, the variable or property it is assigned to, or `(anonymous)`. */
  name: string;
  /** Lines from its first to its last, both included. */
  lines: number;
}

function nameOf(node: ts.Node, source: ts.SourceFile): string {
  if (ts.isConstructorDeclaration(node)) return "constructor";
  const named = node as ts.Node & { name?: ts.Node };
  if (named.name) return named.name.getText(source);
  const parent = node.parent;
  if (ts.isVariableDeclaration(parent) || ts.isPropertyAssignment(parent)) {
    return parent.name.getText(source);
  }
  if (ts.isPropertyDeclaration(parent)) return parent.name.getText(source);
  return "(anonymous)";
}

/** Every function-like node of one file with its length in lines. */
export function functionLengths(file: string, root: string): FunctionLength[] {
  const source = ts.createSourceFile(
    file,
    readFileSync(file, "utf8"),
    ts.ScriptTarget.Latest,
    true,
  );
  const found: FunctionLength[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isFunctionLike(node) && (node as ts.FunctionLikeDeclaration).body !== undefined) {
      const start = source.getLineAndCharacterOfPosition(node.getStart(source)).line;
      const end = source.getLineAndCharacterOfPosition(node.getEnd()).line;
      found.push({
        where: `${path.relative(root, file)}:${start + 1}`,
        name: nameOf(node, source),
        lines: end - start + 1,
      });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/** The functions under `dir` longer than `limit` lines, longest first. */
export function longFunctions(dir: string, limit: number): FunctionLength[] {
  const root = path.resolve(dir);
  return sourceFiles(root)
    .flatMap((file) => functionLengths(file, root))
    .filter((entry) => entry.lines > limit)
    .sort((a, b) => b.lines - a.lines);
}

if (typeof require !== "undefined" && require.main === module) {
  const [dir = ".", limit = "100"] = process.argv.slice(2);
  for (const entry of longFunctions(dir, Number(limit))) {
    console.log(`${String(entry.lines).padStart(4)}  ${entry.name}  ${entry.where}`);
  }
}
