import { aws, HybridAiConfigError } from "pulumi-hybridai";
import { describe, expect, it } from "vitest";

const { EKS_VERSIONS, parseCidr, planEksAddons, planEksCluster, subnetCidr } = aws;

/** A public endpoint limited to a documentation range: the path `pulumi up` takes. */
const REACHABLE = { publicAccess: true, publicAccessCidrs: ["203.0.113.0/24"] };

describe("planEksCluster defaults", () => {
  const plan = planEksCluster({ name: "prod", endpoint: REACHABLE });

  it("is on the default version, with a new three-zone VPC and one NAT gateway", () => {
    expect(plan.version).toBe("1.33");
    expect(plan.network).toEqual({
      cidr: "10.0.0.0/16",
      privateSubnetCidrs: ["10.0.0.0/18", "10.0.64.0/18", "10.0.128.0/18"],
      publicSubnetCidrs: ["10.0.192.0/22", "10.0.196.0/22", "10.0.200.0/22"],
      natGatewayCount: 1,
    });
    expect(plan.systemNodeGroup.scalingConfig).toEqual({ minSize: 2, maxSize: 3, desiredSize: 2 });
  });

  it("lays out a small two-zone VPC with a NAT gateway per zone", () => {
    expect(
      planEksCluster({
        name: "p",
        endpoint: REACHABLE,
        vpc: { cidr: "172.16.0.0/20", zones: 2, natGateways: "per-zone" },
      }).network,
    ).toEqual({
      cidr: "172.16.0.0/20",
      privateSubnetCidrs: ["172.16.0.0/22", "172.16.4.0/22"],
      publicSubnetCidrs: ["172.16.12.0/26", "172.16.12.64/26"],
      natGatewayCount: 2,
    });
  });

  it("creates no VPC when subnets are given", () => {
    expect(
      planEksCluster({ name: "p", endpoint: REACHABLE, subnetIds: ["a", "b", "c"] }).network,
    ).toBeUndefined();
  });
});

