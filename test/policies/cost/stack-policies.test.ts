import type { PolicyResourceInput } from "pulumi-hybridai/testing";
import { checkStackPolicy } from "pulumi-hybridai/testing";
import { describe, expect, it } from "vitest";
import {
  isNonProduction,
  monthlyBudget,
  NON_PRODUCTION_PATTERN,
  nonProductionAcceleratorsSpotOrZero,
} from "../../../policies/cost/src";
import { stackViolationsOf } from "../harness";

const LT = "aws:ec2/launchTemplate:LaunchTemplate";
const ASG = "aws:autoscaling/group:Group";

/** An ASG whose instance type comes only from its launch template (linked by property dependency). */
function fleet(stack: string, onDemandBase: number, minSize = 1): PolicyResourceInput[] {
  const ltUrn = `urn:pulumi:${stack}::ml::${LT}::gpu`;
  return [
    { type: LT, name: "gpu", urn: ltUrn, props: { instanceType: "g5.xlarge" } },
    {
      type: ASG,
      name: "gpu",
      urn: `urn:pulumi:${stack}::ml::${ASG}::gpu`,
      props: {
        minSize,
        maxSize: 4,
        mixedInstancesPolicy: {
          instancesDistribution: {
            onDemandBaseCapacity: onDemandBase,
            onDemandPercentageAboveBaseCapacity: 0,
          },
          launchTemplate: { launchTemplateSpecification: { launchTemplateId: "lt-1" } },
        },
      },
      propertyDependencies: { mixedInstancesPolicy: [ltUrn] },
    },
  ];
}

describe("non-production-accelerators-spot-or-zero", () => {
  it("reports an on-demand accelerator floor in a dev stack", async () => {
    expect(
      await stackViolationsOf(nonProductionAcceleratorsSpotOrZero, fleet("team-dev", 1)),
    ).toEqual([
      {
        message:
          '"gpu" keeps 1 on-demand accelerator node(s) (g5.xlarge) running at minimum capacity in non-production stack "team-dev"; use spot or a minimum of 0.',
        urn: `urn:pulumi:team-dev::ml::${ASG}::gpu`,
      },
    ]);
    const gke: PolicyResourceInput = {
      type: "gcp:container/nodePool:NodePool",
      name: "l4",
      urn: "urn:pulumi:ci::ml::gcp:container/nodePool:NodePool::l4",
      props: {
        nodeConfig: { machineType: "g2-standard-4" },
        autoscaling: { totalMinNodeCount: 1, totalMaxNodeCount: 3 },
      },
    };
    expect(await stackViolationsOf(nonProductionAcceleratorsSpotOrZero, [gke])).toHaveLength(1);
  });

  it("accepts spot floors, pools that scale to zero, and production stacks", async () => {
    expect(await stackViolationsOf(nonProductionAcceleratorsSpotOrZero, fleet("dev", 0))).toEqual(
      [],
    );
    expect(
      await stackViolationsOf(nonProductionAcceleratorsSpotOrZero, fleet("dev", 1, 0)),
    ).toEqual([]);
    const production = await checkStackPolicy(
      nonProductionAcceleratorsSpotOrZero,
      fleet("prod", 1),
    );
    expect(production.violations).toEqual([]);
    expect(production.notApplicable).toEqual([
      'stack "prod" is production (does not match dev|test|ci|staging|sandbox|preview)',
    ]);
    const system: PolicyResourceInput = {
      type: "aws:eks/nodeGroup:NodeGroup",
      name: "system",
      urn: "urn:pulumi:dev::ml::aws:eks/nodeGroup:NodeGroup::system",
      props: { instanceTypes: ["m6i.large"], scalingConfig: { minSize: 2, maxSize: 3 } },
    };
    expect(await stackViolationsOf(nonProductionAcceleratorsSpotOrZero, [system])).toEqual([]);
  });

  it("matches the pattern against the whole name or one dash/underscore/dot part", () => {
    expect(NON_PRODUCTION_PATTERN).toBe("dev|test|ci|staging|sandbox|preview");
    for (const stack of ["dev", "ml-ci", "staging_eu", "pr.preview", "TEST"]) {
      expect(isNonProduction(stack, NON_PRODUCTION_PATTERN)).toBe(true);
    }
    for (const stack of ["prod", "precision", "aws-gpu", "gcp-gpu-tpu", "devops"]) {
      expect(isNonProduction(stack, NON_PRODUCTION_PATTERN)).toBe(false);
    }
  });
});

describe("monthly-budget", () => {
  // 4 × p4d.24xlarge on demand: 4 × $21.9576/h × 730 h = $64,116.19 a month at min and at max.
  const a100s: PolicyResourceInput[] = [
    {
      type: "aws:eks/nodeGroup:NodeGroup",
      name: "a100",
      props: {
        instanceTypes: ["p4d.24xlarge"],
        capacityType: "ON_DEMAND",
        scalingConfig: { minSize: 4, maxSize: 4 },
      },
    },
  ];

  it("reports a stack above its budgets at min and at max capacity", async () => {
    expect((await stackViolationsOf(monthlyBudget, a100s)).map((v) => v.message)).toEqual([
      "estimated $64116.19/month at minimum capacity exceeds the $10000 budget; biggest: a100 $64116.19.",
      "estimated $64116.19/month at maximum capacity exceeds the $50000 budget; biggest: a100 $64116.19.",
    ]);
  });

  it("accepts a stack within configured budgets", async () => {
    const config = { budgetAtMinCapacityUsd: 70000, budgetAtMaxCapacityUsd: 70000 };
    expect(await stackViolationsOf(monthlyBudget, a100s, { config })).toEqual([]);
  });
});
