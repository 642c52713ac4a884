import { aws } from "pulumi-hybridai";
import { installMocks, settle } from "pulumi-hybridai/testing";
import { describe, expect, it } from "vitest";
import { expectFailedWith, runCollectingErrors } from "./program-errors";

const { EksCluster, GpuNodeGroup, SpotFleet } = aws;

/** A healthy cluster as EKS reports it, changed per case. */
function clusterFacts(name: string, change: Record<string, unknown> = {}) {
  return {
    name,
    version: "1.33",
    endpoint: `https://${name.toUpperCase()}.gr7.us-west-2.eks.amazonaws.com`,
    certificateAuthorities: [{ data: "Q0E=" }],
    identities: [{ oidcs: [{ issuer: `https://oidc.eks.us-west-2.amazonaws.com/id/${name}` }] }],
    vpcConfig: { clusterSecurityGroupId: "sg-0cluster", subnetIds: ["subnet-0a", "subnet-0b"] },
    kubernetesNetworkConfigs: [{ ipFamily: "ipv4", serviceIpv4Cidr: "172.20.0.0/16" }],
    accessConfigs: [{ authenticationMode: "API" }],
    ...change,
  };
}

const CLUSTERS: Record<string, ReturnType<typeof clusterFacts>> = {
  legacy: clusterFacts("legacy", { accessConfigs: [{ authenticationMode: "CONFIG_MAP" }] }),
  "dual-stack": clusterFacts("dual-stack", {
    kubernetesNetworkConfigs: [{ ipFamily: "ipv6", serviceIpv4Cidr: "" }],
  }),
  "public-only": clusterFacts("public-only"),
  old: clusterFacts("old", { version: "1.29" }),
};

const mocks = installMocks({
  calls: ({ token, inputs }) => {
    if (token === "aws:eks/getCluster:getCluster") return CLUSTERS[String(inputs.name)];
    const filters = (inputs.filters ?? []) as { name: string; values: string[] }[];
    if (token === "aws:ec2/getSubnets:getSubnets") {
      const ofCluster = filters.find((f) => f.name === "subnet-id")?.values ?? [];
      // No subnet of "public-only" carries the private tag; the others' all do.
      const tagged = ofCluster.includes("subnet-0public") ? [] : ofCluster;
      return { id: "subnets", ids: tagged };
    }
    return undefined;
  },
});
CLUSTERS["public-only"].vpcConfig.subnetIds = ["subnet-0public", "subnet-0public2"];

const L4 = { accelerator: { type: "nvidia-l4" as const }, capacity: { min: 0, max: 2 } };

describe("aws.EksCluster.get refuses settings that cannot work, before looking anything up", () => {
  const refusals: [string, aws.ExistingEksClusterArgs, string][] = [
    [
      "naming the OIDC provider and creating it",
      {
        clusterName: "prod",
        createOidcProvider: true,
        oidcProviderArn:
          "arn:aws:iam::123456789012:oidc-provider/oidc.eks.us-west-2.amazonaws.com/id/ABC",
      },
      "AwsExistingEksCluster: createOidcProvider = true is not valid. Allowed: false when oidcProviderArn is given: IAM holds one OIDC provider per issuer URL, so either name the existing one or create it, not both.",
    ],
    [
      "an empty subnet list",
      { clusterName: "prod", subnetIds: [] },
      "AwsExistingEksCluster: subnetIds = [] is not valid. Allowed: a non-empty list of private subnets with NAT egress, or leave it out to use the cluster's subnets tagged kubernetes.io/role/internal-elb.",
    ],
    [
      "a name EKS would not accept",
      { clusterName: "-prod" },
      `AwsExistingEksCluster: clusterName = "-prod" is not valid. Allowed: the name of an existing EKS cluster: a letter or digit, then letters, digits, '-' or '_', at most 100 characters.`,
    ],
    [
      "cluster-autoscaler for a version it has no image for",
      { clusterName: "prod", installClusterAutoscaler: true, kubernetesVersion: "1.29" },
      `AwsExistingEksCluster: kubernetesVersion = "1.29" is not valid. Allowed: 1.31, 1.32, 1.33, 1.34 with installClusterAutoscaler (the autoscaler image must match the control plane); leave installClusterAutoscaler off and run your own cluster-autoscaler on other versions.`,
    ],
    [
      "a node role that is not a role ARN",
      { clusterName: "prod", nodeRoleArn: "eks-nodes" },
      `AwsExistingEksCluster: nodeRoleArn = "eks-nodes" is not valid. Allowed: an IAM role ARN such as arn:aws:iam::123456789012:role/eks-nodes.`,
    ],
  ];
  for (const [what, args, message] of refusals) {
    it(`refuses ${what}`, async () => {
      await settle();
      const before = mocks.resources.length;
      const lookups = mocks.calls.length;
      expect(() => EksCluster.get("ref", args)).toThrow(message);
      await settle();
      expect(mocks.resources).toHaveLength(before);
      expect(mocks.calls).toHaveLength(lookups);
    });
  }

  it("refuses a cluster argument that is neither an EksCluster nor a lookup", () => {
    expect(
      () =>
        new GpuNodeGroup("l4", {
          ...L4,
          cluster: { name: "prod" } as unknown as aws.EksClusterRef,
        }),
    ).toThrow(
      `AwsGpuNodeGroup: cluster = {"name":"prod"} is not valid. Allowed: an aws.EksCluster, or an existing cluster from aws.EksCluster.get(name, { clusterName }).`,
    );
  });
});

