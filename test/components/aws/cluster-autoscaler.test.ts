import { aws, HybridAiConfigError } from "pulumi-hybridai";
import { validateKubernetesObject } from "pulumi-hybridai/testing";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { podFromHelmValues } from "./iam-assertions";

const {
  CLUSTER_AUTOSCALER_IMAGE_TAGS,
  clusterAutoscalerValues,
  EKS_VERSIONS,
  priorityExpanderConfig,
} = aws;

/**
 * What cluster-autoscaler's priority expander does with the YAML it reads
 * (cluster-autoscaler/expander/priority): among the priorities with at least one node group whose
 * name a pattern matches (anywhere in the name), the highest number wins; its matching groups are
 * handed to the next expander. Written here from the autoscaler's documented behaviour, not from
 * the code under test.
 */
function expanderChoice(yamlText: string, groups: string[]): string[] {
  const tiers = Object.entries(parse(yamlText) as Record<string, string[]>)
    .map(([priority, patterns]) => ({
      priority: Number(priority),
      matching: groups.filter((group) =>
        patterns.some((pattern) => new RegExp(pattern).test(group)),
      ),
    }))
    .filter((tier) => tier.matching.length > 0)
    .sort((a, b) => b.priority - a.priority);
  return tiers[0]?.matching ?? [];
}

// Auto Scaling group names as they appear in a cluster: EKS names a managed node group's ASG
// `eks-<node group>-<uuid>`; aws.SpotFleet names its own `hybridai-fleet-…`.
const FLEET = "hybridai-fleet-prod-l4";
const SPOT_GROUP = "eks-l4-spot-0ac8e1f2-5b3c-4bb8-8e0d-3f0b7c1e2a11";
const ON_DEMAND_GROUP = "eks-l4-on-demand-7d1e33a0-2b4f-4c1e-9a51-6c2f0e8b9d22";
const SYSTEM_GROUP = "eks-prod-system-1b2c3d4e-0000-4000-8000-000000000000";

describe("cluster-autoscaler values", () => {
  it("writes the priority expander's tiers as integer-keyed YAML", () => {
    expect(parse(priorityExpanderConfig())).toEqual({
      30: ["^hybridai-fleet-.*"],
      20: ["^eks-.*-spot-.*"],
      10: [".*"],
    });
  });

  it("scales spot fleets first, then spot node groups, and on-demand only when nothing else fits", () => {
    const config = priorityExpanderConfig();
    expect(expanderChoice(config, [ON_DEMAND_GROUP, SYSTEM_GROUP, SPOT_GROUP, FLEET])).toEqual([
      FLEET,
    ]);
    expect(expanderChoice(config, [ON_DEMAND_GROUP, SYSTEM_GROUP, SPOT_GROUP])).toEqual([
      SPOT_GROUP,
    ]);
    expect(expanderChoice(config, [ON_DEMAND_GROUP, SYSTEM_GROUP])).toEqual([
      ON_DEMAND_GROUP,
      SYSTEM_GROUP,
    ]);
  });

  it("matches the control plane version and has schema-valid Kubernetes pieces", () => {
    const values = clusterAutoscalerValues({
      clusterName: "prod",
      version: "1.32",
      region: "us-west-2",
      roleArn: "arn:aws:iam::1:role/ca",
      systemNodeGroupName: "prod-system",
    });
    expect(values.image).toEqual({ tag: "v1.32.0" });
    expect(validateKubernetesObject(podFromHelmValues(values, "cluster-autoscaler")).status).toBe(
      "validated",
    );
  });

  it("has an autoscaler image for every supported Kubernetes version, and refuses others", () => {
    expect(Object.keys(CLUSTER_AUTOSCALER_IMAGE_TAGS)).toEqual([...EKS_VERSIONS]);
    expect(() =>
      clusterAutoscalerValues({
        clusterName: "c",
        version: "1.29",
        region: "r",
        roleArn: "a",
        systemNodeGroupName: "s",
      }),
    ).toThrow(HybridAiConfigError);
  });
});
