import { aws } from "pulumi-hybridai";
import { describe, expect, it } from "vitest";

const { existingClusterAttributes, oidcProviderArnFor, planExistingEksCluster } = aws;

const FACTS: aws.EksClusterFacts = {
  name: "platform",
  version: "1.32",
  endpoint: "https://ABC.gr7.eu-west-1.eks.amazonaws.com",
  certificateAuthorities: [{ data: "Q0E=" }],
  identities: [{ oidcs: [{ issuer: "https://oidc.eks.eu-west-1.amazonaws.com/id/ABC" }] }],
  vpcConfig: { clusterSecurityGroupId: "sg-0abc", subnetIds: ["subnet-0a", "subnet-0b"] },
  kubernetesNetworkConfigs: [{ ipFamily: "ipv4", serviceIpv4Cidr: "10.100.0.0/16" }],
  accessConfigs: [{ authenticationMode: "API" }],
};

describe("existingClusterAttributes", () => {
  it("flattens what EKS reports into what node groups and fleets use", () => {
    expect(existingClusterAttributes(FACTS)).toEqual({
      name: "platform",
      version: "1.32",
      endpoint: "https://ABC.gr7.eu-west-1.eks.amazonaws.com",
      certificateAuthorityData: "Q0E=",
      oidcIssuer: "https://oidc.eks.eu-west-1.amazonaws.com/id/ABC",
      clusterSecurityGroupId: "sg-0abc",
      subnetIds: ["subnet-0a", "subnet-0b"],
      serviceIpv4Cidr: "10.100.0.0/16",
      authenticationMode: "API",
    });
  });

  it("reads a cluster without access config as CONFIG_MAP and an IPv6 cluster as having no IPv4 service CIDR", () => {
    const attributes = existingClusterAttributes({
      ...FACTS,
      accessConfigs: [],
      kubernetesNetworkConfigs: [{ ipFamily: "ipv6", serviceIpv4Cidr: "172.20.0.0/16" }],
    });
    expect(attributes.authenticationMode).toBe("CONFIG_MAP");
    expect(attributes.serviceIpv4Cidr).toBe("");
  });
});

describe("oidcProviderArnFor", () => {
  it("names the provider IAM creates for an issuer, in any partition", () => {
    expect(
      oidcProviderArnFor(
        "aws-cn",
        "123456789012",
        "https://oidc.eks.cn-north-1.amazonaws.com.cn/id/ABC",
      ),
    ).toBe(
      "arn:aws-cn:iam::123456789012:oidc-provider/oidc.eks.cn-north-1.amazonaws.com.cn/id/ABC",
    );
  });
});

describe("planExistingEksCluster", () => {
  it("creates a node role and discovers subnets unless told otherwise, and nothing cluster-wide by default", () => {
    expect(planExistingEksCluster({ clusterName: "Platform_Prod" })).toEqual({
      clusterName: "Platform_Prod",
      createNodeRole: true,
      createOidcProvider: false,
      installClusterAutoscaler: false,
      discoverSubnets: true,
      rolePrefixes: {
        node: "Platform_Prod-node-",
        clusterAutoscaler: "Platform_Prod-cluster-autoscaler-",
      },
    });
    const given = planExistingEksCluster({
      clusterName: "p",
      nodeRoleArn: "arn:aws:iam::123456789012:role/nodes",
      subnetIds: ["subnet-0a"],
    });
    expect([given.createNodeRole, given.discoverSubnets]).toEqual([false, false]);
  });

  it("keeps role prefixes of a 100-character cluster name within IAM's 38", () => {
    const plan = planExistingEksCluster({ clusterName: "c".repeat(100) });
    expect(plan.rolePrefixes.node.length).toBeLessThanOrEqual(38);
    expect(plan.rolePrefixes.clusterAutoscaler.length).toBeLessThanOrEqual(38);
    expect(plan.rolePrefixes.node).toMatch(/-node-$/);
  });

  it("refuses a security group id and a version it can check", () => {
    expect(() =>
      planExistingEksCluster({ clusterName: "p", clusterSecurityGroupId: "default" }),
    ).toThrow(
      'AwsExistingEksCluster: clusterSecurityGroupId = "default" is not valid. Allowed: a security group id such as sg-0123456789abcdef0.',
    );
    expect(() => planExistingEksCluster({ clusterName: "p", kubernetesVersion: "1.33.1" })).toThrow(
      'AwsExistingEksCluster: kubernetesVersion = "1.33.1" is not valid. Allowed: a Kubernetes minor version such as 1.33.',
    );
  });
});
