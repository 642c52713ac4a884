import { HybridAiConfigError } from "../errors";
import { assertOneOf } from "../validate";
import { AWS_INSTANCE_TYPES } from "./aws-instance-types";
import { GCP_MACHINE_TYPES } from "./gcp-machine-types";
import type { MachineType } from "./machine-type";
import { CLOUDS, type Cloud } from "./types";

/** Every accelerator machine type hybridai knows, per cloud. */
export const MACHINE_TYPES: Readonly<Record<Cloud, readonly MachineType[]>> = {
  aws: AWS_INSTANCE_TYPES,
  gcp: GCP_MACHINE_TYPES,
};

/** Checks a cloud name, throwing {@link HybridAiConfigError} listing the clouds otherwise. */
export function assertCloud(cloud: string, component: string, field = "cloud"): Cloud {
  return assertOneOf(component, field, cloud, CLOUDS);
}

/** Looks up one machine type by name, throwing an error that lists the known names otherwise. */
export function findMachineType(
  cloud: Cloud,
  name: string,
  component = "findMachineType",
): MachineType {
  const found = MACHINE_TYPES[assertCloud(cloud, component)].find((m) => m.name === name);
  if (!found) {
    throw new HybridAiConfigError(
      component,
      "machineType",
      name,
      MACHINE_TYPES[cloud].map((m) => m.name),
    );
  }
  return found;
}
