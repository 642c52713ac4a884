// Imports the accelerators module itself rather than the package entry point: the entry point
// loads every Pulumi provider SDK (seconds per test file), which mutation testing pays per mutant.
import * as accelerators from "../../../components/accelerators";
import { HybridAiConfigError } from "../../../components/errors";

const { resolveAccelerator } = accelerators;

import { describe, expect, it } from "vitest";

const { ACCELERATOR_TYPES, MACHINE_TYPES, cloudsOffering, isTpu, validCounts } = accelerators;

/** The expected cheapest candidate and family per (type, count, cloud), written out by hand. */
const CHEAPEST: [accelerators.AcceleratorSpec, accelerators.Cloud, string, string][] = [
  [{ type: "nvidia-t4" }, "aws", "g4dn.xlarge", "g4dn"],
  [{ type: "nvidia-t4", count: 4 }, "aws", "g4dn.12xlarge", "g4dn"],
  [{ type: "nvidia-t4", count: 8 }, "aws", "g4dn.metal", "g4dn"],
  [{ type: "nvidia-t4" }, "gcp", "n1-standard-4", "n1"],
  [{ type: "nvidia-t4", count: 2 }, "gcp", "n1-standard-16", "n1"],
  [{ type: "nvidia-a10g" }, "aws", "g5.xlarge", "g5"],
  [{ type: "nvidia-a10g", count: 8 }, "aws", "g5.48xlarge", "g5"],
  [{ type: "nvidia-l4" }, "aws", "g6.xlarge", "g6"],
  [{ type: "nvidia-l4", count: 4 }, "aws", "g6.12xlarge", "g6"],
  [{ type: "nvidia-l4" }, "gcp", "g2-standard-4", "g2"],
  [{ type: "nvidia-l4", count: 8 }, "gcp", "g2-standard-96", "g2"],
  [{ type: "nvidia-l40s" }, "aws", "g6e.xlarge", "g6e"],
  [{ type: "nvidia-a100-40gb", count: 8 }, "aws", "p4d.24xlarge", "p4d"],
  [{ type: "nvidia-a100-40gb" }, "gcp", "a2-highgpu-1g", "a2"],
  [{ type: "nvidia-a100-40gb", count: 16 }, "gcp", "a2-megagpu-16g", "a2"],
  [{ type: "nvidia-a100-80gb", count: 8 }, "aws", "p4de.24xlarge", "p4de"],
  [{ type: "nvidia-a100-80gb", count: 2 }, "gcp", "a2-ultragpu-2g", "a2-ultra"],
  [{ type: "nvidia-h100-80gb", count: 8 }, "aws", "p5.48xlarge", "p5"],
  [{ type: "nvidia-h100-80gb", count: 8 }, "gcp", "a3-highgpu-8g", "a3"],
  [{ type: "aws-inferentia2" }, "aws", "inf2.xlarge", "inf2"],
  [{ type: "aws-inferentia2", count: 12 }, "aws", "inf2.48xlarge", "inf2"],
  [{ type: "tpu-v5e", count: 4 }, "gcp", "ct5lp-hightpu-4t", "ct5lp"],
  [{ type: "tpu-v5e", topology: "4x8" }, "gcp", "ct5lp-hightpu-4t", "ct5lp"],
  [{ type: "tpu-v5p", topology: "2x2x2" }, "gcp", "ct5p-hightpu-4t", "ct5p"],
  [{ type: "tpu-v6e" }, "gcp", "ct6e-standard-1t", "ct6e"],
];

