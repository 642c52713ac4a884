import { describe, expect, it } from "vitest";
import { longFunctions, longFunctionsIn, MAX_FUNCTION_LINES } from "../function-length";

/** A function declaration spanning exactly `lines` lines. */
function functionOf(name: string, lines: number): string {
  const body = Array.from({ length: lines - 2 }, (_, i) => `  const v${i} = ${i};`);
  return [`function ${name}() {`, ...body, "}"].join("\n");
}

describe("function length", () => {
  it(`finds no function in components/ longer than ${MAX_FUNCTION_LINES} lines`, () => {
    const found = longFunctions("components").map(
      (f) => `${f.file}:${f.line} ${f.name} (${f.lines} lines)`,
    );
    expect(found).toEqual([]);
  });

  it(`finds no function in serving-runtime/src longer than ${MAX_FUNCTION_LINES} lines`, () => {
    const found = longFunctions("serving-runtime/src").map(
      (f) => `${f.file}:${f.line} ${f.name} (${f.lines} lines)`,
    );
    expect(found).toEqual([]);
  });

  it("reports a function one line over the limit and not one at the limit", () => {
    const text = `${functionOf("atLimit", 100)}\n${functionOf("overLimit", 101)}\n`;
    expect(longFunctionsIn("sample.ts", text)).toEqual([
      { file: "sample.ts", name: "overLimit", line: 101, lines: 101 },
    ]);
  });

  it("measures constructors, methods, arrow functions and nested functions, TSDoc left out", () => {
    const body = Array.from({ length: 5 }, (_, i) => `    const v${i} = ${i};`).join("\n");
    const text = [
      "/**",
      " * Doc lines do not count.",
      " */",
      "class Store {",
      "  constructor() {",
      body,
      "  }",
      "  load() {",
      body,
      "  }",
      "}",
      "const arrow = () => {",
      "  const inner = function () {",
      body,
      "  };",
      "};",
    ].join("\n");
    const found = longFunctionsIn("sample.ts", text, 3).map((f) => [f.name, f.line, f.lines]);
    expect(found).toEqual([
      ["Store.constructor", 5, 7],
      ["Store.load", 12, 7],
      ["arrow", 20, 9],
      ["inner", 21, 7],
    ]);
  });
});
