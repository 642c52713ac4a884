import * as eks from "@pulumi/aws/eks";
import { awaitOutput, installMocks, settle } from "pulumi-hybridai/testing";
import { describe, expect, it } from "vitest";

const recorder = installMocks({
  preview: true,
  outputs: (args) =>
    args.type === "aws:eks/cluster:Cluster" ? { endpoint: undefined, arn: undefined } : undefined,
});

describe("installMocks in preview", () => {
  it("rejects awaitOutput clearly for an output the mocks did not return", async () => {
    const cluster = new eks.Cluster("preview", {
      roleArn: "arn:aws:iam::123456789012:role/x",
      vpcConfig: { subnetIds: [] },
    });
    await settle();
    expect(recorder.one("aws:eks/cluster:Cluster").inputs.roleArn).toBe(
      "arn:aws:iam::123456789012:role/x",
    );
    await expect(awaitOutput(cluster.endpoint)).rejects.toThrow(/unknown: under preview/);
    expect(await awaitOutput(cluster.roleArn)).toBe("arn:aws:iam::123456789012:role/x");
  });

  it("is idempotent within a file", () => {
    expect(installMocks()).toBe(recorder);
  });
});
