import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { functionLengths, longFunctions } from "./function-lengths";

/** The longest a function of the runtime may be, in lines (issue 28). */
const LIMIT = 100;

function lines(count: number): string {
  return Array.from({ length: count }, (_, i) => `  const v${i} = ${i};`).join("\n");
}

describe("the function-length lister", () => {
  it("measures declarations, methods, constructors and arrows from first line to last", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "hybridai-lengths-"));
    const file = path.join(dir, "sample.ts");
    await writeFile(
      file,
      [
        `export function long(): void {\n${lines(99)}\n}`,
        `export function fits(): void {\n${lines(98)}\n}`,
        `class Box {\n  constructor() {\n${lines(3)}\n  }\n  method(): void {}\n}`,
        `const arrow = () => {\n${lines(1)}\n};`,
        "export { Box, arrow };",
      ].join("\n"),
    );
    const found = functionLengths(file, dir).map(({ name, lines }) => [name, lines]);
    expect(found).toEqual([
      ["long", 101],
      ["fits", 100],
      ["constructor", 5],
      ["method", 1],
      ["arrow", 3],
    ]);
    expect(longFunctions(dir, LIMIT).map((entry) => entry.where)).toEqual(["sample.ts:1"]);
  });
});

describe("serving-runtime/src", () => {
  it(`has no function over ${LIMIT} lines`, () => {
    const long = longFunctions(path.resolve(__dirname, "../../serving-runtime/src"), LIMIT).map(
      (entry) => `${entry.name} (${entry.where}): ${entry.lines} lines`,
    );
    expect(long).toEqual([]);
  });
});
