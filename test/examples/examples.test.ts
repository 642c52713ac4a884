import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { EXAMPLES, exampleFolders } from "./run-example";

/** What a user's program may import: the library's public entry points, Pulumi packages, Node. */
const PUBLIC = /^(pulumi-hybridai(\/testing)?|@pulumi\/[a-z0-9-]+(\/.*)?|node:.+)$/;

function importsOf(file: string): string[] {
  const source = ts.createSourceFile(file, readFileSync(file, "utf8"), ts.ScriptTarget.ES2022);
  return source.statements
    .filter((s) => ts.isImportDeclaration(s) || ts.isExportDeclaration(s))
    .map((s) => (s as ts.ImportDeclaration).moduleSpecifier)
    .filter((m): m is ts.StringLiteral => m !== undefined && ts.isStringLiteral(m))
    .map((m) => m.text);
}

describe("examples/", () => {
  const folders = exampleFolders();

  it("holds at least four examples, each a Pulumi project with a README, a sample stack and a test", () => {
    expect(folders.length).toBeGreaterThanOrEqual(4);
    for (const name of folders) {
      for (const file of ["Pulumi.yaml", "Pulumi.dev.yaml", "README.md"]) {
        expect(existsSync(path.join(EXAMPLES, name, file)), `${name}/${file}`).toBe(true);
      }
      expect(
        existsSync(path.join(__dirname, `${name}.test.ts`)),
        `test/examples/${name}.test.ts`,
      ).toBe(true);
      const project = parse(readFileSync(path.join(EXAMPLES, name, "Pulumi.yaml"), "utf8"));
      expect(project.name).toBe(name);
    }
    expect(existsSync(path.join(EXAMPLES, "README.md"))).toBe(true);
  });

  it("TypeScript examples import the library only through its public entry points", () => {
    const typescript = folders.filter((name) => existsSync(path.join(EXAMPLES, name, "index.ts")));
    expect(typescript.length).toBeGreaterThanOrEqual(3);
    for (const name of typescript) {
      const imports = importsOf(path.join(EXAMPLES, name, "index.ts"));
      expect(imports).toContain("pulumi-hybridai");
      expect(
        imports.filter((i) => !PUBLIC.test(i)),
        name,
      ).toEqual([]);
      const manifest = JSON.parse(readFileSync(path.join(EXAMPLES, name, "package.json"), "utf8"));
      for (const dependency of imports.filter((i) => !i.startsWith("node:"))) {
        const pkg = dependency.startsWith("@")
          ? dependency.split("/").slice(0, 2).join("/")
          : (dependency.split("/")[0] as string);
        expect(Object.keys(manifest.dependencies), `${name} depends on ${pkg}`).toContain(pkg);
      }
    }
  });
});
