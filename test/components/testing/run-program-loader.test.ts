import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";
import { runProgram } from "pulumi-hybridai/testing";
import { afterAll, beforeAll, expect, it } from "vitest";

// A TypeScript program in a folder no node_modules can be reached from (a temporary folder), run
// in a process where no TypeScript loader is registered yet (vitest runs each file in a fresh
// process): runProgram takes tsx, the library's optional peer, from next to the library.
let folder: string;

beforeAll(async () => {
  folder = await mkdtemp(path.join(tmpdir(), "hybridai-loader-"));
  await writeFile(
    path.join(folder, "index.ts"),
    [
      "interface Greeting { text: string }",
      'const greeting: Greeting = { text: "typed" };',
      "export const text = greeting.text;",
      "",
    ].join("\n"),
  );
});

afterAll(async () => {
  if (folder) await rm(folder, { recursive: true, force: true });
});

it("registers tsx from next to the library when the program's own folder cannot reach it", async () => {
  const nodeRequire = createRequire(path.join(folder, "index.ts"));
  expect(".ts" in nodeRequire.extensions).toBe(false);
  expect(() => nodeRequire.resolve("tsx/cjs/api")).toThrow(/Cannot find module 'tsx\/cjs\/api'/);
  const run = await runProgram(folder);
  expect(run.entry).toBe(path.join(folder, "index.ts"));
  expect(run.outputs).toEqual({ text: "typed" });
  expect(".ts" in nodeRequire.extensions).toBe(true);
});
