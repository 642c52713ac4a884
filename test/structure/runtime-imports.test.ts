import path from "node:path";
import { describe, expect, it } from "vitest";
import { type ImportGraph, importCircles, importGraph } from "./import-graph";

const RUNTIME = path.resolve(__dirname, "../../serving-runtime/src");
const graph = importGraph(RUNTIME);
const relative = (file: string) => path.relative(RUNTIME, file);

/** Every import between two files of one circle, as `a.ts → b.ts` lines. */
function circleEdges(circle: string[]): string[] {
  const members = new Set(circle);
  return circle.flatMap((file) =>
    (graph.get(file) ?? [])
      .filter((target) => members.has(target))
      .map((target) => `${relative(file)} → ${relative(target)}`),
  );
}

describe("the import graph builder", () => {
  it("finds a circle of three files and a file importing itself, and nothing in a chain", () => {
    const demo: ImportGraph = new Map([
      ["a", ["b"]],
      ["b", ["c"]],
      ["c", ["a", "d"]],
      ["d", ["e"]],
      ["e", []],
      ["f", ["f"]],
    ]);
    expect(importCircles(demo)).toEqual([["a", "b", "c"], ["f"]]);
  });

  it("sees the runtime's files and their relative imports, type-only and dynamic ones included", () => {
    expect(graph.size).toBeGreaterThan(100);
    expect(graph.get(path.join(RUNTIME, "cli.ts"))?.map(relative)).toContain("server.ts");
    expect(graph.get(path.join(RUNTIME, "pull/index.ts"))?.length).toBeGreaterThan(0);
  });
});

describe("serving-runtime/src", () => {
  it("has no import circles", () => {
    const circles = importCircles(graph).map(
      (circle) => `${circle.map(relative).join(", ")}\n    ${circleEdges(circle).join("\n    ")}`,
    );
    expect(circles, `import circles:\n${circles.join("\n")}`).toEqual([]);
  });
});

/**
 * The runtime's layers, lowest first: a file may import its own layer and the layers below, never
 * one above. Folders and top-level files not named here (limits, cache, resilience, metrics …)
 * are shared services outside the chain.
 */
const LAYERS: readonly { name: string; members: readonly string[] }[] = [
  { name: "protocol", members: ["protocol/"] },
  { name: "scheduling/runtime", members: ["scheduling/", "runtime/"] },
  { name: "repository", members: ["repository/", "ensemble/", "shadow/"] },
  {
    name: "transports",
    members: ["inference.ts", "http/", "grpc/", "server.ts", "cli.ts", "index.ts"],
  },
];

/**
 * Imports that cross the layers upward on purpose: the model configuration's schema is the one
 * repository file the runtime layer reads, for the type of a `model_warmup` sample (it imports
 * only protocol/).
 */
const ALLOWED_UPWARD = new Set(["runtime/warmup.ts → repository/model-config.ts"]);

function layerOf(file: string): number {
  const name = relative(file);
  return LAYERS.findIndex((layer) =>
    layer.members.some((member) =>
      member.endsWith("/") ? name.startsWith(member) : name === member,
    ),
  );
}

describe("the runtime's layers", () => {
  it("point one way: protocol → scheduling/runtime → repository → transports", () => {
    const upward: string[] = [];
    for (const [file, targets] of graph) {
      const from = layerOf(file);
      for (const target of targets) {
        const to = layerOf(target);
        const edge = `${relative(file)} → ${relative(target)}`;
        if (from >= 0 && to > from && !ALLOWED_UPWARD.has(edge)) {
          upward.push(`${edge} (${LAYERS[from].name} imports ${LAYERS[to].name})`);
        }
      }
    }
    expect(upward).toEqual([]);
  });

  it("keep protocol/ free of everything else in the runtime", () => {
    const outside = [...graph]
      .filter(([file]) => relative(file).startsWith("protocol/"))
      .flatMap(([file, targets]) =>
        targets
          .filter((target) => !relative(target).startsWith("protocol/"))
          .map((target) => `${relative(file)} → ${relative(target)}`),
      );
    expect(outside).toEqual([]);
  });
});
