import { installMocks, runProgram, validateKubernetesObjects } from "pulumi-hybridai/testing";
import { expect, it } from "vitest";
import { evaluatePacks } from "../../policies/check/src/evaluate";
import { PACKS } from "../../policies/check/src/packs";
import { loadPacksConfig } from "../../policies/check/src/policy-config";
import { resolveTarget } from "../../policies/check/src/program-target";
import {
  overlay,
  recipeStackConfig,
  type StackConfigValues,
  shippedStackConfig,
} from "./stack-files";

installMocks();

const STACK = "aws-gpu-eu";

/** The recipe's stack file: Pulumi.aws-gpu.yaml with the recipe's block laid over it. */
function europeConfig(): StackConfigValues {
  return overlay(
    shippedStackConfig("aws-gpu"),
    recipeStackConfig(
      "# stacks/Pulumi.aws-gpu-eu.yaml: what differs from stacks/Pulumi.aws-gpu.yaml",
    ),
  ) as StackConfigValues;
}

it("the second-region stack file runs the shipped program in eu-west-1 of the second account", async () => {
  const config = europeConfig();
  expect(config["aws:region"]).toBe("eu-west-1");
  const run = await runProgram("stacks", { config, stack: STACK, project: "hybridai" });
  expect(run.mocks.errors).toEqual([]);
  expect(run.mocks.one("aws:eks/cluster:Cluster").name).toBe("hybridai-gpu");
  expect(config["aws:assumeRoles"]).toEqual([
    { roleArn: "arn:aws:iam::210987654321:role/pulumi-deploy" },
  ]);
  validateKubernetesObjects(run.mocks.resources);

  // The compliance pack's region rule reads the default provider's region from the stack
  // config: the stack passes an allow-list of eu-west-1 and fails one of us-west-2 only.
  const target = { ...resolveTarget({ kind: "program", program: "stacks" }), config, stack: STACK };
  const regionViolations = async (allowedRegions: string[]) => {
    const packs = loadPacksConfig(undefined, PACKS);
    packs.get("hybridai-compliance")?.set("allowed-regions", { allowedRegions });
    const violations = await evaluatePacks(run.mocks.resources, PACKS, packs, target);
    return violations.filter((v) => v.policy === "allowed-regions");
  };
  expect(await regionViolations(["eu-west-1"])).toEqual([]);
  expect((await regionViolations(["us-west-2"])).length).toBeGreaterThan(10);
});