describe("resolveAccelerator", () => {
  it.each(CHEAPEST)("%j on %s → %s first", (spec, cloud, cheapest, family) => {
    const candidates = resolveAccelerator(spec, cloud);
    expect(candidates[0]?.name).toBe(cheapest);
    for (const machine of candidates) {
      expect(machine.family).toBe(family);
      expect(machine.accelerator).toBe(spec.type);
      expect(machine.cloud).toBe(cloud);
    }
  });

  it("orders candidates cheapest first and offers several sizes for spot diversification", () => {
    const candidates = resolveAccelerator({ type: "nvidia-l4", count: 1 }, "aws");
    expect(candidates.map((m) => m.name)).toEqual([
      "g6.xlarge",
      "g6.2xlarge",
      "g6.4xlarge",
      "g6.8xlarge",
      "g6.16xlarge",
    ]);
    const prices = candidates.map((m) => m.onDemandHourlyUsd);
    expect(prices).toEqual([...prices].sort((a, b) => a - b));
  });

  it("every accelerator type resolves on at least one cloud, for every count the catalog has", () => {
    for (const type of ACCELERATOR_TYPES.filter((t) => !isTpu(t))) {
      const clouds = cloudsOffering(type);
      expect(clouds.length).toBeGreaterThan(0);
      for (const cloud of clouds) {
        for (const count of validCounts(type, cloud)) {
          const candidates = resolveAccelerator({ type, count }, cloud);
          expect(candidates.length).toBeGreaterThan(0);
          expect(candidates.every((m) => m.acceleratorCount === count)).toBe(true);
        }
      }
    }
  });

  it("every catalog row is self-consistent: memory, spot below on-demand, positive shape", () => {
    for (const machine of [...MACHINE_TYPES.aws, ...MACHINE_TYPES.gcp]) {
      const model = accelerators.ACCELERATOR_MODELS[machine.accelerator];
      expect(machine.acceleratorMemoryGiB).toBe(model.memoryGiB * machine.acceleratorCount);
      expect(machine.spotHourlyUsd).toBeGreaterThan(0);
      expect(machine.spotHourlyUsd).toBeLessThan(machine.onDemandHourlyUsd);
      expect(machine.vcpu).toBeGreaterThan(0);
      expect(machine.memoryGiB).toBeGreaterThan(0);
    }
    const names = MACHINE_TYPES.aws.map((m) => m.name).concat(MACHINE_TYPES.gcp.map((m) => m.name));
    expect(new Set(names).size).toBe(names.length);
  });
});

