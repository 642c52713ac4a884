// Imports the accelerators module itself rather than the package entry point: the entry point
// loads every Pulumi provider SDK (seconds per test file), which mutation testing pays per mutant.
import { describe, expect, it } from "vitest";
import * as accelerators from "../../../components/accelerators";
import { configErrorOf } from "../helpers/config-error";

const {
  ACCELERATOR_MODELS,
  CONTROL_PLANE_HOURLY_USD,
  cloudNatHourlyUsd,
  findMachineType,
  GENERAL_MACHINE_TYPES,
  MACHINE_TYPES,
  NAT_HOURLY_USD,
  TPU_GENERATIONS,
} = accelerators;

/** Machine names per accelerator type, in catalog order. */
function namesByAccelerator(cloud: accelerators.Cloud): Record<string, string[]> {
  const names: Record<string, string[]> = {};
  for (const machine of MACHINE_TYPES[cloud]) {
    names[machine.accelerator] ??= [];
    names[machine.accelerator].push(machine.name);
  }
  return names;
}

describe("accelerator machine catalog", () => {
  it("lists the EC2 instance types of each accelerator", () => {
    expect(namesByAccelerator("aws")).toEqual({
      "nvidia-t4": [
        "g4dn.xlarge",
        "g4dn.2xlarge",
        "g4dn.4xlarge",
        "g4dn.8xlarge",
        "g4dn.16xlarge",
        "g4dn.12xlarge",
        "g4dn.metal",
      ],
      "nvidia-a10g": [
        "g5.xlarge",
        "g5.2xlarge",
        "g5.4xlarge",
        "g5.8xlarge",
        "g5.16xlarge",
        "g5.12xlarge",
        "g5.24xlarge",
        "g5.48xlarge",
      ],
      "nvidia-l4": [
        "g6.xlarge",
        "g6.2xlarge",
        "g6.4xlarge",
        "g6.8xlarge",
        "g6.16xlarge",
        "g6.12xlarge",
        "g6.24xlarge",
        "g6.48xlarge",
      ],
      "nvidia-l40s": [
        "g6e.xlarge",
        "g6e.2xlarge",
        "g6e.4xlarge",
        "g6e.8xlarge",
        "g6e.16xlarge",
        "g6e.12xlarge",
        "g6e.24xlarge",
        "g6e.48xlarge",
      ],
      "nvidia-a100-40gb": ["p4d.24xlarge"],
      "nvidia-a100-80gb": ["p4de.24xlarge"],
      "nvidia-h100-80gb": ["p5.48xlarge"],
      "aws-inferentia2": ["inf2.xlarge", "inf2.8xlarge", "inf2.24xlarge", "inf2.48xlarge"],
    });
  });

  it("lists the Compute Engine machine types of each accelerator", () => {
    expect(namesByAccelerator("gcp")).toEqual({
      "nvidia-t4": ["n1-standard-4", "n1-standard-8", "n1-standard-16", "n1-standard-32"],
      "nvidia-l4": [
        "g2-standard-4",
        "g2-standard-8",
        "g2-standard-12",
        "g2-standard-16",
        "g2-standard-32",
        "g2-standard-24",
        "g2-standard-48",
        "g2-standard-96",
      ],
      "nvidia-a100-40gb": [
        "a2-highgpu-1g",
        "a2-highgpu-2g",
        "a2-highgpu-4g",
        "a2-highgpu-8g",
        "a2-megagpu-16g",
      ],
      "nvidia-a100-80gb": ["a2-ultragpu-1g", "a2-ultragpu-2g", "a2-ultragpu-4g", "a2-ultragpu-8g"],
      "nvidia-h100-80gb": ["a3-highgpu-8g"],
      "tpu-v5e": ["ct5lp-hightpu-1t", "ct5lp-hightpu-4t", "ct5lp-hightpu-8t"],
      "tpu-v5p": ["ct5p-hightpu-4t"],
      "tpu-v6e": ["ct6e-standard-1t", "ct6e-standard-4t", "ct6e-standard-8t"],
    });
  });

  it("derives device memory and a spot price per machine from its family", () => {
    expect(findMachineType("aws", "g5.12xlarge")).toEqual({
      cloud: "aws",
      name: "g5.12xlarge",
      family: "g5",
      accelerator: "nvidia-a10g",
      acceleratorCount: 4,
      acceleratorMemoryGiB: 96,
      vcpu: 48,
      memoryGiB: 192,
      onDemandHourlyUsd: 5.672,
      spotHourlyUsd: expect.any(Number),
    });
    const a100 = findMachineType("gcp", "a2-highgpu-2g");
    expect(a100).toMatchObject({ family: "a2", acceleratorCount: 2, acceleratorMemoryGiB: 80 });
  });

  it("refuses an unknown machine type, listing the cloud's machine types", () => {
    const error = configErrorOf(() => findMachineType("aws", "g9.huge"));
    expect(error.component).toBe("findMachineType");
    expect(error.field).toBe("machineType");
    expect(error.value).toBe("g9.huge");
    expect(error.allowed.split(", ")).toHaveLength(38);
    expect(error.allowed).toContain("g6.xlarge");
    expect(configErrorOf(() => findMachineType("gcp", "x", "GcpGpuNodePool")).component).toBe(
      "GcpGpuNodePool",
    );
  });

  it("refuses an unknown cloud", () => {
    const error = configErrorOf(() => findMachineType("azure" as accelerators.Cloud, "g6.xlarge"));
    expect(error.field).toBe("cloud");
    expect(error.allowed).toBe("aws, gcp");
  });
});

