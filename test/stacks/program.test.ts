import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { installMocks, settle } from "pulumi-hybridai/testing";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { runStack } from "../../stacks/program";
import type { StackSection } from "../../stacks/section";

const mocks = installMocks();

const clusterSection: StackSection<{ name: string }> = {
  key: "cluster",
  summary: "a cluster",
  schema: z.strictObject({ name: z.string().min(1) }),
  deploy: (config, context) => {
    const provider = new k8s.Provider(config.name, { kubeconfig: "{}" });
    context.clusters.set(config.name, { cloud: "edge", provider });
    return { clusterName: config.name };
  },
};

const appSection: StackSection<{ cluster: string; namespace: string }> = {
  key: "app",
  summary: "an app",
  schema: z.strictObject({ cluster: z.string(), namespace: z.string() }),
  deploy: (config, context) => {
    const cluster = context.clusters.get(config.cluster);
    if (!cluster) throw new Error(`no cluster ${config.cluster}`);
    const ns = new k8s.core.v1.Namespace(
      config.namespace,
      { metadata: { name: config.namespace } },
      { provider: cluster.provider },
    );
    return { namespace: ns.metadata.name };
  },
};

const SECTIONS = [clusterSection, appSection] as StackSection<unknown>[];

describe("runStack", () => {
  it("deploys sections in order, sharing clusters, and returns each section's outputs", async () => {
    mocks.reset();
    mocks.setConfig({
      "hybridai:cluster": { name: "edge-1" },
      "hybridai:app": { cluster: "edge-1", namespace: "ml" },
    });
    const outputs = runStack(pulumi.runtime.allConfig(), SECTIONS);
    await settle();
    expect(outputs.cluster).toEqual({ clusterName: "edge-1" });
    expect(mocks.one("kubernetes:core/v1:Namespace", "ml").provider).toContain("edge-1");
  });

  it("creates nothing when any section is invalid", async () => {
    mocks.reset();
    mocks.setConfig({
      "hybridai:cluster": { name: "edge-2" },
      "hybridai:app": { cluster: "edge-2" },
    });
    expect(() => runStack(pulumi.runtime.allConfig(), SECTIONS)).toThrow(/hybridai:app\.namespace/);
    await settle();
    expect(mocks.resources).toEqual([]);
  });
});
