import { readdirSync } from "node:fs";
import path from "node:path";
import { runProgram, validateKubernetesObjects } from "pulumi-hybridai/testing";
import { describe, expect, it } from "vitest";
import { resolveTarget, shippedStacks } from "../../policies/check/src/program-target";

// Every stacks/Pulumi.<stack>.yaml runs under mocks, found by listing the folder: a new stack file
// is tested without editing any test. The config is read exactly as `npm run check -- --stack` does.
const stackFiles = readdirSync(path.join(__dirname, "../../stacks")).filter((f) =>
  /^Pulumi\..+\.ya?ml$/.test(f),
);
const stacks = shippedStacks();

it("finds every stack file in stacks/", () => {
  expect(stackFiles.length).toBeGreaterThan(0);
  expect(stacks.map((s) => `Pulumi.${s}.yaml`)).toEqual([...stackFiles].sort());
});

describe.each(stacks)("stacks/Pulumi.%s.yaml", (stack) => {
  it("runs the stacks program under mocks: every section deploys, every Kubernetes object is schema-valid", async () => {
    const target = resolveTarget({ kind: "stack", stack });
    const run = await runProgram(target.program, {
      config: target.config,
      stack,
      project: target.project,
    });
    const sections = Object.keys(target.config)
      .filter((key) => key.startsWith("hybridai:"))
      .map((key) => key.slice("hybridai:".length));
    expect(sections.length).toBeGreaterThan(0);
    expect(Object.keys(run.outputs).sort()).toEqual([...sections].sort());
    const custom = run.mocks.resources.filter((r) => r.custom);
    expect(custom.length).toBeGreaterThan(0);
    expect(custom.every((r) => r.urn.startsWith(`urn:pulumi:${stack}::hybridai::`))).toBe(true);
    expect(run.mocks.errors).toEqual([]);
    validateKubernetesObjects(run.mocks.resources);
  });
});
