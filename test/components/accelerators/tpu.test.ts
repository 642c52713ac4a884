// Imports the accelerators module itself rather than the package entry point: the entry point
// loads every Pulumi provider SDK (seconds per test file), which mutation testing pays per mutant.
import * as accelerators from "../../../components/accelerators";
import { HybridAiConfigError } from "../../../components/errors";

const { tpuSlice } = accelerators;

import { describe, expect, it } from "vitest";

const { TPU_GENERATIONS, tpuTopologies, topologyChips, findMachineType, singleHostTpuSlice } =
  accelerators;

const EXPECTED: [accelerators.TpuType, string, string, number, number, boolean][] = [
  ["tpu-v5e", "1x1", "ct5lp-hightpu-1t", 1, 1, false],
  ["tpu-v5e", "2x2", "ct5lp-hightpu-4t", 4, 1, false],
  ["tpu-v5e", "2x4", "ct5lp-hightpu-8t", 8, 1, false],
  ["tpu-v5e", "4x4", "ct5lp-hightpu-4t", 16, 4, true],
  ["tpu-v5e", "16x16", "ct5lp-hightpu-4t", 256, 64, true],
  ["tpu-v5p", "2x2x1", "ct5p-hightpu-4t", 4, 1, false],
  ["tpu-v5p", "2x2x2", "ct5p-hightpu-4t", 8, 2, true],
  ["tpu-v5p", "4x4x8", "ct5p-hightpu-4t", 128, 32, true],
  ["tpu-v5p", "16x16x24", "ct5p-hightpu-4t", 6144, 1536, true],
  ["tpu-v6e", "2x4", "ct6e-standard-8t", 8, 1, false],
  ["tpu-v6e", "8x16", "ct6e-standard-4t", 128, 32, true],
];

describe("tpuSlice", () => {
  it.each(EXPECTED)(
    "%s %s → %s, %i chips on %i nodes",
    (type, topology, machine, chips, nodes, multi) => {
      expect(tpuSlice(type, topology)).toMatchObject({
        type,
        topology,
        machineType: machine,
        chips,
        nodeCount: nodes,
        multiHost: multi,
      });
    },
  );

  it("every topology of every generation resolves to a catalog machine whose chips fill the slice", () => {
    for (const type of Object.keys(TPU_GENERATIONS) as accelerators.TpuType[]) {
      for (const topology of tpuTopologies(type)) {
        const slice = tpuSlice(type, topology);
        const machine = findMachineType("gcp", slice.machineType);
        expect(machine.accelerator).toBe(type);
        expect(machine.acceleratorCount).toBe(slice.chipsPerNode);
        expect(slice.chipsPerNode * slice.nodeCount).toBe(topologyChips(topology));
        expect(slice.gkeAcceleratorType).toMatch(/^tpu-v\d/);
      }
    }
  });

  it.each([
    ["tpu-v5e", "2x2x2", /for tpu-v5e: 1x1, 2x2, 2x4, 4x4, 4x8, 8x8, 8x16, 16x16/],
    ["tpu-v5p", "4x4", /for tpu-v5p: 2x2x1, 2x2x2/],
    ["tpu-v6e", "32x32", /for tpu-v6e: 1x1/],
  ] as const)("%s rejects %s and lists the valid topologies", (type, topology, message) => {
    expect(() => tpuSlice(type, topology, "GcpTpuNodePool")).toThrow(HybridAiConfigError);
    expect(() => tpuSlice(type, topology, "GcpTpuNodePool")).toThrow(message);
  });
});

describe("TPU errors and topologies", () => {
  it("lists each generation's topologies, single-host first", () => {
    expect(tpuTopologies("tpu-v5e")).toEqual([
      "1x1",
      "2x2",
      "2x4",
      "4x4",
      "4x8",
      "8x8",
      "8x16",
      "16x16",
    ]);
    expect(tpuTopologies("tpu-v5p")).toEqual([
      "2x2x1",
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
    ]);
  });

  it("refuses an unknown generation, listing the known ones, under its own name by default", () => {
    expect(() => tpuSlice("tpu-v4" as accelerators.TpuType, "2x2")).toThrow(
      expect.objectContaining({
        component: "tpuSlice",
        field: "accelerator.type",
        allowed: "tpu-v5e, tpu-v5p, tpu-v6e",
      }),
    );
  });

  it("refuses a single-host chip count no host has, naming the counts and the topologies", () => {
    expect(() => singleHostTpuSlice("tpu-v5e", 3)).toThrow(
      expect.objectContaining({
        component: "tpuSlice",
        field: "accelerator.count",
        value: 3,
        allowed:
          "for single-host tpu-v5e: 1, 4, 8 chips; or give accelerator.topology " +
          "(1x1, 2x2, 2x4, 4x4, 4x8, 8x8, 8x16, 16x16)",
      }),
    );
    expect(singleHostTpuSlice("tpu-v6e", 4)).toMatchObject({
      topology: "2x2",
      machineType: "ct6e-standard-4t",
    });
  });
});
