import { installMocks } from "pulumi-hybridai/testing";
import { beforeAll, describe, expect, it } from "vitest";
import { apiEndpointProblems } from "./checks/api-endpoint";
import { clusterAddonProblems } from "./checks/cluster-addons";
import { egressProblems } from "./checks/egress";
import { identityOrderProblems } from "./checks/identity-order";
import { nameLimitProblems, sharedNameProblems } from "./checks/names";
import { nodeCountProblems } from "./checks/node-counts";
import { rolloutTimeoutProblems, workloadDependencyProblems } from "./checks/workload-dependencies";
import { runVariant, type StackRun } from "./run-stack";
import { shippedStacks } from "./stack-files";
import { stackVariants } from "./variants";

// The cluster security group is an output EKS creates; the mocks return one so rules can name it.
const mocks = installMocks({
  outputs: ({ type, inputs }) =>
    type === "aws:eks/cluster:Cluster"
      ? { vpcConfig: { ...inputs.vpcConfig, clusterSecurityGroupId: "sg-0cluster" } }
      : undefined,
});

/** Each shipped stack's runs: as shipped and its hidden variants. */
const runs = new Map<string, Record<keyof ReturnType<typeof stackVariants>, StackRun>>();

beforeAll(async () => {
  // Every stacks/Pulumi.<stack>.yaml, found by listing the folder (two ship today).
  expect(shippedStacks().length).toBeGreaterThanOrEqual(2);
  for (const stack of shippedStacks()) {
    const variants = stackVariants(stack);
    const byVariant = {} as Record<keyof typeof variants, StackRun>;
    for (const [key, variant] of Object.entries(variants) as [
      keyof typeof variants,
      typeof variants.shipped,
    ][]) {
      byVariant[key] = await runVariant(mocks, variant);
    }
    runs.set(stack, byVariant);
  }
  expect(allRuns()).toHaveLength(shippedStacks().length * 5);
  for (const run of allRuns()) expect(run.records.length).toBeGreaterThan(20);
});

/** Every run of every shipped stack. */
function allRuns(): StackRun[] {
  return [...runs.values()].flatMap((byVariant) => Object.values(byVariant));
}

describe("deployability of every shipped stack (stacks/Pulumi.*.yaml)", () => {
  it("every Kubernetes object of a GPU service waits for its cluster's GPU capacity and device plugin", () => {
    expect(allRuns().flatMap(workloadDependencyProblems)).toEqual([]);
  });

  it("GPU Deployments wait long enough for a GPU node to come up", () => {
    expect(allRuns().flatMap(rolloutTimeoutProblems)).toEqual([]);
  });

  it("every physical name, tag and label fits its cloud's limit, in every variant", () => {
    expect(allRuns().flatMap(nameLimitProblems)).toEqual([]);
  });

  it("names are unique per cluster: a second cluster, or the same cluster in another region, shares none", () => {
    const problems = [...runs.values()].flatMap((r) => [
      ...sharedNameProblems(r.shipped, r.renamed, ["global", "account", "region"]),
      ...sharedNameProblems(r.shipped, r.otherRegion, ["global", "account"]),
    ]);
    expect(problems).toEqual([]);
  });

  it("every node pool and group starts with a node count within its bounds (GKE counts per zone)", () => {
    expect(allRuns().flatMap(nodeCountProblems)).toEqual([]);
  });

  it("every cluster's API endpoint is reachable from where `pulumi up` runs", () => {
    expect(allRuns().flatMap(apiEndpointProblems)).toEqual([]);
  });

  it("private nodes have egress for image pulls before they start", () => {
    expect(allRuns().flatMap(egressProblems)).toEqual([]);
  });

  it("IAM bindings wait for the identity pools and providers they name", () => {
    expect(allRuns().flatMap(identityOrderProblems)).toEqual([]);
  });

  it("every HorizontalPodAutoscaler has a metrics API and every NetworkPolicy is enforced", () => {
    expect(allRuns().flatMap(clusterAddonProblems)).toEqual([]);
  });
});
