import {
  type Cloud,
  GENERAL_MACHINE_TYPES,
  MACHINE_TYPES,
  type MachineType,
} from "../../../components/accelerators";

/** A machine type a resource declares, with the GPUs attached to it (GCP N1). */
export interface DeclaredMachine {
  /** The cloud. */
  cloud: Cloud;
  /** The provider's machine or instance type name. */
  name: string;
  /** GPUs attached through `guestAccelerators` (GCP), summed. */
  attachedGpus: number;
}

/** List prices of one node of a machine type. */
export interface NodePrice {
  /** On-demand USD per node-hour. */
  onDemandHourlyUsd: number;
  /** Typical spot USD per node-hour. */
  spotHourlyUsd: number;
}

/** AWS instance families that carry GPUs, Inferentia/Trainium, Gaudi or FPGAs. */
const AWS_ACCELERATED_FAMILY =
  /^(p\d+[a-z]*|g\d+[a-z]*|gr\d+[a-z]*|inf\d+[a-z]*|trn\d+[a-z]*|dl\d+[a-z]*|f\d+|vt\d+)$/;
/** GCP accelerator-optimized and TPU machine series. */
const GCP_ACCELERATED_SERIES = /^(a2|a3|a4|g2|g4|ct\d+[a-z]*|tpu\d*[a-z]*)-/;

/** The accelerator catalog's entry for a machine, when it has one that applies. */
export function catalogMachine(machine: DeclaredMachine): MachineType | undefined {
  const found = MACHINE_TYPES[machine.cloud].find((m) => m.name === machine.name);
  // The catalog's N1 rows include attached T4s; a bare N1 is a general-purpose VM.
  if (found && machine.cloud === "gcp" && found.family === "n1" && machine.attachedGpus === 0) {
    return undefined;
  }
  return found;
}

/** Whether the machine carries accelerators (by catalog, family name or attached GPUs). */
export function isAcceleratorMachine(machine: DeclaredMachine): boolean {
  if (catalogMachine(machine) || machine.attachedGpus > 0) return true;
  return machine.cloud === "aws"
    ? AWS_ACCELERATED_FAMILY.test(machine.name.split(".")[0])
    : GCP_ACCELERATED_SERIES.test(machine.name);
}

/** The list prices of one node, from the accelerator catalog or the general-purpose table. */
export function nodePrice(machine: DeclaredMachine): NodePrice | undefined {
  const accelerated = catalogMachine(machine);
  if (accelerated) return accelerated;
  return GENERAL_MACHINE_TYPES.find((m) => m.cloud === machine.cloud && m.name === machine.name);
}

/** Every machine type name in the accelerator catalog, both clouds. */
export function catalogMachineNames(): string[] {
  return [...MACHINE_TYPES.aws, ...MACHINE_TYPES.gcp].map((m) => m.name);
}
