import { ConfigMap } from "@pulumi/kubernetes/core/v1";
import { Provider } from "@pulumi/kubernetes/provider";
import * as pulumi from "@pulumi/pulumi";
import { HybridAiConfigError } from "pulumi-hybridai";
import {
  awaitOutput,
  installMocks,
  settle,
  validateKubernetesObjects,
} from "pulumi-hybridai/testing";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { runStack } from "../../stacks/program";
import type { StackSection } from "../../stacks/section";
import { awsSection } from "../../stacks/sections/aws";
import { servingSection } from "../../stacks/sections/serving";
import { loadStackConfig } from "./stack-file";

const mocks = installMocks();

/** A cluster section standing in for aws/gcp: two clusters, one with a model store. */
function fakeClusters(): StackSection<object> {
  return {
    key: "fake",
    summary: "two fake clusters",
    schema: z.strictObject({}),
    deploy(_config, context) {
      const provider = new Provider("eks-prod", { kubeconfig: "{}" });
      // Stand-ins for an L4 spot fleet and the device plugin the aws section would create.
      const fleet = new ConfigMap(
        "eks-prod-l4-fleet",
        { metadata: { name: "fleet" } },
        { provider },
      );
      const plugin = new ConfigMap(
        "eks-prod-plugin",
        { metadata: { name: "plugin" } },
        { provider },
      );
      context.clusters.set("eks-prod", {
        cloud: "aws",
        provider,
        capacity: {
          nodes: { "nvidia-l4": [fleet] },
          devicePlugin: plugin,
          mixedCapacityAccelerators: ["nvidia-l4"],
        },
        modelStore: {
          uriFor: (model) => pulumi.output(`s3://prod-models/models/${model}`),
          reader: {
            namespace: "hybridai",
            serviceAccountName: "model-reader",
            annotations: {
              "eks.amazonaws.com/role-arn": "arn:aws:iam::123456789012:role/prod-reader",
            },
          },
        },
      });
      context.clusters.set("edge", {
        cloud: "edge",
        provider: new Provider("edge", { kubeconfig: "{}" }),
      });
      return {};
    },
  };
}

function config(serving: object): Record<string, string> {
  return { "hybridai:fake": "{}", "hybridai:serving": JSON.stringify(serving) };
}

