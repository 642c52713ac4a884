import { aws, HybridAiConfigError } from "pulumi-hybridai";
import { installMocks, settle, validateKubernetesObjects } from "pulumi-hybridai/testing";
import { describe, expect, it } from "vitest";

/** A public endpoint limited to a documentation range: how `pulumi up` reaches the API. */
const REACHABLE = { publicAccess: true, publicAccessCidrs: ["203.0.113.0/24"] };

const { EksCluster, GpuNodeGroup } = aws;

const mocks = installMocks();

describe("aws.GpuNodeGroup", () => {
  it("turns the cloud-neutral spec into on-demand and spot managed node groups with a hardened launch template", async () => {
    mocks.reset();
    const cluster = new EksCluster("prod", { clusterAutoscaler: false, endpoint: REACHABLE });
    const pool = new GpuNodeGroup("l4", {
      cluster,
      accelerator: { type: "nvidia-l4", count: 1 },
      capacity: { min: 1, max: 8, spot: { onDemandBase: 1 } },
    });
    await settle();

    const groups = mocks
      .ofType("aws:eks/nodeGroup:NodeGroup")
      .filter((g) => g.name.startsWith("l4-"));
    expect(
      groups.map((g) => [g.inputs.nodeGroupName, g.inputs.capacityType, g.inputs.scalingConfig]),
    ).toEqual([
      ["l4-on-demand", "ON_DEMAND", { minSize: 1, maxSize: 1, desiredSize: 1 }],
      ["l4-spot", "SPOT", { minSize: 0, maxSize: 7, desiredSize: 0 }],
    ]);
    const template = mocks.one("aws:ec2/launchTemplate:LaunchTemplate", "l4");
    for (const group of groups) {
      expect(group.inputs).toMatchObject({
        clusterName: "prod",
        amiType: "AL2023_x86_64_NVIDIA",
        instanceTypes: ["g6.xlarge", "g6.2xlarge", "g6.4xlarge"],
        taints: [{ key: "nvidia.com/gpu", value: "present", effect: "NO_SCHEDULE" }],
        launchTemplate: { id: template.id, version: "1" },
      });
      expect(group.inputs.labels["hybridai.dev/accelerator"]).toBe("nvidia-l4");
      expect(group.inputs.nodeRoleArn).toBe(mocks.one("aws:iam/role:Role", "prod-node").state.arn);
      expect(group.inputs.diskSize).toBeUndefined();
      expect(group.parent).toBe(mocks.one("hybridai:index:AwsGpuNodeGroup").urn);
    }
    expect(groups.map((g) => g.inputs.labels["hybridai.dev/capacity-type"])).toEqual([
      "on-demand",
      "spot",
    ]);
    expect(template.inputs.metadataOptions).toMatchObject({
      httpTokens: "required",
      httpPutResponseHopLimit: 1,
    });
    expect(template.inputs.blockDeviceMappings[0].ebs).toMatchObject({
      volumeType: "gp3",
      encrypted: "true",
      volumeSize: 100,
    });
    expect(template.inputs.imageId).toBeUndefined();
    expect(pool.nodeGroupNames).toEqual(["l4-on-demand", "l4-spot"]);
    expect(validateKubernetesObjects(mocks.resources)).toEqual([]);
    // Nodes start once the VPC CNI (with NetworkPolicy) and kube-proxy add-ons and the NAT routes exist.
    const network = [
      ...mocks
        .ofType("aws:eks/addon:Addon")
        .filter((a) => ["vpc-cni", "kube-proxy"].includes(a.inputs.addonName)),
      ...mocks
        .ofType("aws:ec2/routeTableAssociation:RouteTableAssociation")
        .filter((a) => a.name.includes("private")),
    ].map((r) => r.urn);
    expect(network).toHaveLength(5);
    for (const group of groups) expect(group.dependencies).toEqual(expect.arrayContaining(network));
  });

  it("uses the Neuron AMI type and taint for Inferentia", async () => {
    mocks.reset();
    const cluster = new EksCluster("inf", { clusterAutoscaler: false, endpoint: REACHABLE });
    new GpuNodeGroup("inf2", {
      cluster,
      accelerator: { type: "aws-inferentia2" },
      capacity: { min: 0, max: 2 },
    });
    await settle();
    const group = mocks.one("aws:eks/nodeGroup:NodeGroup", "inf2-on-demand").inputs;
    expect(group.amiType).toBe("AL2023_x86_64_NEURON");
    expect(group.instanceTypes).toEqual(["inf2.xlarge"]);
    expect(group.taints).toEqual([
      { key: "aws.amazon.com/neuron", value: "present", effect: "NO_SCHEDULE" },
    ]);
  });

  it("rejects an invalid spec before registering the component or any child", async () => {
    mocks.reset();
    const cluster = new EksCluster("bad", { clusterAutoscaler: false, endpoint: REACHABLE });
    await settle();
    const before = mocks.resources.length;
    expect(
      () =>
        new GpuNodeGroup("h100", {
          cluster,
          accelerator: { type: "nvidia-h100-80gb", count: 2 },
          capacity: { min: 0, max: 1 },
        }),
    ).toThrow(
      /AwsGpuNodeGroup: accelerator.count = 2 is not valid. Allowed: for nvidia-h100-80gb on aws: 8/,
    );
    await settle();
    expect(mocks.resources).toHaveLength(before);
    expect(mocks.ofType("hybridai:index:AwsGpuNodeGroup")).toHaveLength(0);
    expect(
      () =>
        new GpuNodeGroup("x", {
          cluster,
          accelerator: { type: "nvidia-l4" },
          capacity: { min: 2, max: 1 },
        }),
    ).toThrow(HybridAiConfigError);
  });
});
