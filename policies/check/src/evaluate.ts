import type {
  EnforcementLevel,
  PolicyProviderResource,
  ResourceValidationPolicy,
  StackValidationPolicy,
} from "@pulumi/policy";
import {
  checkResourcePolicy,
  checkStackPolicy,
  policyResourcesFromRecords,
  type RecordedResource,
  stackValidationArgs,
} from "../../../components/testing";
import { estimateStackCost, type StackCostEstimate } from "../../cost/src";
import type { PackDefinition } from "../../shared/src/policy";
import type { PacksConfig } from "./policy-config";
import type { ProgramTarget } from "./program-target";

/** One violation, as the check reports it. */
export interface Violation {
  /** The pack, e.g. `hybridai-compliance`. */
  pack: string;
  /** The policy name. */
  policy: string;
  /** The level it is enforced at. */
  enforcementLevel: EnforcementLevel;
  /** The offending resource's type (`pulumi:pulumi:Stack` for stack-wide findings). */
  resourceType: string;
  /** The offending resource's logical name (`<project>-<stack>` for stack-wide findings). */
  resourceName: string;
  /** The offending resource's URN; absent for stack-wide findings. */
  urn?: string;
  /** What is wrong. */
  message: string;
}

const PROVIDER_PREFIX = "pulumi:providers:";

/**
 * The provider the engine would hand a policy: the resource's explicit provider (its inputs as
 * props), else the package's default provider configured from the stack's `<package>:*` config.
 */
function providerFor(
  record: RecordedResource,
  records: readonly RecordedResource[],
  target: ProgramTarget,
): PolicyProviderResource | undefined {
  if (record.provider) {
    const urn = record.provider.slice(0, record.provider.lastIndexOf("::"));
    const explicit = records.find((r) => r.urn === urn);
    if (explicit) return { type: explicit.type, props: explicit.inputs, urn, name: explicit.name };
  }
  const pkg = record.type.split(":")[0];
  if (!record.custom || !["aws", "gcp", "kubernetes"].includes(pkg)) return undefined;
  const props = Object.fromEntries(
    Object.entries(target.config)
      .filter(([key]) => key.startsWith(`${pkg}:`))
      .map(([key, value]) => [key.slice(pkg.length + 1), value]),
  );
  return {
    type: `${PROVIDER_PREFIX}${pkg}`,
    props,
    urn: `urn:pulumi:${target.stack}::${target.project}::${PROVIDER_PREFIX}${pkg}::default`,
    name: "default",
  };
}

function isResourcePolicy(
  policy: ResourceValidationPolicy | StackValidationPolicy,
): policy is ResourceValidationPolicy {
  return "validateResource" in policy;
}

/**
 * Runs every policy of every pack over the recorded resources the way the engine would:
 * resource policies once per resource with its inputs (`Analyze`), stack policies once with every
 * resource's outputs (`AnalyzeStack`). Returns the violations in pack and policy order.
 */
export async function evaluatePacks(
  records: readonly RecordedResource[],
  packs: readonly PackDefinition[],
  config: PacksConfig,
  target: ProgramTarget,
): Promise<Violation[]> {
  const analyzed = records.filter((r) => !r.type.startsWith(PROVIDER_PREFIX));
  const stackInputs = policyResourcesFromRecords(records);
  const byUrn = new Map(records.map((r) => [r.urn, r]));
  const stackResource = { type: "pulumi:pulumi:Stack", name: `${target.project}-${target.stack}` };
  const violations: Violation[] = [];
  for (const pack of packs) {
    for (const policy of pack.policies) {
      const options = { config: config.get(pack.name)?.get(policy.name) ?? {} };
      if (isResourcePolicy(policy)) {
        for (const record of analyzed) {
          const provider = providerFor(record, records, target);
          const report = await checkResourcePolicy(
            policy,
            {
              type: record.type,
              props: record.inputs,
              name: record.name,
              urn: record.urn,
              ...(provider ? { provider } : {}),
            },
            options,
          );
          violations.push(
            ...report.violations.map((v) => ({
              pack: pack.name,
              policy: v.policy,
              enforcementLevel: v.enforcementLevel,
              resourceType: record.type,
              resourceName: record.name,
              urn: record.urn,
              message: v.message,
            })),
          );
        }
      } else {
        const report = await checkStackPolicy(policy, stackInputs, options);
        violations.push(
          ...report.violations.map((v) => {
            const resource = v.urn ? byUrn.get(v.urn) : undefined;
            return {
              pack: pack.name,
              policy: v.policy,
              enforcementLevel: v.enforcementLevel,
              resourceType: (resource ?? stackResource).type,
              resourceName: (resource ?? stackResource).name,
              ...(resource ? { urn: resource.urn } : {}),
              message: v.message,
            };
          }),
        );
      }
    }
  }
  return violations;
}

/** The stack's list-price estimate, from the resources' outputs as a stack policy sees them. */
export function estimateCost(records: readonly RecordedResource[]): StackCostEstimate {
  return estimateStackCost(stackValidationArgs(policyResourcesFromRecords(records)).resources);
}
