import { type PackStackPolicy, settingsOf, stackOfUrn } from "../../shared/src/policy";
import { isAcceleratorMachine } from "./machines";
import { nodePools } from "./pools";

/** The default pattern for non-production stack names. */
export const NON_PRODUCTION_PATTERN = "dev|test|ci|staging|sandbox|preview";

/**
 * Whether a stack name is non-production: the pattern matches the whole name or one of its
 * `-`, `_` or `.` separated parts (so `ci` matches `ml-ci` but not `precision`).
 */
export function isNonProduction(stack: string, pattern: string): boolean {
  const anchored = new RegExp(`^(?:${pattern})$`, "i");
  return [stack, ...stack.split(/[-_.]/)].some((part) => anchored.test(part));
}

/** Outside production, accelerator nodes are spot/preemptible or scale to zero. */
export const nonProductionAcceleratorsSpotOrZero: PackStackPolicy = {
  name: "non-production-accelerators-spot-or-zero",
  description:
    "In non-production stacks, GPU/TPU capacity is spot/preemptible or scales to zero: no " +
    "on-demand accelerator node runs around the clock.",
  remediationSteps:
    "Set the pool's minimum to 0 (capacity.min: 0) or make its always-on nodes spot " +
    "(capacity.spot with onDemandBase 0; GKE spot: true; EKS capacityType SPOT).",
  enforcementLevel: "mandatory",
  configSchema: {
    properties: {
      nonProductionStackPattern: {
        type: "string",
        default: NON_PRODUCTION_PATTERN,
        description:
          "A regular expression matched against the stack name and each of its -/_/. separated parts.",
      },
    },
  },
  validateStack: (args, report) => {
    const { nonProductionStackPattern } = settingsOf<{ nonProductionStackPattern: string }>(
      args,
      nonProductionAcceleratorsSpotOrZero.configSchema,
    );
    const first = args.resources[0];
    if (!first) return;
    const stack = stackOfUrn(first.urn);
    if (!isNonProduction(stack, nonProductionStackPattern)) {
      args.notApplicable(
        `stack "${stack}" is production (does not match ${nonProductionStackPattern})`,
      );
    }
    for (const pool of nodePools(args.resources)) {
      const accelerators = pool.machines.filter(isAcceleratorMachine);
      if (accelerators.length === 0 || pool.min.onDemand === 0) continue;
      report(
        `"${pool.resource.name}" keeps ${pool.min.onDemand} on-demand accelerator node(s) ` +
          `(${accelerators.map((m) => m.name).join(", ")}) running at minimum capacity in ` +
          `non-production stack "${stack}"; use spot or a minimum of 0.`,
        pool.resource.urn,
      );
    }
  },
};
