import { readFileSync } from "node:fs";
import {
  awaitOutput,
  installMocks,
  settle,
  validateKubernetesObjects,
} from "pulumi-hybridai/testing";
import { expect, it } from "vitest";
import { existingEksClusterExample } from "./existing-cluster-example";

// The kit's default `aws.eks.getCluster` answer stands in for the existing cluster.
const mocks = installMocks();

it("docs/existing-clusters.md's existing-EKS program runs: capacity, store and service on the looked-up cluster", async () => {
  const { url, nodeRoleArn } = existingEksClusterExample();
  await settle();
  expect(await awaitOutput(url)).toBe("http://ranker.hybridai.svc.cluster.local:8000");
  expect(await awaitOutput(nodeRoleArn)).toBe(
    mocks.one("aws:iam/role:Role", "platform-node").state.arn,
  );
  expect(mocks.ofType("aws:eks/cluster:Cluster")).toEqual([]);
  const groups = mocks.ofType("aws:eks/nodeGroup:NodeGroup");
  expect(groups.map((g) => g.inputs.clusterName)).toEqual(["platform-prod", "platform-prod"]);
  expect(mocks.one("aws:autoscaling/group:Group").inputs.name).toBe(
    "hybridai-fleet-platform-prod-a10g",
  );
  // Every Kubernetes object goes through the looked-up cluster's provider, and is schema-valid.
  const provider = mocks.one("pulumi:providers:kubernetes", "platform");
  const objects = mocks.resources.filter((r) => r.type.startsWith("kubernetes:"));
  expect(objects.length).toBeGreaterThan(5);
  expect(objects.every((o) => o.provider === `${provider.urn}::${provider.id}`)).toBe(true);
  const checked = validateKubernetesObjects(mocks.resources);
  expect(
    checked
      .filter((o) => o.status === "validated")
      .map((o) => o.kind)
      .sort(),
  ).toEqual([
    "Deployment",
    "HorizontalPodAutoscaler",
    "Namespace",
    "NetworkPolicy",
    "PodDisruptionBudget",
    "Service",
    "ServiceAccount",
  ]);
  expect(
    checked
      .filter((o) => o.status === "skipped")
      .map((o) => o.name)
      .sort(),
  ).toEqual(["a10g-termination-handler", "nvidia"]);
});

it("docs/existing-clusters.md shows this program verbatim", () => {
  const page = readFileSync("docs/existing-clusters.md", "utf8");
  const program = readFileSync("test/components/aws/existing-cluster-example.ts", "utf8");
  const body = program.slice(
    program.indexOf("  // Look the cluster up"),
    program.indexOf("\n  return"),
  );
  expect(page).toContain(body.replace(/^ {2}/gm, ""));
});
