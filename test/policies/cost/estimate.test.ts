import { type PolicyResourceInput, stackValidationArgs } from "pulumi-hybridai/testing";
import { describe, expect, it } from "vitest";
import { estimateStackCost } from "../../../policies/cost/src";
import { expectMonthlyUsd } from "../harness";

function estimate(resources: PolicyResourceInput[]) {
  return estimateStackCost(stackValidationArgs(resources).resources);
}

describe("estimateStackCost", () => {
  it("prices an EKS control plane on extended support and an on-demand node group", () => {
    const result = estimate([
      {
        type: "aws:eks/cluster:Cluster",
        name: "old",
        props: { upgradePolicy: { supportType: "EXTENDED" } },
      },
      {
        type: "aws:eks/nodeGroup:NodeGroup",
        name: "cpu",
        props: {
          instanceTypes: ["m7i.large", "m6i.large"],
          scalingConfig: { minSize: 1, maxSize: 4 },
        },
      },
    ]);
    // Extended support $0.60/h; m7i.large (first listed, prioritized) $0.1008/h × 1..4 nodes.
    expectMonthlyUsd(result.monthlyUsd.min, 0.6 + 0.1008);
    expectMonthlyUsd(result.monthlyUsd.max, 0.6 + 4 * 0.1008);
    expect(result.items.map((i) => i.resourceName)).toEqual(["old", "cpu"]);
  });

  it("prices GKE pools per zone, Spot at the typical spot price, the default pool and Cloud NAT", () => {
    const result = estimate([
      {
        type: "gcp:container/cluster:Cluster",
        name: "gke",
        props: { location: "us-central1-a", initialNodeCount: 2 },
      },
      {
        type: "gcp:container/nodePool:NodePool",
        name: "l4",
        props: {
          nodeLocations: ["us-central1-a", "us-central1-b"],
          autoscaling: { minNodeCount: 1, maxNodeCount: 5 },
          nodeConfig: { machineType: "g2-standard-8", spot: true },
        },
      },
      { type: "gcp:compute/routerNat:RouterNat", name: "nat", props: {} },
    ]);
    // Fee $0.10; the default pool (not removed) 2 × e2-medium at $0.033503 in one zone;
    // l4: per-zone 1..5 × 2 zones = 2..10 Spot g2-standard-8, $0.8536 × 0.4 = $0.3414/h (rounded);
    // Cloud NAT: (2 + 2)..(2 + 10) VMs × $0.0014.
    const minHourly = 0.1 + 2 * 0.033503 + 2 * 0.3414 + 4 * 0.0014;
    const maxHourly = 0.1 + 2 * 0.033503 + 10 * 0.3414 + 12 * 0.0014;
    expectMonthlyUsd(result.monthlyUsd.min, minHourly);
    expectMonthlyUsd(result.monthlyUsd.max, maxHourly);
    expect(result.unpriced).toEqual([]);
  });

  it("caps Cloud NAT at $0.044/h above 32 VMs and reports machine types it cannot price", () => {
    const result = estimate([
      {
        type: "gcp:container/nodePool:NodePool",
        name: "cpu",
        props: {
          location: "us-central1",
          autoscaling: { totalMinNodeCount: 40, totalMaxNodeCount: 40 },
          nodeConfig: { machineType: "e2-standard-2" },
        },
      },
      { type: "gcp:compute/routerNat:RouterNat", name: "nat", props: {} },
      {
        type: "aws:ec2/instance:Instance",
        name: "mystery",
        props: { instanceType: "x2idn.32xlarge" },
      },
    ]);
    expectMonthlyUsd(result.monthlyUsd.min, 40 * 0.067006 + 0.044);
    expect(result.unpriced).toEqual([
      {
        resourceType: "aws:ec2/instance:Instance",
        resourceName: "mystery",
        reason: "no list price for x2idn.32xlarge",
      },
    ]);
  });
});