describe("planEksCluster API endpoint: `pulumi up` must reach it", () => {
  it("refuses a private endpoint with no path from the runner, and says why", () => {
    for (const endpoint of [undefined, {}, { publicAccess: false }]) {
      let error: unknown;
      try {
        planEksCluster({ name: "prod", endpoint });
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(HybridAiConfigError);
      expect((error as HybridAiConfigError).field).toBe("endpoint");
      expect((error as Error).message).toMatch(
        /private endpoint is reachable only from inside the VPC.*cluster security group admits only the cluster.*publicAccessCidrs.*privateAccessCidrs.*privateAccessSecurityGroupIds/,
      );
    }
  });

  it("keeps the endpoint private for a runner inside the VPC and plans 443 from its CIDRs and groups", () => {
    const plan = planEksCluster({
      name: "prod",
      endpoint: {
        privateAccessCidrs: ["10.40.0.0/24"],
        privateAccessSecurityGroupIds: ["sg-0a1b2c3d4e5f60789"],
      },
    });
    expect(plan.endpoint).toEqual({ endpointPrivateAccess: true, endpointPublicAccess: false });
    expect(plan.apiAccess).toEqual({
      cidrs: ["10.40.0.0/24"],
      securityGroupIds: ["sg-0a1b2c3d4e5f60789"],
      port: 443,
    });
  });

  it("opens the public endpoint only to the allow-list, without security group rules", () => {
    const plan = planEksCluster({ name: "prod", endpoint: REACHABLE });
    expect(plan.endpoint).toEqual({
      endpointPrivateAccess: true,
      endpointPublicAccess: true,
      publicAccessCidrs: ["203.0.113.0/24"],
    });
    expect(plan.apiAccess).toEqual({ cidrs: [], securityGroupIds: [], port: 443 });
  });

  it.each([
    [{ privateAccessCidrs: ["0.0.0.0/0"] }, "endpoint.privateAccessCidrs"],
    [{ privateAccessCidrs: ["10.40.0.1/24"] }, "endpoint.privateAccessCidrs"],
    [{ privateAccessSecurityGroupIds: [""] }, "endpoint.privateAccessSecurityGroupIds"],
  ])("rejects %j at %s", (endpoint, field) => {
    expect(() => planEksCluster({ name: "prod", endpoint })).toThrow(
      expect.objectContaining({ field }),
    );
  });
});

describe("planEksCluster control plane logs", () => {
  it("logs only audit and authenticator by default: the other three types are a CloudWatch bill few read", () => {
    expect(planEksCluster({ name: "prod", endpoint: REACHABLE }).enabledClusterLogTypes).toEqual([
      "audit",
      "authenticator",
    ]);
  });

  it("takes the other types when asked, and keeps audit mandatory", () => {
    expect(
      planEksCluster({ name: "prod", endpoint: REACHABLE, logTypes: ["audit", "api", "scheduler"] })
        .enabledClusterLogTypes,
    ).toEqual(["audit", "api", "scheduler"]);
    expect(() =>
      planEksCluster({ name: "prod", endpoint: REACHABLE, logTypes: ["authenticator"] }),
    ).toThrow(/logTypes = \["authenticator"\] is not valid\. Allowed: a list that includes audit/);
  });
});

describe("CIDR helpers", () => {
  it("parses network CIDRs and refuses host bits, bad octets and bad prefixes", () => {
    expect(parseCidr("10.0.0.0/16")).toEqual({ address: 10 * 2 ** 24, prefix: 16 });
    for (const bad of ["10.0.0.1/16", "256.0.0.0/8", "10.0.0.0/33", "10.0.0.0", "ten/8"]) {
      expect(parseCidr(bad)).toBeUndefined();
    }
  });

  it("carves blocks at an index", () => {
    const vpc = parseCidr("10.40.0.0/16");
    expect(vpc && subnetCidr(vpc, 18, 3)).toBe("10.40.192.0/18");
    expect(vpc && subnetCidr(vpc, 24, 255)).toBe("10.40.255.0/24");
  });
});

describe("planEksCluster rejects bad specs", () => {
  it.each([
    [{ name: "UPPER" }, "name"],
    [{ serviceCidr: "172.20.0.0/8" }, "serviceCidr"],
    [{ vpc: { zones: 4 } }, "vpc.zones"],
    [{ vpc: { natGateways: "none" } }, "vpc.natGateways"],
    [{ endpoint: { publicAccessCidrs: ["203.0.113.0/24"] } }, "endpoint.publicAccessCidrs"],
    [
      { endpoint: { publicAccess: true, publicAccessCidrs: ["203.0.113.7"] } },
      "endpoint.publicAccessCidrs",
    ],
    [{ logTypes: ["audit", "kubelet"] }, "logTypes"],
    [{ systemNodes: { instanceTypes: [] } }, "systemNodes.instanceTypes"],
    [{ systemNodes: { min: 0 } }, "systemNodes.min"],
  ] as const)("%j → %s", (override, field) => {
    let error: unknown;
    try {
      planEksCluster({ name: "prod", endpoint: REACHABLE, ...override } as never);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(HybridAiConfigError);
    expect((error as HybridAiConfigError).field).toBe(field);
    expect((error as Error).message).toMatch(/^AwsEksCluster: .* is not valid\. Allowed: .+/);
  });
});

describe("planEksAddons", () => {
  it.each(EKS_VERSIONS)("pins vpc-cni, kube-proxy and coredns for Kubernetes %s", (version) => {
    const addons = planEksAddons(version);
    expect(addons.map((a) => a.addonName)).toEqual(["vpc-cni", "kube-proxy", "coredns"]);
    for (const addon of addons)
      expect(addon.addonVersion).toMatch(/^v\d+\.\d+\.\d+-eksbuild\.\d+$/);
    // kube-proxy follows the control plane's minor version.
    expect(addons[1]?.addonVersion.startsWith(`v${version}.`)).toBe(true);
  });

  it.each(EKS_VERSIONS)(
    "adds the metrics-server community add-on for Kubernetes %s when asked",
    (version) => {
      const addons = planEksAddons(version, { metricsServer: true });
      expect(addons.map((a) => a.addonName)).toEqual([
        "vpc-cni",
        "kube-proxy",
        "coredns",
        "metrics-server",
      ]);
      expect(addons[3]).toMatchObject({ beforeNodes: false });
      expect(addons[3]?.addonVersion).toMatch(/^v0\.\d+\.\d+-eksbuild\.\d+$/);
    },
  );

  it("enables NetworkPolicy enforcement in the VPC CNI and installs the network before nodes", () => {
    const [cni, proxy, dns] = planEksAddons("1.33");
    expect(JSON.parse(cni?.configurationValues ?? "{}")).toEqual({ enableNetworkPolicy: "true" });
    expect([cni?.beforeNodes, proxy?.beforeNodes, dns?.beforeNodes]).toEqual([true, true, false]);
  });
});
