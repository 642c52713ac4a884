import { type MachineType, machineFamily } from "./machine-type";

/**
 * AWS accelerator instance types.
 *
 * Reference region: us-east-1 (N. Virginia), Linux, shared tenancy.
 * Source: AWS's public EC2 On-Demand price list (aws.amazon.com/ec2/pricing/on-demand and the
 * Price List API), as published after the June 2025 P4/P5 price reduction; compiled 2026-11-26.
 * Spot: the typical us-east-1 spot price over 2025, expressed per family as a ratio of the
 * on-demand price (spot prices move hourly; refresh with `aws ec2 describe-spot-price-history`).
 * Shapes (devices, vCPU, memory) from the EC2 instance type specifications.
 */
export const AWS_INSTANCE_TYPES: readonly MachineType[] = [
  ...machineFamily("aws", "g4dn", "nvidia-t4", 16, 0.4, [
    ["g4dn.xlarge", 1, 4, 16, 0.526],
    ["g4dn.2xlarge", 1, 8, 32, 0.752],
    ["g4dn.4xlarge", 1, 16, 64, 1.204],
    ["g4dn.8xlarge", 1, 32, 128, 2.176],
    ["g4dn.16xlarge", 1, 64, 256, 4.352],
    ["g4dn.12xlarge", 4, 48, 192, 3.912],
    ["g4dn.metal", 8, 96, 384, 7.824],
  ]),
  ...machineFamily("aws", "g5", "nvidia-a10g", 24, 0.42, [
    ["g5.xlarge", 1, 4, 16, 1.006],
    ["g5.2xlarge", 1, 8, 32, 1.212],
    ["g5.4xlarge", 1, 16, 64, 1.624],
    ["g5.8xlarge", 1, 32, 128, 2.448],
    ["g5.16xlarge", 1, 64, 256, 4.096],
    ["g5.12xlarge", 4, 48, 192, 5.672],
    ["g5.24xlarge", 4, 96, 384, 8.144],
    ["g5.48xlarge", 8, 192, 768, 16.288],
  ]),
  ...machineFamily("aws", "g6", "nvidia-l4", 24, 0.45, [
    ["g6.xlarge", 1, 4, 16, 0.8048],
    ["g6.2xlarge", 1, 8, 32, 0.9776],
    ["g6.4xlarge", 1, 16, 64, 1.3232],
    ["g6.8xlarge", 1, 32, 128, 2.0144],
    ["g6.16xlarge", 1, 64, 256, 3.3968],
    ["g6.12xlarge", 4, 48, 192, 4.6016],
    ["g6.24xlarge", 4, 96, 384, 6.6752],
    ["g6.48xlarge", 8, 192, 768, 13.3504],
  ]),
  ...machineFamily("aws", "g6e", "nvidia-l40s", 48, 0.5, [
    ["g6e.xlarge", 1, 4, 32, 1.861],
    ["g6e.2xlarge", 1, 8, 64, 2.2421],
    ["g6e.4xlarge", 1, 16, 128, 3.0042],
    ["g6e.8xlarge", 1, 32, 256, 4.5286],
    ["g6e.16xlarge", 1, 64, 512, 7.5772],
    ["g6e.12xlarge", 4, 48, 384, 10.4926],
    ["g6e.24xlarge", 4, 96, 768, 15.0656],
    ["g6e.48xlarge", 8, 192, 1536, 30.1312],
  ]),
  ...machineFamily("aws", "p4d", "nvidia-a100-40gb", 40, 0.45, [
    ["p4d.24xlarge", 8, 96, 1152, 21.9576],
  ]),
  ...machineFamily("aws", "p4de", "nvidia-a100-80gb", 80, 0.5, [
    ["p4de.24xlarge", 8, 96, 1152, 27.447],
  ]),
  ...machineFamily("aws", "p5", "nvidia-h100-80gb", 80, 0.55, [
    ["p5.48xlarge", 8, 192, 2048, 55.04],
  ]),
  ...machineFamily("aws", "inf2", "aws-inferentia2", 32, 0.3, [
    ["inf2.xlarge", 1, 4, 16, 0.7582],
    ["inf2.8xlarge", 1, 32, 128, 1.9679],
    ["inf2.24xlarge", 6, 96, 384, 6.4906],
    ["inf2.48xlarge", 12, 192, 768, 12.9813],
  ]),
];
