import { type PackStackPolicy, settingsOf } from "../../shared/src/policy";
import { type CostItem, estimateStackCost } from "./estimate";

function biggest(items: readonly CostItem[], at: "min" | "max"): string {
  return [...items]
    .sort((a, b) => b.monthlyUsd[at] - a.monthlyUsd[at])
    .slice(0, 3)
    .map((i) => `${i.resourceName} $${i.monthlyUsd[at].toFixed(2)}`)
    .join(", ");
}

/** The stack's estimated monthly list-price cost stays within budget at minimum and maximum capacity. */
export const monthlyBudget: PackStackPolicy = {
  name: "monthly-budget",
  description:
    "The stack's estimated monthly cost at list prices (node pools priced with the accelerator " +
    "catalog, control planes, NAT) stays within the budget at minimum and at maximum capacity.",
  remediationSteps:
    "Lower pool maximums or minimums, move capacity to spot, pick cheaper machine types, or raise " +
    "the budgets in the policy config after approval.",
  enforcementLevel: "mandatory",
  configSchema: {
    properties: {
      budgetAtMinCapacityUsd: {
        type: "number",
        minimum: 0,
        default: 10000,
        description: "Monthly USD the stack may cost with every pool at its minimum.",
      },
      budgetAtMaxCapacityUsd: {
        type: "number",
        minimum: 0,
        default: 50000,
        description: "Monthly USD the stack may cost with every pool at its maximum.",
      },
    },
  },
  validateStack: (args, report) => {
    const { budgetAtMinCapacityUsd, budgetAtMaxCapacityUsd } = settingsOf<{
      budgetAtMinCapacityUsd: number;
      budgetAtMaxCapacityUsd: number;
    }>(args, monthlyBudget.configSchema);
    const estimate = estimateStackCost(args.resources);
    if (estimate.monthlyUsd.min > budgetAtMinCapacityUsd) {
      report(
        `estimated $${estimate.monthlyUsd.min.toFixed(2)}/month at minimum capacity exceeds the ` +
          `$${budgetAtMinCapacityUsd} budget; biggest: ${biggest(estimate.items, "min")}.`,
      );
    }
    if (estimate.monthlyUsd.max > budgetAtMaxCapacityUsd) {
      report(
        `estimated $${estimate.monthlyUsd.max.toFixed(2)}/month at maximum capacity exceeds the ` +
          `$${budgetAtMaxCapacityUsd} budget; biggest: ${biggest(estimate.items, "max")}.`,
      );
    }
  },
};
