import { readFileSync } from "node:fs";
import { Provider } from "@pulumi/kubernetes/provider";
import {
  awaitOutput,
  installMocks,
  settle,
  validateKubernetesObjects,
} from "pulumi-hybridai/testing";
import { expect, it } from "vitest";
import { rolloutExample } from "./rollout-docs-example";

const mocks = installMocks();

it("the rollout docs' example runs and yields only schema-valid objects", async () => {
  const { ranker } = rolloutExample(new Provider("cluster", { kubeconfig: "{}" }));
  await settle();
  expect(await awaitOutput(ranker.serviceName)).toBe("ranker");
  const validated = validateKubernetesObjects(mocks.resources);
  const kinds = validated.filter((v) => v.status === "validated").map((v) => v.kind);
  expect(kinds.filter((k) => k === "Rollout")).toHaveLength(1);
  expect(kinds.filter((k) => k === "AnalysisTemplate")).toHaveLength(1);
  expect(kinds.filter((k) => k === "HTTPRoute")).toHaveLength(2);
  expect(kinds.filter((k) => k === "ReferenceGrant")).toHaveLength(1);
  const template = mocks.one("kubernetes:argoproj.io/v1alpha1:AnalysisTemplate", "ranker");
  expect(template.inputs.spec.metrics.map((m: { name: string }) => m.name)).toEqual([
    "error-rate",
    "mean-latency-ms",
    "p99-latency-ms",
    "shadow-disagreement",
  ]);
});

it("docs/rollouts.md shows this example verbatim", () => {
  const page = readFileSync("docs/rollouts.md", "utf8");
  const program = readFileSync(
    "test/components/kubernetes/onnx-service/rollout-docs-example.ts",
    "utf8",
  );
  const body = program.slice(
    program.indexOf("  // Argo Rollouts once per cluster"),
    program.indexOf("\n  return"),
  );
  expect(body.length).toBeGreaterThan(500);
  expect(page).toContain(body.replace(/^ {2}/gm, ""));
});

it("the rollout docs' commands to watch, promote and abort name the Rollout as the component does", () => {
  const page = readFileSync("docs/rollouts.md", "utf8");
  for (const command of [
    "kubectl argo rollouts get rollout ranker -n serving --watch",
    "kubectl argo rollouts abort ranker -n serving",
    "kubectl argo rollouts promote ranker -n serving",
  ]) {
    expect(page).toContain(command);
  }
  const rollout = mocks.one("kubernetes:argoproj.io/v1alpha1:Rollout", "ranker");
  expect(rollout.inputs.metadata).toMatchObject({ name: "ranker", namespace: "serving" });
});
