import { forTypes, type PackResourcePolicy, sameFor, settingsOf } from "../../shared/src/policy";
import { declaredMachines, MACHINE_DECLARING_TYPES } from "./declared";
import { catalogMachineNames, isAcceleratorMachine } from "./machines";

/** GPU/TPU machine types come from an allow-list (default: every type in the catalog). */
export const acceleratorMachineTypesAllowed: PackResourcePolicy = {
  name: "accelerator-machine-types-allowed",
  description:
    "GPU, TPU and other accelerator machine types come from the allow-list (default: the types " +
    "in the hybridai accelerator catalog, which the cost estimate can price).",
  remediationSteps:
    "Pick an allowed instance or machine type (the hybridai components choose them from the " +
    "catalog), or add the type to allowedMachineTypes after reviewing its price.",
  enforcementLevel: "mandatory",
  configSchema: {
    properties: {
      allowedMachineTypes: {
        type: "array",
        items: { type: "string" },
        default: catalogMachineNames(),
        description: "Accelerator instance and machine types that may be used.",
      },
    },
  },
  validateResource: forTypes(
    sameFor(MACHINE_DECLARING_TYPES, (props, args, report) => {
      const { allowedMachineTypes } = settingsOf<{ allowedMachineTypes: string[] }>(
        args,
        acceleratorMachineTypesAllowed.configSchema,
      );
      const outside = (declaredMachines(args.type, props) ?? [])
        .filter(isAcceleratorMachine)
        .map((m) => m.name)
        .filter((name) => !allowedMachineTypes.includes(name));
      if (outside.length > 0) {
        report(
          `"${args.name}" uses accelerator machine type(s) ${[...new Set(outside)].join(", ")}, not in allowedMachineTypes.`,
        );
      }
    }),
  ),
};