describe("what EKS reports about an existing cluster fails the preview, naming the fix", () => {
  it("a spot fleet on a CONFIG_MAP cluster: its nodes could not get an access entry", async () => {
    const errors = await runCollectingErrors(() => {
      const cluster = EksCluster.get("legacy", { clusterName: "legacy" });
      new SpotFleet("a10g", { ...L4, accelerator: { type: "nvidia-a10g" }, cluster });
    });
    expectFailedWith(
      errors,
      'AwsSpotFleet: cluster.authenticationMode = "CONFIG_MAP" is not valid. Allowed: API or API_AND_CONFIG_MAP: self-managed nodes join through an EC2_LINUX access entry, which EKS refuses in CONFIG_MAP mode. Switch with `aws eks update-cluster-config --name legacy --access-config authenticationMode=API_AND_CONFIG_MAP` (aws-auth mappings keep working), or use aws.GpuNodeGroup, whose managed node groups EKS maps itself.',
    );
    expect(mocks.ofType("aws:eks/accessEntry:AccessEntry")).toEqual([]);
    expect(mocks.ofType("aws:autoscaling/group:Group")).toEqual([]);
  });

  it("while a managed node group joins the same CONFIG_MAP cluster (EKS maps its role)", async () => {
    const errors = await runCollectingErrors(() => {
      const cluster = EksCluster.get("legacy-managed", { clusterName: "legacy" });
      new GpuNodeGroup("legacy-l4", { ...L4, cluster });
    });
    expect(errors).toEqual([]);
    const group = mocks.one("aws:eks/nodeGroup:NodeGroup", "legacy-l4-on-demand");
    expect(group.inputs.clusterName).toBe("legacy");
  });

  it("a spot fleet on an IPv6 cluster: its kubelet takes an IPv4 service CIDR", async () => {
    const errors = await runCollectingErrors(() => {
      const cluster = EksCluster.get("dual-stack", { clusterName: "dual-stack" });
      new SpotFleet("v6", { ...L4, cluster });
    });
    expectFailedWith(
      errors,
      'AwsSpotFleet: cluster.serviceIpv4Cidr = "" is not valid. Allowed: an IPv4 network CIDR such as 172.20.0.0/16: spot fleets join IPv4 clusters only (an IPv6 cluster reports none); use aws.GpuNodeGroup on IPv6 clusters.',
    );
  });

  it("a cluster none of whose subnets is tagged private, without subnetIds", async () => {
    const errors = await runCollectingErrors(() => {
      const cluster = EksCluster.get("public-only", { clusterName: "public-only" });
      new GpuNodeGroup("pub-l4", { ...L4, cluster });
    });
    expectFailedWith(
      errors,
      'AwsExistingEksCluster: vpcConfig.subnetIds = ["subnet-0public","subnet-0public2"] is not valid. Allowed: at least one subnet tagged kubernetes.io/role/internal-elb (the EKS convention for private subnets) to put the nodes in; or pass subnetIds: private subnets with NAT egress in the cluster\'s VPC.',
    );
    expect(mocks.ofType("aws:eks/nodeGroup:NodeGroup").map((g) => g.name)).not.toContain(
      "pub-l4-on-demand",
    );
  });

  it("cluster-autoscaler on a control plane version it has no image for", async () => {
    const errors = await runCollectingErrors(() => {
      EksCluster.get("old", { clusterName: "old", installClusterAutoscaler: true });
    });
    expectFailedWith(
      errors,
      'AwsExistingEksCluster: kubernetesVersion = "1.29" is not valid. Allowed: 1.31, 1.32, 1.33, 1.34 with installClusterAutoscaler (the autoscaler image must match the control plane); leave installClusterAutoscaler off and run your own cluster-autoscaler on other versions.',
    );
  });
});
