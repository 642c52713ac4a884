import { type AcceleratorType, aws, HybridAiConfigError, kubernetes } from "pulumi-hybridai";
import { describe, expect, it } from "vitest";

const { planGpuNodeGroup } = aws;

describe("planGpuNodeGroup per accelerator type", () => {
  it.each([
    ["nvidia-t4", 1, "AL2023_x86_64_NVIDIA", ["g4dn.xlarge", "g4dn.2xlarge"], 100],
    ["nvidia-a10g", 1, "AL2023_x86_64_NVIDIA", ["g5.xlarge", "g5.2xlarge", "g5.4xlarge"], 100],
    ["nvidia-l4", 1, "AL2023_x86_64_NVIDIA", ["g6.xlarge", "g6.2xlarge", "g6.4xlarge"], 100],
    ["nvidia-l4", 4, "AL2023_x86_64_NVIDIA", ["g6.12xlarge", "g6.24xlarge"], 160],
    ["nvidia-l40s", 1, "AL2023_x86_64_NVIDIA", ["g6e.xlarge", "g6e.2xlarge", "g6e.4xlarge"], 110],
    ["nvidia-a100-40gb", 8, "AL2023_x86_64_NVIDIA", ["p4d.24xlarge"], 380],
    ["nvidia-a100-80gb", 8, "AL2023_x86_64_NVIDIA", ["p4de.24xlarge"], 700],
    ["nvidia-h100-80gb", 8, "AL2023_x86_64_NVIDIA", ["p5.48xlarge"], 700],
    ["aws-inferentia2", 1, "AL2023_x86_64_NEURON", ["inf2.xlarge"], 100],
    ["aws-inferentia2", 12, "AL2023_x86_64_NEURON", ["inf2.48xlarge"], 450],
  ] as const)(
    "%s × %i → %s on %j with a %i GiB volume",
    (type, count, amiType, instanceTypes, volume) => {
      const plan = planGpuNodeGroup({
        name: "pool",
        accelerator: { type, count },
        capacity: { min: 0, max: 4 },
      });
      expect(plan.amiType).toBe(amiType);
      expect(plan.instanceTypes).toEqual(instanceTypes);
      expect(plan.rootVolumeGiB).toBe(volume);
      expect(plan.launch.blockDeviceMappings[0]).toEqual({
        deviceName: "/dev/xvda",
        ebs: {
          volumeSize: volume,
          volumeType: "gp3",
          iops: 3000,
          throughput: 250,
          encrypted: "true",
          deleteOnTermination: "true",
        },
      });
    },
  );

  it("maps Bottlerocket to its NVIDIA AMI type and its data volume", () => {
    const plan = planGpuNodeGroup({
      name: "br",
      accelerator: { type: "nvidia-l4" },
      capacity: { min: 0, max: 2 },
      os: "bottlerocket",
    });
    expect(plan.amiType).toBe("BOTTLEROCKET_x86_64_NVIDIA");
    expect(plan.launch.blockDeviceMappings[0].deviceName).toBe("/dev/xvdb");
  });

  it("requires IMDSv2 with a hop limit of 1 on every node", () => {
    const plan = planGpuNodeGroup({
      name: "md",
      accelerator: { type: "nvidia-t4" },
      capacity: { min: 0, max: 1 },
    });
    expect(plan.launch.metadataOptions).toEqual({
      httpEndpoint: "enabled",
      httpTokens: "required",
      httpPutResponseHopLimit: 1,
      instanceMetadataTags: "disabled",
    });
  });

  it.each([
    ["nvidia-l4", "nvidia.com/gpu"],
    ["nvidia-h100-80gb", "nvidia.com/gpu"],
    ["aws-inferentia2", "aws.amazon.com/neuron"],
  ] as const)("labels and taints %s nodes (%s, NO_SCHEDULE ↔ NoSchedule)", (type, taintKey) => {
    const count = type === "nvidia-h100-80gb" ? 8 : 1;
    const plan = planGpuNodeGroup({
      name: "lbl",
      accelerator: { type: type as AcceleratorType, count },
      capacity: { min: 1, max: 3, spot: { onDemandBase: 1 } },
      labels: { team: "search" },
    });
    const labels = (capacityType: string) => ({
      team: "search",
      "hybridai.dev/accelerator": type,
      "hybridai.dev/capacity-type": capacityType,
    });
    expect(plan.nodeGroups.map((group) => [group.eksCapacityType, group.labels])).toEqual([
      ["ON_DEMAND", labels("on-demand")],
      ["SPOT", labels("spot")],
    ]);
    for (const group of plan.nodeGroups) {
      expect(group.taints).toEqual([{ key: taintKey, value: "present", effect: "NO_SCHEDULE" }]);
      expect(kubernetes.fromCloudTaintEffect(group.taints[0].effect)).toBe("NoSchedule");
    }
  });
});

