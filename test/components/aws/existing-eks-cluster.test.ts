import { aws } from "pulumi-hybridai";
import {
  awaitOutput,
  installMocks,
  MOCK_AWS_ACCOUNT_ID,
  settle,
  validateKubernetesObject,
  validateKubernetesObjects,
} from "pulumi-hybridai/testing";
import { beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { attachedManagedPolicies, irsaRole, podFromHelmValues } from "./iam-assertions";

const { EksCluster, GpuNodeGroup, ModelStore, SpotFleet } = aws;

/** What EKS reports for the platform team's cluster (`aws eks describe-cluster`). */
const PLATFORM = {
  name: "platform-prod",
  version: "1.32",
  endpoint: "https://PLATFORM0123.gr7.us-west-2.eks.amazonaws.com",
  certificateAuthorities: [{ data: "UExBVEZPUk0gQ0E=" }],
  identities: [{ oidcs: [{ issuer: "https://oidc.eks.us-west-2.amazonaws.com/id/PLATFORM0123" }] }],
  vpcConfig: {
    clusterSecurityGroupId: "sg-0platform000000001",
    subnetIds: ["subnet-0public00000001", "subnet-0private0000001", "subnet-0private0000002"],
    vpcId: "vpc-0platform00000001",
  },
  kubernetesNetworkConfigs: [{ ipFamily: "ipv4", serviceIpv4Cidr: "10.100.0.0/16" }],
  accessConfigs: [{ authenticationMode: "API_AND_CONFIG_MAP" }],
};
/** The two of its subnets tagged kubernetes.io/role/internal-elb, in EC2's (unsorted) order. */
const TAGGED_PRIVATE = ["subnet-0private0000002", "subnet-0private0000001"];
const OIDC_PROVIDER_ARN = `arn:aws:iam::${MOCK_AWS_ACCOUNT_ID}:oidc-provider/oidc.eks.us-west-2.amazonaws.com/id/PLATFORM0123`;

const mocks = installMocks({
  calls: ({ token, inputs }) => {
    if (token === "aws:eks/getCluster:getCluster" && inputs.name === PLATFORM.name) {
      return PLATFORM;
    }
    const tagFilter = (inputs.filters as { name: string; values: string[] }[] | undefined)?.find(
      (f) => f.name === "tag-key",
    );
    if (token === "aws:ec2/getSubnets:getSubnets" && tagFilter) {
      return { id: "tagged", ids: TAGGED_PRIVATE };
    }
    return undefined;
  },
});

let cluster: aws.ExistingEksCluster;

beforeAll(async () => {
  cluster = EksCluster.get("platform", {
    clusterName: "platform-prod",
    systemNodeGroupName: "platform-system",
  });
  new GpuNodeGroup("l4", {
    cluster,
    accelerator: { type: "nvidia-l4" },
    capacity: { min: 0, max: 4 },
  });
  const fleet = new SpotFleet("a10g", {
    cluster,
    accelerator: { type: "nvidia-a10g" },
    capacity: { min: 1, max: 6, spot: { onDemandBase: 1 } },
  });
  const store = new ModelStore("models", { cluster });
  await awaitOutput(fleet.terminationHandlerRoleArn);
  await awaitOutput(store.readerRoleArn);
  await settle();
});

describe("aws.EksCluster.get: an existing cluster", () => {
  it("reads the cluster from EKS and creates none of its cluster-wide parts", () => {
    const lookups = mocks.calls.filter((c) => c.token === "aws:eks/getCluster:getCluster");
    expect(lookups.map((c) => c.inputs.name)).toEqual(["platform-prod"]);
    expect(mocks.one("hybridai:index:AwsExistingEksCluster").name).toBe("platform");
    for (const type of [
      "aws:eks/cluster:Cluster",
      "aws:iam/openIdConnectProvider:OpenIdConnectProvider",
      "aws:eks/addon:Addon",
      "aws:ec2/vpc:Vpc",
      "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
    ]) {
      expect(mocks.ofType(type), type).toEqual([]);
    }
    // No cluster-autoscaler unless asked: the only Helm release is the fleet's own handler.
    expect(mocks.ofType("kubernetes:helm.sh/v3:Release").map((r) => r.inputs.name)).toEqual([
      "nth-a10g",
    ]);
  });

  it("joins managed node groups with the cluster's name, its private subnets and a new node role", () => {
    const subnetLookup = mocks.calls.find((c) => c.token === "aws:ec2/getSubnets:getSubnets");
    expect(subnetLookup?.inputs.filters).toEqual([
      { name: "subnet-id", values: PLATFORM.vpcConfig.subnetIds },
      { name: "tag-key", values: ["kubernetes.io/role/internal-elb"] },
    ]);
    const role = mocks.one("aws:iam/role:Role", "platform-node");
    expect(role.inputs.namePrefix).toBe("platform-prod-node-");
    expect(attachedManagedPolicies(mocks, "platform-node")).toEqual([
      "AmazonEC2ContainerRegistryReadOnly",
      "AmazonEKSWorkerNodePolicy",
      "AmazonEKS_CNI_Policy",
    ]);
    const groups = mocks.ofType("aws:eks/nodeGroup:NodeGroup");
    expect(groups.map((g) => g.inputs.nodeGroupName)).toEqual(["l4-on-demand"]);
    expect(groups[0].inputs).toMatchObject({
      clusterName: "platform-prod",
      subnetIds: ["subnet-0private0000001", "subnet-0private0000002"],
      nodeRoleArn: role.state.arn,
      amiType: "AL2023_x86_64_NVIDIA",
    });
    // EKS maps a managed node group's role itself: the only access entry is the fleet's.
    const entries = mocks.ofType("aws:eks/accessEntry:AccessEntry");
    expect(entries.map((e) => e.name)).toEqual(["a10g-node"]);
  });

  it("joins fleet nodes through an EC2_LINUX access entry, in the cluster security group, on the control plane's AMI", () => {
    const fleetRole = mocks.one("aws:iam/role:Role", "a10g-node");
    expect(mocks.one("aws:eks/accessEntry:AccessEntry").inputs).toEqual({
      clusterName: "platform-prod",
      principalArn: fleetRole.state.arn,
      type: "EC2_LINUX",
    });
    const template = mocks.one("aws:ec2/launchTemplate:LaunchTemplate", "a10g").inputs;
    expect(template.vpcSecurityGroupIds).toEqual(["sg-0platform000000001"]);
    const ami = mocks.calls.filter((c) => c.token === "aws:ssm/getParameter:getParameter");
    expect(ami.map((c) => c.inputs.name)).toEqual([
      "/aws/service/eks/optimized-ami/1.32/amazon-linux-2023/x86_64/nvidia/recommended/image_id",
    ]);
    const userData = Buffer.from(template.userData, "base64").toString("utf8");
    const nodeConfig = parse(
      userData.split("Content-Type: application/node.eks.aws\n\n")[1].split("\n--")[0],
    );
    expect(nodeConfig.spec.cluster).toEqual({
      name: "platform-prod",
      apiServerEndpoint: "https://PLATFORM0123.gr7.us-west-2.eks.amazonaws.com",
      certificateAuthority: "UExBVEZPUk0gQ0E=",
      cidr: "10.100.0.0/16",
    });
    const group = mocks.one("aws:autoscaling/group:Group").inputs;
    expect(group.name).toBe("hybridai-fleet-platform-prod-a10g");
    expect(group.vpcZoneIdentifiers).toEqual(["subnet-0private0000001", "subnet-0private0000002"]);
    const tags = Object.fromEntries(
      (group.tags as { key: string; value: string }[]).map((t) => [t.key, t.value]),
    );
    expect(tags).toMatchObject({
      "k8s.io/cluster-autoscaler/enabled": "true",
      "k8s.io/cluster-autoscaler/platform-prod": "owned",
      "kubernetes.io/cluster/platform-prod": "owned",
    });
  });

  it("trusts the cluster's existing OIDC provider, named after its issuer, in every IRSA role", () => {
    for (const roleName of ["a10g-termination-handler", "models-reader"]) {
      const { trust } = irsaRole(mocks, roleName);
      expect(trust.Statement).toHaveLength(1);
      expect(trust.Statement[0].Principal).toEqual({ Federated: OIDC_PROVIDER_ARN });
      expect(Object.keys(trust.Statement[0].Condition?.StringEquals ?? {}).sort()).toEqual([
        "oidc.eks.us-west-2.amazonaws.com/id/PLATFORM0123:aud",
        "oidc.eks.us-west-2.amazonaws.com/id/PLATFORM0123:sub",
      ]);
    }
  });

  it("installs the fleet's termination handler through the cluster's provider, on its system node group", async () => {
    const provider = mocks.one("pulumi:providers:kubernetes", "platform");
    const kubeconfig = JSON.parse(await awaitOutput(cluster.kubeconfig));
    expect(kubeconfig.clusters[0].cluster).toEqual({
      server: "https://PLATFORM0123.gr7.us-west-2.eks.amazonaws.com",
      "certificate-authority-data": "UExBVEZPUk0gQ0E=",
    });
    expect(kubeconfig.users[0].user.exec.args).toEqual([
      "eks",
      "get-token",
      "--cluster-name",
      "platform-prod",
      "--region",
      "us-west-2",
      "--output",
      "json",
    ]);
    const release = mocks.one("kubernetes:helm.sh/v3:Release");
    expect(release.provider).toBe(`${provider.urn}::${provider.id}`);
    expect(release.inputs.values.nodeSelector).toEqual({
      "eks.amazonaws.com/nodegroup": "platform-system",
    });
    expect(
      validateKubernetesObject(podFromHelmValues(release.inputs.values, "nth-a10g")).status,
    ).toBe("validated");
    expect(validateKubernetesObjects(mocks.resources).map((o) => [o.kind, o.status])).toEqual([
      ["Release", "skipped"],
    ]);
  });
});
