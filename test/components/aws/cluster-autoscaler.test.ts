import { aws, HybridAiConfigError } from "pulumi-hybridai";
import { validateKubernetesObject } from "pulumi-hybridai/testing";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { podFromHelmValues } from "./iam-assertions";

const {
  CLUSTER_AUTOSCALER_IMAGE_TAGS,
  clusterAutoscalerValues,
  EKS_VERSIONS,
  EXPANDER_PRIORITIES,
  priorityExpanderConfig,
} = aws;

describe("cluster-autoscaler values", () => {
  it("prefers spot fleets, then spot node groups, then on-demand, as integer-keyed YAML", () => {
    expect(parse(priorityExpanderConfig())).toEqual(
      Object.fromEntries(EXPANDER_PRIORITIES.map(([priority, pattern]) => [priority, [pattern]])),
    );
    expect(Object.keys(parse(priorityExpanderConfig()))).toEqual(["10", "20", "30"]);
    const fleet = new RegExp(EXPANDER_PRIORITIES[0][1]);
    const spotGroup = new RegExp(EXPANDER_PRIORITIES[1][1]);
    expect(fleet.test("hybridai-fleet-l4")).toBe(true);
    expect(spotGroup.test("eks-l4-spot-0ac8e1f2-5b3c-4bb8-8e0d-3f0b7c1e2a11")).toBe(true);
    expect(spotGroup.test("eks-l4-on-demand-0ac8e1f2-5b3c-4bb8-8e0d-3f0b7c1e2a11")).toBe(false);
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