describe("planGpuNodeGroup capacity split", () => {
  const groups = (capacity: Parameters<typeof planGpuNodeGroup>[0]["capacity"]) =>
    planGpuNodeGroup({
      name: "split",
      accelerator: { type: "nvidia-l4" },
      capacity,
    }).nodeGroups.map((g) => [g.nodeGroupName, g.eksCapacityType, g.scalingConfig]);

  it("without spot: one on-demand group with the whole capacity", () => {
    expect(groups({ min: 1, max: 5, desired: 2 })).toEqual([
      ["split-on-demand", "ON_DEMAND", { minSize: 1, maxSize: 5, desiredSize: 2 }],
    ]);
  });

  it("base 0, 0 % above: one spot group", () => {
    expect(groups({ min: 0, max: 6, spot: {} })).toEqual([
      ["split-spot", "SPOT", { minSize: 0, maxSize: 6, desiredSize: 0 }],
    ]);
  });

  it("100 % on-demand above the base: no spot group", () => {
    expect(
      groups({ min: 2, max: 6, spot: { onDemandBase: 1, onDemandPercentAboveBase: 100 } }),
    ).toEqual([["split-on-demand", "ON_DEMAND", { minSize: 2, maxSize: 6, desiredSize: 2 }]]);
  });

  it("max below the base: everything on-demand", () => {
    expect(groups({ min: 1, max: 2, spot: { onDemandBase: 5 } })).toEqual([
      ["split-on-demand", "ON_DEMAND", { minSize: 1, maxSize: 2, desiredSize: 1 }],
    ]);
  });

  it("base 1 and 50 % above: on-demand rounded up, the rest spot, adding up exactly", () => {
    expect(
      groups({
        min: 2,
        max: 10,
        desired: 4,
        spot: { onDemandBase: 1, onDemandPercentAboveBase: 50 },
      }),
    ).toEqual([
      ["split-on-demand", "ON_DEMAND", { minSize: 2, maxSize: 6, desiredSize: 3 }],
      ["split-spot", "SPOT", { minSize: 0, maxSize: 4, desiredSize: 1 }],
    ]);
  });
});

describe("planGpuNodeGroup rejects bad specs with clear errors", () => {
  it.each([
    [{ accelerator: { type: "tpu-v5e" } }, "accelerator.type", /offered on gcp only/],
    [{ accelerator: { type: "nvidia-h100-80gb", count: 1 } }, "accelerator.count", /8/],
    [{ accelerator: { type: "nvidia-rtx" } }, "accelerator.type", /nvidia-l4/],
    [{ os: "windows" }, "os", /al2023, bottlerocket/],
    [
      { accelerator: { type: "aws-inferentia2" }, os: "bottlerocket" },
      "os",
      /AL2023_x86_64_NEURON/,
    ],
    [{ instanceTypes: ["g5.xlarge"] }, "instanceTypes", /g6.xlarge/],
    [{ rootVolumeGiB: 10 }, "rootVolumeGiB", /20 to 16384/],
    [{ capacity: { min: 3, max: 2 } }, "capacity.min", /≤ capacity.max/],
    [
      { capacity: { min: 0, max: 4, spot: { onDemandPercentAboveBase: 120 } } },
      "capacity.spot.onDemandPercentAboveBase",
      /0 to 100/,
    ],
    [{ name: "Bad_Name" }, "name", /lowercase/],
  ] as const)("%j → %s", (override, field, allowed) => {
    const spec = {
      name: "pool",
      accelerator: { type: "nvidia-l4" },
      capacity: { min: 0, max: 2 },
      ...override,
    };
    let error: unknown;
    try {
      planGpuNodeGroup(spec as never);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(HybridAiConfigError);
    expect((error as HybridAiConfigError).component).toBe("AwsGpuNodeGroup");
    expect((error as HybridAiConfigError).field).toBe(field);
    expect((error as Error).message).toMatch(allowed);
  });
});
