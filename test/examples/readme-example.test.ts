import { readFileSync } from "node:fs";
import {
  awaitOutput,
  installMocks,
  settle,
  validateKubernetesObjects,
} from "pulumi-hybridai/testing";
import { expect, it } from "vitest";
import { readmeExample } from "./readme-example";

const mocks = installMocks();

it("the README's 30-second program runs, maps nvidia-l4 on both clouds and yields valid Kubernetes objects", async () => {
  const { url } = readmeExample();
  await settle();
  expect(await awaitOutput(url)).toBe("http://ranker.hybridai.svc.cluster.local:8000");
  const launchTemplate = mocks.ofType("aws:autoscaling/group:Group")[0];
  const overrides = launchTemplate?.inputs.mixedInstancesPolicy.launchTemplate.overrides;
  expect(overrides.map((o: { instanceType: string }) => o.instanceType)[0]).toBe("g6.xlarge");
  const gkePools = mocks.ofType("gcp:container/nodePool:NodePool");
  expect(gkePools.some((p) => p.inputs.nodeConfig.machineType === "g2-standard-4")).toBe(true);
  expect(
    validateKubernetesObjects(mocks.resources).filter((o) => o.status === "validated").length,
  ).toBeGreaterThan(5);
});

it("the README shows this program verbatim", () => {
  const readme = readFileSync("README.md", "utf8");
  const program = readFileSync("test/examples/readme-example.ts", "utf8");
  const body = program.slice(
    program.indexOf("  // One cloud-neutral"),
    program.indexOf("\n  return"),
  );
  const dedented = body.replace(/^ {2}/gm, "");
  expect(readme).toContain(dedented);
});
