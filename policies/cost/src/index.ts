import type { PackDefinition, PackPolicy } from "../../shared/src/policy";
import { monthlyBudget } from "./budget";
import { acceleratorMachineTypesAllowed } from "./machine-types";
import { nonProductionAcceleratorsSpotOrZero } from "./non-production";
import { nodeHourlyPriceCap } from "./price-cap";

export * from "./budget";
export * from "./declared";
export * from "./estimate";
export * from "./machine-types";
export * from "./machines";
export * from "./non-production";
export * from "./pools";
export * from "./price-cap";

/** Every policy of the cost pack. */
export const COST_POLICIES: readonly PackPolicy[] = [
  acceleratorMachineTypesAllowed,
  nonProductionAcceleratorsSpotOrZero,
  nodeHourlyPriceCap,
  monthlyBudget,
];

/** The cost pack: GPU/TPU spend rules priced with the hybridai accelerator catalog. */
export const COST_PACK: PackDefinition = {
  name: "hybridai-cost",
  description:
    "GPU/TPU spend: allowed machine types, spot or scale-to-zero outside production, a per-node " +
    "price cap, and a monthly budget priced with the hybridai accelerator catalog.",
  policies: COST_POLICIES,
};
