import path from "node:path";
import { installMocks, runProgram } from "pulumi-hybridai/testing";
import { expect, it } from "vitest";

// The pattern docs/testing-kit.md documents: two program tests in one file, each run in isolation.
const program = path.join(__dirname, "../../fixtures/programs/buckets");
const mocks = installMocks();

it("runs the program with its config and records what it registered", async () => {
  const run = await runProgram(program, {
    config: { "demo:buckets": "2", "demo:team": "ranking" },
    stack: "dev",
  });
  const buckets = run.mocks.ofType("aws:s3/bucket:Bucket");
  expect(buckets.map((b) => b.name)).toEqual(["models-0", "models-1"]);
  expect(buckets[0].inputs.tags).toEqual({ team: "ranking", stack: "dev" });
  expect(buckets[0].urn).toBe("urn:pulumi:dev::project::aws:s3/bucket:Bucket::models-0");
  expect(run.outputs).toEqual({ bucketNames: ["models-0", "models-1"], owner: "ranking" });
});

it("runs it again from scratch: fresh module, fresh config, fresh records", async () => {
  const run = await runProgram(program, { config: { "demo:buckets": "1" } });
  expect(run.mocks).toBe(mocks);
  expect(mocks.resources.map((r) => r.name)).toEqual(["models-0"]);
  expect(mocks.one("aws:s3/bucket:Bucket").inputs.tags).toEqual({
    team: "unowned",
    stack: "stack",
  });
  expect(run.outputs.owner).toBe("unowned");
});

it("rejects with the program's own error when it throws", async () => {
  await expect(runProgram(program, {})).rejects.toThrow(/demo:buckets/);
  expect(mocks.resources).toHaveLength(0);
});