describe("accelerator devices", () => {
  it("knows each device's vendor, memory, Kubernetes resource, MIG profiles, sharing and GKE name", () => {
    const gpu = (memoryGiB: number, migPartitions: string[], gkeAcceleratorType?: string) => ({
      vendor: "nvidia",
      memoryGiB,
      resourceName: "nvidia.com/gpu",
      migPartitions,
      supportsSharing: true,
      ...(gkeAcceleratorType ? { gkeAcceleratorType } : {}),
    });
    const tpu = (memoryGiB: number, gkeAcceleratorType: string) => ({
      vendor: "google-tpu",
      memoryGiB,
      resourceName: "google.com/tpu",
      migPartitions: [],
      supportsSharing: false,
      gkeAcceleratorType,
    });
    expect(ACCELERATOR_MODELS).toEqual({
      "nvidia-t4": gpu(16, [], "nvidia-tesla-t4"),
      "nvidia-a10g": gpu(24, []),
      "nvidia-l4": gpu(24, [], "nvidia-l4"),
      "nvidia-l40s": gpu(48, []),
      "nvidia-a100-40gb": gpu(40, ["1g.5gb", "2g.10gb", "3g.20gb", "7g.40gb"], "nvidia-tesla-a100"),
      "nvidia-a100-80gb": gpu(80, ["1g.10gb", "2g.20gb", "3g.40gb", "7g.80gb"], "nvidia-a100-80gb"),
      "nvidia-h100-80gb": gpu(
        80,
        ["1g.10gb", "1g.20gb", "2g.20gb", "3g.40gb", "7g.80gb"],
        "nvidia-h100-80gb",
      ),
      "aws-inferentia2": {
        vendor: "aws-neuron",
        memoryGiB: 32,
        resourceName: "aws.amazon.com/neuron",
        migPartitions: [],
        supportsSharing: false,
      },
      "tpu-v5e": tpu(16, "tpu-v5-lite-podslice"),
      "tpu-v5p": tpu(95, "tpu-v5p-slice"),
      "tpu-v6e": tpu(32, "tpu-v6e-slice"),
    });
  });
});