describe("resolveAccelerator errors", () => {
  const cases: [string, unknown, accelerators.Cloud, RegExp][] = [
    [
      "unknown type",
      { type: "nvidia-b200" },
      "aws",
      /accelerator\.type = "nvidia-b200".*nvidia-t4, nvidia-a10g/,
    ],
    [
      "3× A100 on AWS",
      { type: "nvidia-a100-40gb", count: 3 },
      "aws",
      /accelerator\.count = 3.*on aws: 8\./,
    ],
    [
      "3× L4 on GCP",
      { type: "nvidia-l4", count: 3 },
      "gcp",
      /accelerator\.count = 3.*on gcp: 1, 2, 4, 8/,
    ],
    [
      "zero count",
      { type: "nvidia-l4", count: 0 },
      "aws",
      /accelerator\.count = 0.*whole number ≥ 1/,
    ],
    ["fractional count", { type: "nvidia-l4", count: 1.5 }, "aws", /accelerator\.count = 1\.5/],
    [
      "A10G on GCP",
      { type: "nvidia-a10g" },
      "gcp",
      /offered on aws only; on gcp: nvidia-t4, nvidia-l4/,
    ],
    ["L40S on GCP", { type: "nvidia-l40s" }, "gcp", /nvidia-l40s is offered on aws only/],
    ["TPU on AWS", { type: "tpu-v5e" }, "aws", /tpu-v5e is offered on gcp only/],
    [
      "topology on a GPU",
      { type: "nvidia-l4", topology: "2x2" },
      "gcp",
      /accelerator\.topology.*only for TPU types/,
    ],
    [
      "bad TPU topology",
      { type: "tpu-v5e", topology: "3x3" },
      "gcp",
      /topology = "3x3".*1x1, 2x2, 2x4, 4x4/,
    ],
    [
      "TPU count off the slice",
      { type: "tpu-v5e", topology: "4x4", count: 8 },
      "gcp",
      /accelerator\.count = 8.*4 \(chips per node/,
    ],
    ["single-host TPU count", { type: "tpu-v5p", count: 8 }, "gcp", /single-host tpu-v5p: 4 chips/],
  ];
  it.each(cases)("%s", (_, spec, cloud, message) => {
    const call = () =>
      resolveAccelerator(spec as accelerators.AcceleratorSpec, cloud, "AwsGpuNodeGroup");
    expect(call).toThrow(HybridAiConfigError);
    expect(call).toThrow(message);
    expect(call).toThrow(/^AwsGpuNodeGroup: /);
  });

  it("rejects an unknown cloud", () => {
    expect(() => resolveAccelerator({ type: "nvidia-l4" }, "azure" as accelerators.Cloud)).toThrow(
      /cloud = "azure".*aws, gcp/,
    );
  });

  it("carries the component, field and value on the error", () => {
    try {
      resolveAccelerator({ type: "nvidia-h100-80gb", count: 2 }, "aws", "Plan");
      expect.unreachable();
    } catch (error) {
      expect(error).toMatchObject({
        component: "Plan",
        field: "accelerator.count",
        value: 2,
        allowed: "for nvidia-h100-80gb on aws: 8",
      });
    }
  });
  it("lists the cloud's accelerator types for an unknown or missing one (no TPU on AWS), under its own name by default", () => {
    const types =
      "nvidia-t4, nvidia-a10g, nvidia-l4, nvidia-l40s, nvidia-a100-40gb, nvidia-a100-80gb, " +
      "nvidia-h100-80gb, aws-inferentia2";
    for (const spec of [{ type: "nvidia-b200" }, undefined]) {
      expect(() =>
        resolveAccelerator(spec as unknown as accelerators.AcceleratorSpec, "aws"),
      ).toThrow(
        expect.objectContaining({
          component: "resolveAccelerator",
          field: "accelerator.type",
          allowed: types,
        }),
      );
    }
  });

  it("lists GCP's types, TPUs included, for an unknown type on GCP", () => {
    expect(() =>
      resolveAccelerator({ type: "nvidia-b200" } as unknown as accelerators.AcceleratorSpec, "gcp"),
    ).toThrow(
      expect.objectContaining({
        allowed:
          "nvidia-t4, nvidia-l4, nvidia-a100-40gb, nvidia-a100-80gb, nvidia-h100-80gb, tpu-v5e, " +
          "tpu-v5p, tpu-v6e",
      }),
    );
  });

  it("names the clouds that offer a type and the types this cloud offers", () => {
    expect(() => resolveAccelerator({ type: "nvidia-a10g" }, "gcp")).toThrow(
      expect.objectContaining({
        field: "accelerator.type",
        allowed:
          "nvidia-a10g is offered on aws only; on gcp: nvidia-t4, nvidia-l4, nvidia-a100-40gb, " +
          "nvidia-a100-80gb, nvidia-h100-80gb, tpu-v5e, tpu-v5p, tpu-v6e",
      }),
    );
  });

  it("accepts a TPU count equal to the slice's chips per node", () => {
    expect(
      resolveAccelerator({ type: "tpu-v5e", topology: "4x4", count: 4 }, "gcp").map((m) => m.name),
    ).toEqual(["ct5lp-hightpu-4t"]);
    expect(
      resolveAccelerator({ type: "tpu-v5e", topology: "2x4", count: 8 }, "gcp").map((m) => m.name),
    ).toEqual(["ct5lp-hightpu-8t"]);
  });
});

describe("validCounts", () => {
  it.each([
    ["nvidia-t4", [1, 4, 8], [1, 2, 4]],
    ["nvidia-a10g", [1, 4, 8], []],
    ["nvidia-l4", [1, 4, 8], [1, 2, 4, 8]],
    ["nvidia-l40s", [1, 4, 8], []],
    ["nvidia-a100-40gb", [8], [1, 2, 4, 8, 16]],
    ["nvidia-a100-80gb", [8], [1, 2, 4, 8]],
    ["nvidia-h100-80gb", [8], [8]],
    ["aws-inferentia2", [1, 6, 12], []],
    ["tpu-v5e", [], [1, 4, 8]],
    ["tpu-v5p", [], [4]],
    ["tpu-v6e", [], [1, 4, 8]],
  ] as const)("%s: %j devices a node on AWS, %j on GCP", (type, aws, gcp) => {
    expect(validCounts(type, "aws")).toEqual(aws);
    expect(validCounts(type, "gcp")).toEqual(gcp);
  });
});

describe("resolveAcceleratorSpec", () => {
  it("applies the default count of 1 and a TPU slice's chips per node", () => {
    expect(accelerators.resolveAcceleratorSpec({ type: "nvidia-l4" }, "gcp")).toEqual({
      type: "nvidia-l4",
      count: 1,
    });
    const tpu = accelerators.resolveAcceleratorSpec({ type: "tpu-v5e", topology: "2x4" }, "gcp");
    expect(tpu.count).toBe(8);
    expect(tpu.tpu?.machineType).toBe("ct5lp-hightpu-8t");
  });

  it("names itself as the component unless told otherwise", () => {
    expect(() =>
      accelerators.resolveAcceleratorSpec({ type: "nvidia-l4", count: 3 }, "gcp"),
    ).toThrow(
      expect.objectContaining({
        component: "resolveAccelerator",
        field: "accelerator.count",
        value: 3,
        allowed: "for nvidia-l4 on gcp: 1, 2, 4, 8",
      }),
    );
  });
});
