import { Provider } from "@pulumi/kubernetes/provider";
import { kubernetes } from "pulumi-hybridai";
import {
  awaitOutput,
  installMocks,
  settle,
  validateKubernetesObjects,
} from "pulumi-hybridai/testing";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";

const mocks = installMocks();
const RELEASE = "kubernetes:helm.sh/v3:Release";

describe("NvidiaDevicePlugin", () => {
  it("installs the pinned chart only on hybridai GPU nodes, tolerating the GPU taint", async () => {
    const provider = new Provider("eks", { kubeconfig: "{}" });
    const plugin = new kubernetes.NvidiaDevicePlugin("nvidia", { provider });
    await settle();
    const release = mocks.one(RELEASE, "nvidia");
    expect(release.parent).toBe(await awaitOutput(plugin.urn));
    expect(release.provider).toMatch(/::eks::/);
    expect(release.inputs).toMatchObject({
      name: "nvidia",
      namespace: "kube-system",
      chart: "nvidia-device-plugin",
      version: kubernetes.NVIDIA_DEVICE_PLUGIN_CHART.version,
      repositoryOpts: { repo: "https://nvidia.github.io/k8s-device-plugin" },
    });
    expect(release.inputs.version).toMatch(/^\d+\.\d+\.\d+$/);
    const values = release.inputs.values;
    expect(
      values.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms,
    ).toEqual([
      {
        matchExpressions: [
          {
            key: "hybridai.dev/accelerator",
            operator: "In",
            values: [...kubernetes.NVIDIA_GPU_TYPES],
          },
        ],
      },
    ]);
    expect(values.tolerations).toContainEqual({
      key: "nvidia.com/gpu",
      operator: "Exists",
      effect: "NoSchedule",
    });
    expect(parse(values.config.map.default)).toEqual({
      version: "v1",
      flags: { migStrategy: "none" },
    });
    expect(values.migStrategy).toBe("none");
    expect(validateKubernetesObjects([release])).toEqual([
      expect.objectContaining({ kind: "Release", status: "skipped" }),
    ]);
    expect(await awaitOutput(plugin.namespace)).toBe("kube-system");
  });

  it("writes time-slicing replicas and the MIG strategy into the plugin config", async () => {
    new kubernetes.NvidiaDevicePlugin("shared", {
      accelerators: ["nvidia-a100-80gb", "nvidia-h100-80gb"],
      migStrategy: "mixed",
      timeSlicingReplicas: 4,
    });
    await settle();
    const values = mocks.one(RELEASE, "shared").inputs.values;
    expect(values.migStrategy).toBe("mixed");
    expect(parse(values.config.map.default)).toEqual({
      version: "v1",
      flags: { migStrategy: "mixed" },
      sharing: {
        timeSlicing: {
          renameByDefault: false,
          failRequestsGreaterThanOne: true,
          resources: [{ name: "nvidia.com/gpu", replicas: 4 }],
        },
      },
    });
    expect(values.config.default).toBe("default");
    expect(
      values.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution
        .nodeSelectorTerms[0].matchExpressions[0].values,
    ).toEqual(["nvidia-a100-80gb", "nvidia-h100-80gb"]);
  });

  it.each([
    [
      { migStrategy: "single" as const, accelerators: ["nvidia-l4" as const] },
      'NvidiaDevicePlugin: migStrategy = "single" is not valid. Allowed: "none" for nvidia-l4 (no MIG)',
    ],
    [
      { migStrategy: "partial" as never },
      'NvidiaDevicePlugin: migStrategy = "partial" is not valid. Allowed: none, single, mixed.',
    ],
    [
      { timeSlicingReplicas: 1 },
      "NvidiaDevicePlugin: timeSlicingReplicas = 1 is not valid. Allowed: a whole number from 2 to 48.",
    ],
    [
      { accelerators: ["tpu-v5e" as never] },
      'NvidiaDevicePlugin: accelerators[0] = "tpu-v5e" is not valid. Allowed: nvidia-t4',
    ],
    [{ accelerators: [] }, "NvidiaDevicePlugin: accelerators = [] is not valid"],
    [{ chartVersion: "latest" }, 'NvidiaDevicePlugin: chartVersion = "latest" is not valid'],
  ])("rejects %j before registering anything", async (args, message) => {
    const before = mocks.resources.length;
    expect(() => new kubernetes.NvidiaDevicePlugin("bad", args)).toThrow(message);
    await settle();
    expect(mocks.resources.length).toBe(before);
  });

  it("rejects a release name Helm would refuse (more than 53 characters) before registering anything", async () => {
    const before = mocks.resources.length;
    const name = `cluster-${"x".repeat(25)}-nvidia-device-plugin`;
    expect(name).toHaveLength(54);
    expect(() => new kubernetes.NvidiaDevicePlugin(name)).toThrow(
      /NvidiaDevicePlugin: name = "cluster-x+-nvidia-device-plugin" is not valid\. Allowed: a Helm release name: .*at most 53 characters/,
    );
    await settle();
    expect(mocks.resources.length).toBe(before);
  });
});
