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
  expect(buckets[0].urn).toBe("urn:pulumi:dev::demo::aws:s3/bucket:Bucket::models-0");
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

it("takes the project name and config from Pulumi.yaml and Pulumi.<stack>.yaml by default", async () => {
  const run = await runProgram(program, { stack: "dev" });
  expect(run.projectFile).toBe(path.join(program, "Pulumi.yaml"));
  const buckets = run.mocks.ofType("aws:s3/bucket:Bucket");
  expect(buckets.map((b) => b.urn)).toEqual([
    "urn:pulumi:dev::demo::aws:s3/bucket:Bucket::models-0",
    "urn:pulumi:dev::demo::aws:s3/bucket:Bucket::models-1",
  ]);
  expect(run.outputs.owner).toBe("ranking");
});

it("without a stack file, the program sees Pulumi.yaml's config defaults", async () => {
  await expect(runProgram(program, { stack: "prod" })).rejects.toThrow(
    "Missing required configuration variable 'demo:buckets'",
  );
});

it("rejects with the program's own error when it throws", async () => {
  await expect(runProgram(program, {})).rejects.toThrow(/demo:buckets/);
  expect(mocks.resources).toHaveLength(0);
});

it("a load-time throw keeps its class and message, and its stack holds the program's own source-mapped frames only", async () => {
  const folder = path.join(__dirname, "../../fixtures/programs/throws-at-load");
  const error = (await runProgram(folder).catch((e: unknown) => e)) as Error;
  expect(error).toBeInstanceOf(Error);
  expect(error.message).toBe("region ap-south-1 is not approved");
  const frames = (error.stack ?? "").split("\n").filter((line) => /^\s+at /.test(line));
  // The throw in naming.ts (line 4, column 11), then the call in index.ts (line 5), and nothing
  // of Node's module loader, tsx or runProgram.
  expect(frames[0]).toContain(`${path.join(folder, "naming.ts")}:4:11)`);
  expect(frames[1]).toContain(`${path.join(folder, "index.ts")}:5:21)`);
  for (const frame of frames) expect(frame).toContain(folder);
});

it("records where each resource was created, at the program's source-mapped line", async () => {
  const run = await runProgram(program, { stack: "dev" });
  const [bucket] = run.mocks.ofType("aws:s3/bucket:Bucket");
  const own = bucket.stackTrace.find((frame) => frame.file === path.join(program, "index.ts"));
  // `new s3.Bucket(…)` is on line 11 of the fixture, column 13.
  expect(own).toEqual({ file: path.join(program, "index.ts"), line: 11, column: 13 });
});

it("runs a project folder as pulumi up does: Pulumi.yaml's main, and stack files in its stackConfigDir", async () => {
  const folder = path.join(__dirname, "../../fixtures/programs/main-elsewhere");
  const run = await runProgram(folder, { stack: "dev" });
  expect(run.entry).toBe(path.join(folder, "src/index.ts"));
  expect(run.projectFile).toBe(path.join(folder, "Pulumi.yaml"));
  // stacks/Pulumi.dev.yaml's team overrides Pulumi.yaml's default; no project option given.
  expect(run.outputs).toEqual({ project: "laid-out", bucketTags: { team: "ranking" } });
  expect(mocks.one("aws:s3/bucket:Bucket").urn).toBe(
    "urn:pulumi:dev::laid-out::aws:s3/bucket:Bucket::models",
  );
  const defaults = await runProgram(folder);
  expect(defaults.outputs.bucketTags).toEqual({ team: "platform" });
});
