import { type MachineType, machineFamily } from "./machine-type";

/**
 * GCP accelerator machine types (N1 machines with attached T4s, and accelerator-optimized
 * G2, A2, A3 and TPU machine types).
 *
 * Reference region: us-central1 (Iowa).
 * Source: Google Cloud's public Compute Engine and Cloud TPU price lists
 * (cloud.google.com/compute/vm-instance-pricing, /compute/gpus-pricing, /tpu/pricing);
 * compiled 2026-11-26. N1 rows include the attached T4s' price. TPU rows are chips × the
 * per-chip-hour price. Spot: the typical us-central1 Spot VM price, expressed per family as a
 * ratio of the on-demand price (spot prices change up to once a month; refresh from the
 * Cloud Billing Catalog API). Shapes from the machine family documentation.
 */
export const GCP_MACHINE_TYPES: readonly MachineType[] = [
  ...machineFamily("gcp", "n1", "nvidia-t4", 16, 0.4, [
    ["n1-standard-4", 1, 4, 15, 0.54],
    ["n1-standard-8", 1, 8, 30, 0.73],
    ["n1-standard-16", 2, 16, 60, 1.46],
    ["n1-standard-32", 4, 32, 120, 2.92],
  ]),
  ...machineFamily("gcp", "g2", "nvidia-l4", 24, 0.4, [
    ["g2-standard-4", 1, 4, 16, 0.7068],
    ["g2-standard-8", 1, 8, 32, 0.8536],
    ["g2-standard-12", 1, 12, 48, 1.0001],
    ["g2-standard-16", 1, 16, 64, 1.1468],
    ["g2-standard-32", 1, 32, 128, 1.7303],
    ["g2-standard-24", 2, 24, 96, 2.0003],
    ["g2-standard-48", 4, 48, 192, 4.0006],
    ["g2-standard-96", 8, 96, 384, 8.0012],
  ]),
  ...machineFamily("gcp", "a2", "nvidia-a100-40gb", 40, 0.35, [
    ["a2-highgpu-1g", 1, 12, 85, 3.6731],
    ["a2-highgpu-2g", 2, 24, 170, 7.3462],
    ["a2-highgpu-4g", 4, 48, 340, 14.6924],
    ["a2-highgpu-8g", 8, 96, 680, 29.3848],
    ["a2-megagpu-16g", 16, 96, 1360, 55.7395],
  ]),
  ...machineFamily("gcp", "a2-ultra", "nvidia-a100-80gb", 80, 0.35, [
    ["a2-ultragpu-1g", 1, 12, 170, 5.0688],
    ["a2-ultragpu-2g", 2, 24, 340, 10.1376],
    ["a2-ultragpu-4g", 4, 48, 680, 20.2752],
    ["a2-ultragpu-8g", 8, 96, 1360, 40.5504],
  ]),
  ...machineFamily("gcp", "a3", "nvidia-h100-80gb", 80, 0.4, [
    ["a3-highgpu-8g", 8, 208, 1872, 88.2522],
  ]),
  ...machineFamily("gcp", "ct5lp", "tpu-v5e", 16, 0.4, [
    ["ct5lp-hightpu-1t", 1, 24, 48, 1.2],
    ["ct5lp-hightpu-4t", 4, 112, 192, 4.8],
    ["ct5lp-hightpu-8t", 8, 224, 384, 9.6],
  ]),
  ...machineFamily("gcp", "ct5p", "tpu-v5p", 95, 0.45, [["ct5p-hightpu-4t", 4, 208, 448, 16.8]]),
  ...machineFamily("gcp", "ct6e", "tpu-v6e", 32, 0.45, [
    ["ct6e-standard-1t", 1, 44, 176, 2.7],
    ["ct6e-standard-4t", 4, 180, 720, 10.8],
    ["ct6e-standard-8t", 8, 180, 1440, 21.6],
  ]),
];
