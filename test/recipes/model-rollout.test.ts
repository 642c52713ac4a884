import {
  installMocks,
  type RecordedResource,
  runProgram,
  validateKubernetesObjects,
} from "pulumi-hybridai/testing";
import { expect, it } from "vitest";
import { expectShownVerbatim } from "./verbatim";

// The recipe as a program: `export = modelRollout()` in a file of its own, run once per revision.
const program = "test/recipes/model-rollout-program.ts";
installMocks();

async function deploy(revision: string): Promise<RecordedResource[]> {
  const run = await runProgram(program, {
    config: { "recipe:rankerRevision": revision },
    project: "recipe",
    stack: "prod",
  });
  validateKubernetesObjects(run.mocks.resources);
  return [...run.mocks.resources];
}

it("a new revision changes only the pod template Argo Rollouts watches: it shifts 5, 25, 50, 100 % to it, judging each step", async () => {
  const before = await deploy("2026-11-30");
  const after = await deploy("2026-12-07");
  const one = (records: RecordedResource[], type: string) =>
    records.find((r) => r.type === type) as RecordedResource;
  const rollout = one(after, "kubernetes:argoproj.io/v1alpha1:Rollout");
  // The Rollout runs the Deployment's pod template (the Deployment itself stays at 0 replicas).
  expect(rollout.inputs.spec.workloadRef).toEqual({
    apiVersion: "apps/v1",
    kind: "Deployment",
    name: "ranker",
  });
  const steps: { setWeight?: number; analysis?: { templates: unknown[] } }[] =
    rollout.inputs.spec.strategy.canary.steps;
  expect(steps.filter((s) => s.setWeight !== undefined).map((s) => s.setWeight)).toEqual([
    5, 25, 50, 100,
  ]);
  expect(steps.filter((s) => s.analysis).map((s) => s.analysis?.templates)).toContainEqual([
    { templateName: "ranker" },
  ]);
  const template = one(after, "kubernetes:argoproj.io/v1alpha1:AnalysisTemplate");
  expect(template.inputs.spec.metrics.map((m: { name: string }) => m.name)).toEqual([
    "error-rate",
    "p99-latency-ms",
  ]);
  // Between the two runs, only the Deployment's pod template changed: that is what Argo rolls.
  const changed = after
    .filter((r) => r.type.startsWith("kubernetes:"))
    .filter((r) => {
      const earlier = before.find((b) => b.urn === r.urn);
      return JSON.stringify(earlier?.inputs) !== JSON.stringify(r.inputs);
    })
    .map((r) => r.type);
  expect(changed).toEqual(["kubernetes:apps/v1:Deployment"]);
  const deployment = (records: RecordedResource[]) =>
    one(records, "kubernetes:apps/v1:Deployment").inputs;
  expect({ ...deployment(before).spec, template: {} }).toEqual({
    ...deployment(after).spec,
    template: {},
  });
  expect(deployment(before).spec.template).not.toEqual(deployment(after).spec.template);
});

it("docs/recipes.md shows this program verbatim", () => {
  expectShownVerbatim("test/recipes/model-rollout.ts", "  // The release to serve");
});
