import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import ts from "typescript";

/** A `ComponentResource` class declared in the library's sources. */
export interface DeclaredComponent {
  /** File, relative to the repository root. */
  file: string;
  /** Class name. */
  className: string;
  /** The type token its constructor passes to `super(...)`, when it is a string literal. */
  token?: string;
}

/** What the library's sources declare, read without type-checking. */
export interface SourceDeclarations {
  /** Every class extending `ComponentResource`. */
  components: DeclaredComponent[];
  /** Files declaring each type name (interfaces, type aliases, classes, enums, `as const` objects). */
  typeNames: Map<string, string[]>;
  /** The TSDoc summary of each documented interface, class and enum, by name. */
  typeDocs: Map<string, string>;
}

/** The comment text of a declaration's TSDoc blocks, as Pulumi's analyzer joins them. */
function docOf(node: ts.Node): string | undefined {
  const blocks = (node as { jsDoc?: ts.JSDoc[] }).jsDoc ?? [];
  const text = blocks
    .map((block) => ts.getTextOfJSDocComment(block.comment) ?? "")
    .join("\n")
    .trim();
  return text || undefined;
}

function sourceFiles(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(directory, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return entry.name.endsWith(".ts") && !entry.name.endsWith(".d.ts") ? [full] : [];
  });
}

function extendsComponentResource(node: ts.ClassDeclaration): boolean {
  return (node.heritageClauses ?? []).some(
    (clause) =>
      clause.token === ts.SyntaxKind.ExtendsKeyword &&
      clause.types.some((t) => /(^|\.)ComponentResource$/.test(t.expression.getText())),
  );
}

/** The string literal passed as the first argument of `super(...)` in the class's constructor. */
function superToken(node: ts.ClassDeclaration): string | undefined {
  let token: string | undefined;
  const visit = (child: ts.Node) => {
    if (
      ts.isCallExpression(child) &&
      child.expression.kind === ts.SyntaxKind.SuperKeyword &&
      child.arguments[0] &&
      ts.isStringLiteral(child.arguments[0])
    ) {
      token = child.arguments[0].text;
    }
    ts.forEachChild(child, visit);
  };
  for (const member of node.members) {
    if (ts.isConstructorDeclaration(member)) visit(member);
  }
  return token;
}

/** Reads every `.ts` file under `directory` (the library) and lists its components and type names. */
export function readSourceDeclarations(root: string, directory: string): SourceDeclarations {
  const components: DeclaredComponent[] = [];
  const typeNames = new Map<string, string[]>();
  const typeDocs = new Map<string, string>();
  const declare = (name: string, file: string) => {
    const files = typeNames.get(name) ?? [];
    if (!files.includes(file)) files.push(file);
    typeNames.set(name, files);
  };
  for (const full of sourceFiles(directory)) {
    const file = path.relative(root, full);
    const source = ts.createSourceFile(
      full,
      readFileSync(full, "utf8"),
      ts.ScriptTarget.ES2022,
      true,
    );
    for (const statement of source.statements) {
      if (
        (ts.isClassDeclaration(statement) ||
          ts.isInterfaceDeclaration(statement) ||
          ts.isEnumDeclaration(statement)) &&
        statement.name
      ) {
        const doc = docOf(statement);
        if (doc) typeDocs.set(statement.name.text, doc);
      }
      if (ts.isClassDeclaration(statement) && statement.name) {
        declare(statement.name.text, file);
        if (extendsComponentResource(statement)) {
          components.push({ file, className: statement.name.text, token: superToken(statement) });
        }
      } else if (
        (ts.isInterfaceDeclaration(statement) ||
          ts.isTypeAliasDeclaration(statement) ||
          ts.isEnumDeclaration(statement)) &&
        statement.name
      ) {
        declare(statement.name.text, file);
      }
    }
  }
  return { components, typeNames, typeDocs };
}
