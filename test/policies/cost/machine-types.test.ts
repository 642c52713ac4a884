import { describe, expect, it } from "vitest";
import { acceleratorMachineTypesAllowed, nodeHourlyPriceCap } from "../../../policies/cost/src";
import { notApplicableReasons, violationsOf } from "../harness";

const NODE_GROUP = "aws:eks/nodeGroup:NodeGroup";
const POOL = "gcp:container/nodePool:NodePool";

describe("accelerator-machine-types-allowed", () => {
  it("reports accelerator types outside the catalog, and outside a configured list", async () => {
    const volta = { type: NODE_GROUP, props: { instanceTypes: ["p3.2xlarge", "m6i.large"] } };
    expect(await violationsOf(acceleratorMachineTypesAllowed, volta)).toEqual([
      '"subject" uses accelerator machine type(s) p3.2xlarge, not in allowedMachineTypes.',
    ]);
    const overrides = {
      type: "aws:autoscaling/group:Group",
      props: {
        mixedInstancesPolicy: {
          launchTemplate: {
            overrides: [{ instanceType: "g6.xlarge" }, { instanceType: "g5.xlarge" }],
          },
        },
      },
    };
    expect(
      await violationsOf(acceleratorMachineTypesAllowed, overrides, {
        config: { allowedMachineTypes: ["g5.xlarge"] },
      }),
    ).toEqual([
      '"subject" uses accelerator machine type(s) g6.xlarge, not in allowedMachineTypes.',
    ]);
    const t4 = {
      type: POOL,
      props: {
        nodeConfig: {
          machineType: "n1-standard-4",
          guestAccelerators: [{ type: "nvidia-tesla-t4", count: 1 }],
        },
      },
    };
    expect(
      await violationsOf(acceleratorMachineTypesAllowed, t4, {
        config: { allowedMachineTypes: ["g2-standard-4"] },
      }),
    ).toEqual([
      '"subject" uses accelerator machine type(s) n1-standard-4, not in allowedMachineTypes.',
    ]);
  });

  it("accepts catalog types by default and ignores general-purpose machines", async () => {
    expect(
      await violationsOf(acceleratorMachineTypesAllowed, {
        type: NODE_GROUP,
        props: { instanceTypes: ["g6.xlarge"] },
      }),
    ).toEqual([]);
    const tpu = { type: POOL, props: { nodeConfig: { machineType: "ct5lp-hightpu-8t" } } };
    expect(await violationsOf(acceleratorMachineTypesAllowed, tpu)).toEqual([]);
    const system = { type: POOL, props: { nodeConfig: { machineType: "n1-standard-4" } } };
    expect(
      await violationsOf(acceleratorMachineTypesAllowed, system, {
        config: { allowedMachineTypes: [] },
      }),
    ).toEqual([]);
    expect(
      await notApplicableReasons(acceleratorMachineTypesAllowed, {
        type: "aws:s3/bucket:Bucket",
        props: {},
      }),
    ).toHaveLength(1);
  });
});

describe("node-hourly-price-cap", () => {
  it("reports flagship 8-GPU nodes unless allowed, and nodes above the cap", async () => {
    const h100 = {
      type: "aws:ec2/launchTemplate:LaunchTemplate",
      props: { instanceType: "p5.48xlarge" },
    };
    expect(await violationsOf(nodeHourlyPriceCap, h100)).toEqual([
      '"subject" uses flagship p5.48xlarge (8 GPUs); add it to allowedFlagshipMachineTypes to allow it.',
    ]);
    const a100x4 = { type: POOL, props: { nodeConfig: { machineType: "a2-ultragpu-4g" } } };
    expect(await violationsOf(nodeHourlyPriceCap, a100x4)).toEqual([
      '"subject" uses a2-ultragpu-4g at $20.2752/h on-demand, above the $20/h per-node cap.',
    ]);
  });

  it("accepts allowed flagships, a raised cap, and ordinary GPU nodes", async () => {
    const h100 = {
      type: "aws:ec2/launchTemplate:LaunchTemplate",
      props: { instanceType: "p5.48xlarge" },
    };
    expect(
      await violationsOf(nodeHourlyPriceCap, h100, {
        config: { allowedFlagshipMachineTypes: ["p5.48xlarge"] },
      }),
    ).toEqual([]);
    const a100x4 = { type: POOL, props: { nodeConfig: { machineType: "a2-ultragpu-4g" } } };
    expect(
      await violationsOf(nodeHourlyPriceCap, a100x4, {
        config: { maxOnDemandHourlyUsdPerNode: 25 },
      }),
    ).toEqual([]);
    expect(
      await violationsOf(nodeHourlyPriceCap, {
        type: NODE_GROUP,
        props: { instanceTypes: ["g6.xlarge", "g6.4xlarge"] },
      }),
    ).toEqual([]);
  });
});