describe("TPU generations", () => {
  it("has GKE's single-host and multi-host topologies for each generation", () => {
    expect(TPU_GENERATIONS).toEqual({
      "tpu-v5e": {
        type: "tpu-v5e",
        singleHost: {
          "1x1": "ct5lp-hightpu-1t",
          "2x2": "ct5lp-hightpu-4t",
          "2x4": "ct5lp-hightpu-8t",
        },
        multiHost: ["4x4", "4x8", "8x8", "8x16", "16x16"],
        multiHostMachineType: "ct5lp-hightpu-4t",
        chipsPerHost: 4,
      },
      "tpu-v5p": {
        type: "tpu-v5p",
        singleHost: { "2x2x1": "ct5p-hightpu-4t" },
        multiHost: [
          "2x2x2",
          "2x2x4",
          "2x4x4",
          "4x4x4",
          "4x4x8",
          "4x8x8",
          "8x8x8",
          "8x8x16",
          "8x16x16",
          "16x16x16",
          "16x16x24",
        ],
        multiHostMachineType: "ct5p-hightpu-4t",
        chipsPerHost: 4,
      },
      "tpu-v6e": {
        type: "tpu-v6e",
        singleHost: {
          "1x1": "ct6e-standard-1t",
          "2x2": "ct6e-standard-4t",
          "2x4": "ct6e-standard-8t",
        },
        multiHost: ["4x4", "4x8", "8x8", "8x16", "16x16"],
        multiHostMachineType: "ct6e-standard-4t",
        chipsPerHost: 4,
      },
    });
  });
});

describe("platform prices", () => {
  it("lists general-purpose machines per cloud with spot at the family's typical ratio", () => {
    const names = (cloud: string) =>
      GENERAL_MACHINE_TYPES.filter((m) => m.cloud === cloud).map((m) => m.name);
    expect(names("aws")).toEqual([
      "t3.medium",
      "t3.large",
      "t3.xlarge",
      "m5.large",
      "m5.xlarge",
      "m5.2xlarge",
      "m6i.large",
      "m6i.xlarge",
      "m6i.2xlarge",
      "m6a.large",
      "m6a.xlarge",
      "m7i.large",
      "m7i.xlarge",
      "m7i.2xlarge",
      "m7g.large",
      "m7g.xlarge",
      "c6i.large",
      "c6i.xlarge",
    ]);
    expect(names("gcp")).toEqual([
      "e2-small",
      "e2-medium",
      "e2-standard-2",
      "e2-standard-4",
      "e2-standard-8",
      "e2-standard-16",
      "n2-standard-2",
      "n2-standard-4",
      "n2-standard-8",
      "n1-standard-1",
      "n1-standard-2",
      "n1-standard-4",
      "n1-standard-8",
    ]);
    // m6i.large: $0.096 on demand, spot at 40 %: 0.0384. t3.medium: $0.0416 × 35 % = 0.01456.
    expect(GENERAL_MACHINE_TYPES.find((m) => m.name === "m6i.large")).toEqual({
      cloud: "aws",
      name: "m6i.large",
      vcpu: 2,
      memoryGiB: 8,
      onDemandHourlyUsd: 0.096,
      spotHourlyUsd: 0.0384,
    });
    expect(GENERAL_MACHINE_TYPES.find((m) => m.name === "t3.medium")?.spotHourlyUsd).toBe(0.0146);
    // e2-standard-4: $0.134012 × 30 % = 0.0402036, kept to four places.
    expect(GENERAL_MACHINE_TYPES.find((m) => m.name === "e2-standard-4")?.spotHourlyUsd).toBe(
      0.0402,
    );
  });

  it("has the control-plane and NAT list prices", () => {
    expect(CONTROL_PLANE_HOURLY_USD).toEqual({
      eksStandardSupport: 0.1,
      eksExtendedSupport: 0.6,
      gke: 0.1,
    });
    expect(NAT_HOURLY_USD).toEqual({
      awsGateway: 0.045,
      gcpPerVm: 0.0014,
      gcpVmsPricedPerVm: 32,
      gcpMaxPerGateway: 0.044,
    });
  });

  it.each([
    [0, 0],
    [-3, 0],
    [1, 0.0014],
    [10, 0.014],
    [32, 0.0448],
    [33, 0.044],
    [500, 0.044],
  ])("prices Cloud NAT for %i VMs at $%d an hour", (vms, usd) => {
    expect(cloudNatHourlyUsd(vms)).toBeCloseTo(usd, 10);
  });
});
