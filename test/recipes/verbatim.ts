import { readFileSync } from "node:fs";
import { expect } from "vitest";

/**
 * Asserts that a docs page (docs/recipes.md by default) shows a recipe program verbatim: its
 * imports, and the text of `file` from the line starting with `firstLine` up to its `return`,
 * indentation of the function removed.
 */
export function expectShownVerbatim(
  file: string,
  firstLine: string,
  doc = "docs/recipes.md",
): void {
  const page = readFileSync(doc, "utf8");
  const program = readFileSync(file, "utf8");
  const body = program.slice(program.indexOf(firstLine), program.indexOf("\n  return"));
  expect(body.length).toBeGreaterThan(300);
  const imports = program.split("\n").filter((line) => line.startsWith("import "));
  expect(page).toContain(`${imports.join("\n")}\n\n${body.replace(/^ {2}/gm, "")}`);
}