describe("serving stack section", () => {
  it("deploys services onto the named clusters with the store's URI and reader identity", async () => {
    const outputs = runStack(
      config({
        image: "ghcr.io/example/hybridai-serving-runtime:0.1.0",
        services: [
          {
            name: "ranker",
            cluster: "eks-prod",
            accelerator: { type: "nvidia-l4" },
            spotNotice: "aws",
            terminationGracePeriodSeconds: 90,
          },
          { name: "embedder", cluster: "eks-prod", model: "embedder-v3" },
          { name: "ranker", cluster: "edge", uri: "file:///var/lib/models/ranker", spot: false },
        ],
      }),
      [fakeClusters(), servingSection],
    );
    await settle();
    validateKubernetesObjects(mocks.resources);

    const deployments = mocks.ofType("kubernetes:apps/v1:Deployment");
    const pull = (name: string) =>
      mocks.one("kubernetes:apps/v1:Deployment", name).inputs.spec.template.spec;
    expect(deployments.map((d) => d.name).sort()).toEqual([
      "edge-ranker",
      "eks-prod-embedder",
      "eks-prod-ranker",
    ]);
    expect(pull("eks-prod-ranker").initContainers[0].args).toEqual([
      "pull",
      "--from",
      "s3://prod-models/models/ranker",
      "--to",
      "/models/ranker",
    ]);
    expect(pull("eks-prod-embedder").initContainers[0].args[2]).toBe(
      "s3://prod-models/models/embedder-v3",
    );
    expect(pull("eks-prod-embedder").initContainers[0].args[4]).toBe("/models/embedder-v3");
    expect(pull("edge-ranker").initContainers[0].args[2]).toBe("file:///var/lib/models/ranker");
    expect(pull("eks-prod-ranker").serviceAccountName).toBe("model-reader");
    expect(pull("eks-prod-ranker").containers[0].image).toBe(
      "ghcr.io/example/hybridai-serving-runtime:0.1.0",
    );
    expect(pull("eks-prod-ranker").nodeSelector).toEqual({
      "hybridai.dev/accelerator": "nvidia-l4",
    });

    for (const d of deployments) {
      expect(d.inputs.metadata.name).toBe(d.name.replace(/^(eks-prod|edge)-/, ""));
      expect(d.provider).toMatch(d.name.startsWith("edge") ? /::edge::/ : /::eks-prod::/);
    }

    const accounts = mocks.ofType("kubernetes:core/v1:ServiceAccount");
    expect(accounts.map((a) => a.inputs.metadata)).toEqual(
      expect.arrayContaining([
        {
          name: "model-reader",
          namespace: "hybridai",
          annotations: {
            "eks.amazonaws.com/role-arn": "arn:aws:iam::123456789012:role/prod-reader",
          },
        },
      ]),
    );
    expect(accounts.filter((a) => a.inputs.metadata.name === "model-reader")).toHaveLength(1);

    const namespaces = mocks.ofType("kubernetes:core/v1:Namespace");
    expect(namespaces.map((n) => n.name).sort()).toEqual(["edge-hybridai", "eks-prod-hybridai"]);
    expect(
      mocks.one("kubernetes:core/v1:Namespace", "eks-prod-hybridai").inputs.metadata.labels,
    ).toMatchObject({
      "pod-security.kubernetes.io/enforce": "restricted",
    });
    // The edge service reads its model from a node directory (hostPath): restricted is only warned.
    const edgeLabels = mocks.one("kubernetes:core/v1:Namespace", "edge-hybridai").inputs.metadata
      .labels;
    expect(edgeLabels["pod-security.kubernetes.io/enforce"]).toBeUndefined();
    expect(edgeLabels["pod-security.kubernetes.io/warn"]).toBe("restricted");
    const edgePod = pull("edge-ranker");
    expect(edgePod.volumes).toContainEqual({
      name: "model-source",
      hostPath: { path: "/var/lib/models/ranker", type: "Directory" },
    });
    expect(edgePod.initContainers[0].volumeMounts).toContainEqual({
      name: "model-source",
      mountPath: "/var/lib/models/ranker",
      readOnly: true,
    });
    expect(edgePod.containers[0].volumeMounts.map((m: { name: string }) => m.name)).toEqual([
      "models",
      "tmp",
    ]);
    expect(pull("eks-prod-ranker").volumes.map((v: { name: string }) => v.name)).toEqual([
      "models",
      "tmp",
    ]);

    const edgeNamespace = mocks.one("kubernetes:core/v1:Namespace", "edge-hybridai");
    expect(mocks.one("kubernetes:apps/v1:Deployment", "edge-ranker").dependencies).toContain(
      edgeNamespace.urn,
    );
    const reader = mocks.one("kubernetes:core/v1:ServiceAccount", "eks-prod-model-reader");
    expect(mocks.one("kubernetes:apps/v1:Deployment", "eks-prod-ranker").dependencies).toContain(
      reader.urn,
    );

    // The GPU service's objects wait for the cluster's L4 nodes and device plugin; the CPU one does not.
    const fleet = mocks.one("kubernetes:core/v1:ConfigMap", "eks-prod-l4-fleet").urn;
    const plugin = mocks.one("kubernetes:core/v1:ConfigMap", "eks-prod-plugin").urn;
    const objectsOf = (component: string) =>
      mocks.childrenOf(mocks.one("hybridai:index:OnnxService", component).urn);
    const gpuObjects = objectsOf("eks-prod-ranker");
    expect(gpuObjects).toHaveLength(5);
    for (const object of gpuObjects) {
      expect(object.dependencies).toEqual(expect.arrayContaining([fleet, plugin]));
    }
    expect(objectsOf("eks-prod-embedder").filter((o) => o.dependencies.includes(fleet))).toEqual(
      [],
    );

    const services = outputs.serving.services as Record<string, { url: pulumi.Output<string> }>;
    expect(await awaitOutput(services["eks-prod/ranker"].url)).toBe(
      "http://ranker.hybridai.svc.cluster.local:8000",
    );
    expect(Object.keys(services).sort()).toEqual([
      "edge/ranker",
      "eks-prod/embedder",
      "eks-prod/ranker",
    ]);
  });

  it.each([
    [
      { image: "i:1", services: [{ name: "x", cluster: "gke-eu" }] },
      'serving stack section: hybridai:serving.services[0].cluster = "gke-eu" is not valid. Allowed: a cluster this stack creates: eks-prod, edge.',
    ],
    [
      { image: "i:1", services: [{ name: "x", cluster: "edge" }] },
      'hybridai:serving.services[0].uri = undefined is not valid. Allowed: a model folder URI, because cluster "edge" has no model store.',
    ],
    [
      { image: "i:1", services: [{ name: "x", cluster: "eks-prod", namespace: "other" }] },
      'hybridai:serving.services[0].namespace = "other" is not valid. Allowed: "hybridai", where the model store\'s reader service account lives',
    ],
    [
      {
        image: "i:1",
        services: [{ name: "x", cluster: "eks-prod", replicas: { min: 4, max: 2 } }],
      },
      "serving stack section: hybridai:serving.services[0].replicas.max = 2 is not valid. Allowed: a whole number from replicas.min (4) to 1000.",
    ],
    [
      {
        image: "i:1",
        services: [
          { name: "x", cluster: "edge", uri: "file:///m" },
          { name: "x", cluster: "edge", uri: "file:///n" },
        ],
      },
      'hybridai:serving.services[1].name = "x" is not valid. Allowed: a name not used twice in one namespace of one cluster.',
    ],
    [
      {
        image: "i:1",
        services: [
          { name: "x", cluster: "eks-prod", accelerator: { type: "nvidia-l4" }, spot: false },
        ],
      },
      "serving stack section: hybridai:serving.services[0].spot = false is not valid. Allowed: true for nvidia-l4 on this cluster: its nvidia-l4 nodes come from a spot fleet",
    ],
    [
      {
        image: "i:1",
        services: [{ name: "x", cluster: "eks-prod", accelerator: { type: "nvidia-a10g" } }],
      },
      'hybridai:serving.services[0].accelerator.type = "nvidia-a10g" is not valid. Allowed: an accelerator cluster "eks-prod" has nodes for: nvidia-l4 (its pods would wait forever for a node).',
    ],
  ])("rejects %j before creating any service", async (serving, message) => {
    await settle();
    const deploymentsBefore = mocks.ofType("kubernetes:apps/v1:Deployment").length;
    expect(() => runStack(config(serving), [fakeClusters(), servingSection])).toThrow(
      HybridAiConfigError,
    );
    expect(() => runStack(config(serving), [fakeClusters(), servingSection])).toThrow(message);
    await settle();
    expect(mocks.ofType("kubernetes:apps/v1:Deployment").length).toBe(deploymentsBefore);
  });

  it("validates the config shape with the stack's schema", () => {
    expect(() =>
      runStack(config({ image: "i:1", services: [{ name: "Bad Name", cluster: "edge" }] }), [
        fakeClusters(),
        servingSection,
      ]),
    ).toThrow(
      `stack config: hybridai:serving.services[0].name = "Bad Name" is not valid. Allowed: lowercase letters, digits and '-', starting with a letter.`,
    );
  });

  it("serves from the aws-gpu stack's EKS cluster and S3 model store", async () => {
    mocks.setConfig(loadStackConfig("aws-gpu"));
    const raw = {
      ...pulumi.runtime.allConfig(),
      "hybridai:serving": JSON.stringify({
        image: "ghcr.io/example/hybridai-serving-runtime:0.1.0-cuda",
        services: [
          {
            name: "ranker",
            cluster: "hybridai-gpu",
            accelerator: { type: "nvidia-l4" },
            spotNotice: "aws",
          },
        ],
      }),
    };
    runStack(raw, [awsSection, servingSection]);
    await settle();
    const deployment = mocks.one("kubernetes:apps/v1:Deployment", "hybridai-gpu-ranker");
    validateKubernetesObjects([deployment]);
    const pod = deployment.inputs.spec.template.spec;
    expect(pod.initContainers[0].args[2]).toMatch(/^s3:\/\/[^/]+\/models\/ranker$/);
    expect(pod.serviceAccountName).toBe("model-reader");
    expect(deployment.inputs.metadata.namespace).toBe("hybridai");
    const reader = mocks.one("kubernetes:core/v1:ServiceAccount", "hybridai-gpu-model-reader");
    expect(reader.inputs.metadata.annotations["eks.amazonaws.com/role-arn"]).toMatch(
      /^arn:aws:iam::/,
    );
    expect(deployment.provider).toMatch(/hybridai-gpu/);
    // It waits for the L4 fleet's Auto Scaling group and the device plugin, with a GPU-sized rollout timeout.
    const group = mocks.one("aws:autoscaling/group:Group");
    const plugin = mocks.one("kubernetes:helm.sh/v3:Release", "nvidia-device-plugin");
    expect(deployment.dependencies).toEqual(expect.arrayContaining([group.urn, plugin.urn]));
    expect(deployment.options.customTimeouts).toMatchObject({ create: "30m", update: "30m" });
  });

  it("refuses a spot: false GPU service on the aws-gpu stack's spot fleet before creating anything", async () => {
    mocks.setConfig(loadStackConfig("aws-gpu"));
    await settle();
    const before = mocks.resources.length;
    const raw = {
      ...pulumi.runtime.allConfig(),
      "hybridai:serving": JSON.stringify({
        image: "ghcr.io/example/hybridai-serving-runtime:0.1.0-cuda",
        services: [
          {
            name: "ranker",
            cluster: "hybridai-gpu",
            accelerator: { type: "nvidia-l4" },
            spot: false,
          },
        ],
      }),
    };
    expect(() => runStack(raw, [awsSection, servingSection])).toThrow(
      /^serving stack section: hybridai:serving\.services\[0\]\.spot = false is not valid\. Allowed: true for nvidia-l4 on this cluster/,
    );
    await settle();
    expect(mocks.resources.length).toBe(before);
  });
});
