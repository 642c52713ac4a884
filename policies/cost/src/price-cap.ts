import { MACHINE_TYPES } from "../../../components/accelerators";
import { forTypes, type PackResourcePolicy, sameFor, settingsOf } from "../../shared/src/policy";
import { declaredMachines, MACHINE_DECLARING_TYPES } from "./declared";
import { catalogMachine, type DeclaredMachine, nodePrice } from "./machines";

/** GPUs on one node from which a machine counts as a flagship (8-GPU HGX-class) node. */
export const FLAGSHIP_GPU_COUNT = 8;

function isFlagship(machine: DeclaredMachine): boolean {
  const entry = catalogMachine(machine);
  return (
    entry?.accelerator.startsWith("nvidia-") === true &&
    entry.acceleratorCount >= FLAGSHIP_GPU_COUNT
  );
}

/** The catalog's flagship machine types, for the config description. */
function flagshipNames(): string[] {
  return [...MACHINE_TYPES.aws, ...MACHINE_TYPES.gcp]
    .filter((m) => m.accelerator.startsWith("nvidia-") && m.acceleratorCount >= FLAGSHIP_GPU_COUNT)
    .map((m) => m.name);
}

/** No node costs more per hour than the cap; 8-GPU flagship nodes need explicit allowance. */
export const nodeHourlyPriceCap: PackResourcePolicy = {
  name: "node-hourly-price-cap",
  description:
    "No node's on-demand list price exceeds the per-node hourly cap, and flagship nodes with 8 or " +
    "more GPUs are used only when explicitly allowed.",
  remediationSteps:
    "Use a smaller machine type (fewer GPUs per node, more nodes), or raise " +
    "maxOnDemandHourlyUsdPerNode / add the type to allowedFlagshipMachineTypes after approval.",
  enforcementLevel: "mandatory",
  configSchema: {
    properties: {
      maxOnDemandHourlyUsdPerNode: {
        type: "number",
        exclusiveMinimum: 0,
        default: 20,
        description: "The highest on-demand list price, USD per node-hour.",
      },
      allowedFlagshipMachineTypes: {
        type: "array",
        items: { type: "string" },
        default: [],
        description: `Flagship (≥${FLAGSHIP_GPU_COUNT} GPU) types allowed, e.g. ${flagshipNames().slice(0, 3).join(", ")}.`,
      },
    },
  },
  validateResource: forTypes(
    sameFor(MACHINE_DECLARING_TYPES, (props, args, report) => {
      const { maxOnDemandHourlyUsdPerNode: cap, allowedFlagshipMachineTypes: flagshipsAllowed } =
        settingsOf<{
          maxOnDemandHourlyUsdPerNode: number;
          allowedFlagshipMachineTypes: string[];
        }>(args, nodeHourlyPriceCap.configSchema);
      for (const machine of declaredMachines(args.type, props) ?? []) {
        if (isFlagship(machine) && !flagshipsAllowed.includes(machine.name)) {
          report(
            `"${args.name}" uses flagship ${machine.name} (${catalogMachine(machine)?.acceleratorCount} GPUs); ` +
              "add it to allowedFlagshipMachineTypes to allow it.",
          );
          continue;
        }
        const price = nodePrice(machine)?.onDemandHourlyUsd;
        if (price !== undefined && price > cap && !flagshipsAllowed.includes(machine.name)) {
          report(
            `"${args.name}" uses ${machine.name} at $${price}/h on-demand, above the $${cap}/h per-node cap.`,
          );
        }
      }
    }),
  ),
};
