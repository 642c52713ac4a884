import { runProgram } from "pulumi-hybridai/testing";
import { describe, expect, it } from "vitest";
import { estimateCost, evaluatePacks } from "../../policies/check/src/evaluate";
import { PACKS } from "../../policies/check/src/packs";
import { loadPacksConfig } from "../../policies/check/src/policy-config";
import { resolveTarget, shippedStacks } from "../../policies/check/src/program-target";
import { expectMonthlyUsd } from "./harness";

/**
 * Each shipped stack's monthly list price, worked out by hand from the catalog's published
 * prices (AWS us-east-1, GCP us-central1; 730 h a month). These figures follow the stack files:
 * when a stack's node pools, NAT or control plane change, redo the arithmetic here.
 */
const HAND_PRICED: Record<string, { minHourly: number; maxHourly: number }> = {
  "aws-gpu": {
    // EKS control plane (standard support) $0.10/h + one NAT gateway (natGateways: single) $0.045/h
    // + system node group 2..3 × m6i.large (first of its instance types) at $0.096/h on demand
    // + fleet l4: capacity 1..8, onDemandBase 1: 1 × g6.xlarge on demand at $0.8048/h
    //   and 0..7 × g6.xlarge spot at $0.8048 × 0.45 = $0.3622/h.
    minHourly: 0.1 + 0.045 + 2 * 0.096 + 1 * 0.8048,
    maxHourly: 0.1 + 0.045 + 3 * 0.096 + 1 * 0.8048 + 7 * 0.3622,
  },
  "gcp-gpu-tpu": {
    // GKE cluster management fee $0.10/h (default pool removed)
    // + system pool 1..3 × e2-standard-4 at $0.134012/h
    // + GPU capacity 1..8 with onDemandBase 1: pool gpu-on-demand 1 × g2-standard-4 at $0.7068/h,
    //   pool gpu-spot 0..7 × g2-standard-4 Spot at $0.7068 × 0.4 = $0.2827/h
    // + TPU v5e 2x4 slices 0..2 on Spot: ct5lp-hightpu-8t (one VM a slice) at $9.60 × 0.4 = $3.84/h
    // + Cloud NAT at $0.0014/h per VM behind it (capped at $0.044/h): 1 + 1 = 2 VMs at minimum,
    //   3 + 1 + 7 + 2 = 13 at maximum.
    minHourly: 0.1 + 1 * 0.134012 + 1 * 0.7068 + 0 * 0.2827 + 0 * 3.84 + 2 * 0.0014,
    maxHourly: 0.1 + 3 * 0.134012 + 1 * 0.7068 + 7 * 0.2827 + 2 * 3.84 + 13 * 0.0014,
  },
  "edge-fleet": {
    // Existing k3s sites on the user's own hardware: no cloud resource with a list price.
    minHourly: 0,
    maxHourly: 0,
  },
  "hybrid-failover": {
    // AWS: EKS control plane $0.10/h + one NAT gateway $0.045/h + system nodes 2..3 × m6i.large at
    //   $0.096/h + fleet l4 capacity 1..4, onDemandBase 1: 1 × g6.xlarge on demand at $0.8048/h
    //   and 0..3 × g6.xlarge spot at $0.8048 × 0.45 = $0.3622/h.
    // GCP: GKE management fee $0.10/h + system pool 1..3 × e2-standard-4 at $0.134012/h + GPU
    //   capacity 1..4 with onDemandBase 1: 1 × g2-standard-4 at $0.7068/h on demand and 0..3 Spot
    //   at $0.7068 × 0.4 = $0.2827/h + Cloud NAT $0.0014/h per VM: 1 + 1 = 2 VMs at minimum,
    //   3 + 1 + 3 = 7 at maximum.
    // Route 53 health checks and records, the NLB, the Gateway's load balancer: not list-priced.
    minHourly: 0.1 + 0.045 + 2 * 0.096 + 1 * 0.8048 + 0.1 + 1 * 0.134012 + 1 * 0.7068 + 2 * 0.0014,
    maxHourly:
      0.1 +
      0.045 +
      3 * 0.096 +
      1 * 0.8048 +
      3 * 0.3622 +
      0.1 +
      3 * 0.134012 +
      1 * 0.7068 +
      3 * 0.2827 +
      7 * 0.0014,
  },
};

const stacks = shippedStacks();

it("every shipped stack has hand-computed prices here", () => {
  expect(stacks.length).toBeGreaterThan(0);
  expect(stacks.filter((s) => !(s in HAND_PRICED))).toEqual([]);
});

describe.each(stacks)("shipped stack %s", (stack) => {
  it("passes both packs with zero mandatory violations, and costs what the list prices say", async () => {
    const target = resolveTarget({ kind: "stack", stack });
    const run = await runProgram(target.program, {
      config: target.config,
      stack,
      project: target.project,
    });
    const resources = [...run.mocks.resources];
    expect(resources.length).toBeGreaterThan(0);
    const violations = await evaluatePacks(
      resources,
      PACKS,
      loadPacksConfig(undefined, PACKS),
      target,
    );
    expect(violations.filter((v) => v.enforcementLevel === "mandatory")).toEqual([]);

    const expected = HAND_PRICED[stack];
    const cost = estimateCost(resources);
    expect(cost.unpriced).toEqual([]);
    expectMonthlyUsd(cost.monthlyUsd.min, expected.minHourly);
    expectMonthlyUsd(cost.monthlyUsd.max, expected.maxHourly);
  });
});
