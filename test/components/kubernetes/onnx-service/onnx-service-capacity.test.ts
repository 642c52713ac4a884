import { ConfigMap } from "@pulumi/kubernetes/core/v1";
import { Provider } from "@pulumi/kubernetes/provider";
import { HybridAiConfigError, kubernetes } from "pulumi-hybridai";
import { awaitOutput, installMocks, settle } from "pulumi-hybridai/testing";
import { describe, expect, it } from "vitest";

const mocks = installMocks();

const { OnnxService, planOnnxService } = kubernetes;

const provider = new Provider("cluster", { kubeconfig: "{}" });
// Stand-ins for what a cluster section creates: GPU nodes and the device plugin.
const nodes = new ConfigMap("gpu-nodes", { metadata: { name: "gpu-nodes" } }, { provider });
const plugin = new ConfigMap("device-plugin", { metadata: { name: "plugin" } }, { provider });

async function objectsOf(component: InstanceType<typeof OnnxService>) {
  await settle();
  const urn = await awaitOutput(component.urn);
  return mocks.resources.filter((r) => r.parent === urn);
}

describe("OnnxService waits for the capacity its pods need", () => {
  it("makes every object of a GPU service wait for the GPU nodes and the device plugin", async () => {
    const service = new OnnxService("ranker", {
      provider,
      model: { uri: "s3://models/ranker" },
      accelerator: { type: "nvidia-l4" },
      capacity: { waitFor: [nodes, plugin] },
      canary: {
        uri: "s3://models/ranker-v2",
        weight: 10,
        gateway: { name: "inference" },
      },
    });
    const objects = await objectsOf(service);
    expect(objects).toHaveLength(9);
    const targets = [await awaitOutput(nodes.urn), await awaitOutput(plugin.urn)];
    for (const object of objects) {
      expect(object.dependencies, `${object.type} ${object.name}`).toEqual(
        expect.arrayContaining(targets),
      );
    }
  });

  it("gives a GPU Deployment's rollout 30 minutes: a node from zero, its driver and a CUDA image", async () => {
    const service = new OnnxService("embedder", {
      provider,
      model: { uri: "s3://models/embedder" },
      accelerator: { type: "nvidia-l4" },
    });
    const deployments = (await objectsOf(service)).filter(
      (o) => o.type === "kubernetes:apps/v1:Deployment",
    );
    expect(deployments).toHaveLength(1);
    expect(deployments[0]?.options.customTimeouts).toEqual({
      create: "30m",
      update: "30m",
      delete: "",
    });
  });

  it("gives every Service selecting a GPU service's pods the Deployment's 30 minutes: the provider awaits their endpoints", async () => {
    const service = new OnnxService("scorer", {
      provider,
      model: { uri: "s3://models/scorer" },
      accelerator: { type: "nvidia-l4" },
      auth: { secretName: "scorer-token" },
      canary: { uri: "s3://models/scorer-v2", weight: 10, gateway: { name: "inference" } },
      exposure: {
        loadBalancer: "aws-nlb",
        sourceRanges: ["203.0.113.0/24"],
        tls: { certificateArn: "arn:aws:acm:us-west-2:123456789012:certificate/abc" },
        vpcCidrs: ["10.40.0.0/16"],
      },
    });
    const services = (await objectsOf(service)).filter(
      (o) => o.type === "kubernetes:core/v1:Service",
    );
    expect(services.map((s) => s.name).sort()).toEqual([
      "scorer",
      "scorer-canary",
      "scorer-public",
    ]);
    for (const object of services) {
      expect(object.options.customTimeouts, object.name).toEqual({
        create: "30m",
        update: "30m",
        delete: "",
      });
    }
  });

  it("leaves a CPU Deployment on the provider's default timeout unless told", async () => {
    const cpu = await objectsOf(
      new OnnxService("cpu", { provider, model: { uri: "s3://models/cpu" } }),
    );
    const told = await objectsOf(
      new OnnxService("told", {
        provider,
        model: { uri: "s3://models/told" },
        rolloutTimeoutMinutes: 15,
      }),
    );
    const timeouts = [cpu, told].map((objects) =>
      ["Deployment", "Service"].map(
        (kind) => objects.find((o) => o.type.endsWith(`:${kind}`))?.options.customTimeouts,
      ),
    );
    expect(timeouts).toEqual([
      [
        { create: "", update: "", delete: "" },
        { create: "", update: "", delete: "" },
      ],
      [
        { create: "15m", update: "15m", delete: "" },
        { create: "15m", update: "15m", delete: "" },
      ],
    ]);
  });
});

describe("planOnnxService: spot: false on a spot fleet", () => {
  const base = {
    model: { uri: "s3://models/ranker" },
    accelerator: { type: "nvidia-l4" as const },
  };

  it("rejects an on-demand-only GPU service whose GPUs come from a fleet mixing spot and on-demand", () => {
    let error: unknown;
    try {
      planOnnxService("ranker", {
        ...base,
        spot: false,
        capacity: { waitFor: [], mixedCapacityAccelerators: ["nvidia-l4"] },
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(HybridAiConfigError);
    expect((error as HybridAiConfigError).field).toBe("spot");
    expect((error as Error).message).toMatch(
      /OnnxService: spot = false is not valid\. Allowed: true for nvidia-l4 on this cluster: .*spot fleet.*scale-from-zero template cannot promise an on-demand node.*add and remove nodes forever.*GpuNodeGroup/,
    );
  });

  it("accepts it where the GPU's nodes have a fixed capacity type, and spot services on a fleet", () => {
    expect(() =>
      planOnnxService("ranker", {
        ...base,
        spot: false,
        capacity: { waitFor: [], mixedCapacityAccelerators: ["nvidia-a10g"] },
      }),
    ).not.toThrow();
    expect(() =>
      planOnnxService("ranker", {
        ...base,
        capacity: { waitFor: [], mixedCapacityAccelerators: ["nvidia-l4"] },
      }),
    ).not.toThrow();
  });

  it("rejects a rollout timeout outside 1–180 minutes", () => {
    expect(() => planOnnxService("ranker", { ...base, rolloutTimeoutMinutes: 0 })).toThrow(
      /OnnxService: rolloutTimeoutMinutes = 0 is not valid\. Allowed: a whole number from 1 to 180/,
    );
  });
});
