import { aws } from "pulumi-hybridai";
import {
  awaitOutput,
  installMocks,
  MOCK_AWS_ACCOUNT_ID,
  settle,
  validateKubernetesObject,
} from "pulumi-hybridai/testing";
import { beforeAll, describe, expect, it } from "vitest";
import { irsaRole, podFromHelmValues } from "./iam-assertions";

const { EksCluster, GpuNodeGroup, ModelStore, SpotFleet } = aws;

// The kit's default `aws.eks.getCluster` answer: an ACTIVE 1.33 IPv4 cluster in
// API_AND_CONFIG_MAP mode.
const mocks = installMocks();

const NODE_ROLE = "arn:aws:iam::123456789012:role/platform-eks-nodes";
const SUBNETS = ["subnet-0given00000001", "subnet-0given00000002"];

let shared: aws.ExistingEksCluster;

beforeAll(async () => {
  // Everything given: an existing node role and subnets; the OIDC provider created; the
  // autoscaler installed; add-ons placed off spot nodes (no system node group named).
  shared = EksCluster.get("shared", {
    clusterName: "shared",
    nodeRoleArn: NODE_ROLE,
    subnetIds: SUBNETS,
    createOidcProvider: true,
    installClusterAutoscaler: true,
    tags: { team: "platform" },
  });
  new GpuNodeGroup("l4", {
    cluster: shared,
    accelerator: { type: "nvidia-l4" },
    capacity: { min: 0, max: 2 },
  });
  const fleet = new SpotFleet("a10g", {
    cluster: shared,
    accelerator: { type: "nvidia-a10g" },
    capacity: { min: 0, max: 4 },
  });
  const store = new ModelStore("models", { cluster: shared });
  await awaitOutput(fleet.terminationHandlerRoleArn);
  await awaitOutput(store.readerRoleArn);
  await settle();
});

describe("aws.EksCluster.get with overrides and opt-ins", () => {
  it("uses the given node role and subnets, creating no role and looking up no subnets", () => {
    expect(mocks.ofType("aws:iam/role:Role").map((r) => r.name)).not.toContain("shared-node");
    expect(mocks.calls.filter((c) => c.token === "aws:ec2/getSubnets:getSubnets")).toEqual([]);
    const group = mocks.one("aws:eks/nodeGroup:NodeGroup").inputs;
    expect(group).toMatchObject({
      clusterName: "shared",
      nodeRoleArn: NODE_ROLE,
      subnetIds: SUBNETS,
    });
    expect(mocks.one("aws:autoscaling/group:Group").inputs.vpcZoneIdentifiers).toEqual(SUBNETS);
  });

  it("creates the IAM OIDC provider for the cluster's issuer when asked, and every IRSA role trusts it", async () => {
    const issuer = await awaitOutput(shared.oidcIssuer);
    expect(issuer).toMatch(/^https:\/\/oidc\.eks\.us-west-2\.amazonaws\.com\/id\/[0-9A-F]{32}$/);
    const provider = mocks.one("aws:iam/openIdConnectProvider:OpenIdConnectProvider");
    expect(provider.inputs).toMatchObject({
      url: issuer,
      clientIdLists: ["sts.amazonaws.com"],
      tags: { team: "platform" },
    });
    expect(provider.state.arn).toBe(
      `arn:aws:iam::${MOCK_AWS_ACCOUNT_ID}:oidc-provider/${issuer.replace("https://", "")}`,
    );
    const roles = ["shared-cluster-autoscaler", "a10g-termination-handler", "models-reader"];
    for (const role of roles) {
      expect(irsaRole(mocks, role).trust.Statement[0].Principal).toEqual({
        Federated: provider.state.arn,
      });
    }
  });

  it("installs cluster-autoscaler for the cluster, scoped to it, off spot nodes", () => {
    const release = mocks
      .ofType("kubernetes:helm.sh/v3:Release")
      .find((r) => r.inputs.name === "cluster-autoscaler");
    expect(release?.inputs).toMatchObject({
      namespace: "kube-system",
      chart: "cluster-autoscaler",
      version: "9.46.6",
      values: {
        autoDiscovery: { clusterName: "shared" },
        image: { tag: "v1.33.0" },
        awsRegion: "us-west-2",
      },
    });
    const { role, permissions } = irsaRole(mocks, "shared-cluster-autoscaler");
    expect(role.inputs.namePrefix).toBe("shared-cluster-autoscaler-");
    const scale = permissions.Statement.find((s) =>
      ([] as string[]).concat(s.Action ?? []).includes("autoscaling:SetDesiredCapacity"),
    );
    expect(scale?.Condition?.StringEquals).toEqual({
      "aws:ResourceTag/k8s.io/cluster-autoscaler/shared": "owned",
    });
    const values = release?.inputs.values;
    expect(values.nodeSelector).toBeUndefined();
    expect(values.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution).toEqual({
      nodeSelectorTerms: [
        {
          matchExpressions: [
            { key: "eks.amazonaws.com/capacityType", operator: "NotIn", values: ["SPOT"] },
            { key: "karpenter.sh/capacity-type", operator: "NotIn", values: ["spot"] },
            { key: "hybridai.dev/capacity-type", operator: "NotIn", values: ["spot"] },
          ],
        },
      ],
    });
    expect(validateKubernetesObject(podFromHelmValues(values, "cluster-autoscaler")).status).toBe(
      "validated",
    );
    const handler = mocks
      .ofType("kubernetes:helm.sh/v3:Release")
      .find((r) => r.inputs.name === "nth-a10g");
    expect(handler?.inputs.values.affinity).toEqual(values.affinity);
  });
});
