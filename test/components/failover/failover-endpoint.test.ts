import { failover } from "pulumi-hybridai";
import { awaitOutput, installMocks, settle } from "pulumi-hybridai/testing";
import { describe, expect, it } from "vitest";

const { FailoverEndpoint } = failover;
const mocks = installMocks();

describe("FailoverEndpoint on Route 53, failover between an AWS NLB and a GKE address", async () => {
  mocks.reset();
  const endpoint = new FailoverEndpoint("infer", {
    name: "infer.example.com",
    zoneId: "Z0123456789",
    policy: "failover",
    ttlSeconds: 60,
    healthCheck: { intervalSeconds: 10, failureThreshold: 3 },
    tags: { team: "ml" },
    endpoints: [
      {
        name: "aws-us-west-2",
        address: "k8s-a-b-123.elb.us-west-2.amazonaws.com",
        addressType: "hostname",
        aliasZoneId: "Z18D5FSROUN65G",
        role: "primary",
      },
      { name: "gcp-us-central1", address: "203.0.113.10", addressType: "ip", role: "secondary" },
    ],
  });
  await settle();
  // Sorted by logical name (registration order is not guaranteed): aws-… before gcp-….
  const sorted = <T extends { name: string }>(list: T[]) =>
    list.sort((a, b) => a.name.localeCompare(b.name));
  const checks = sorted(mocks.ofType("aws:route53/healthCheck:HealthCheck"));
  const records = sorted(mocks.ofType("aws:route53/record:Record"));

  it("health-checks each endpoint's /v2/health/ready over HTTPS, without any header", () => {
    expect(checks).toHaveLength(2);
    expect(checks[0].inputs).toEqual({
      type: "HTTPS",
      fqdn: "k8s-a-b-123.elb.us-west-2.amazonaws.com",
      port: 443,
      resourcePath: "/v2/health/ready",
      requestInterval: 10,
      failureThreshold: 3,
      regions: ["us-east-1", "us-west-2", "eu-west-1"],
      enableSni: true,
      tags: { team: "ml", Name: "infer.example.com aws-us-west-2" },
    });
    expect(checks[1].inputs).toMatchObject({
      type: "HTTPS",
      ipAddress: "203.0.113.10",
      fqdn: "infer.example.com",
      resourcePath: "/v2/health/ready",
    });
  });

  it("publishes a PRIMARY alias A record for the NLB and a SECONDARY A record for GKE, each tied to its check", () => {
    expect(records).toHaveLength(2);
    expect(records[0].inputs).toEqual({
      zoneId: "Z0123456789",
      name: "infer.example.com",
      type: "A",
      setIdentifier: "aws-us-west-2",
      failoverRoutingPolicies: [{ type: "PRIMARY" }],
      aliases: [
        {
          name: "k8s-a-b-123.elb.us-west-2.amazonaws.com",
          zoneId: "Z18D5FSROUN65G",
          evaluateTargetHealth: false,
        },
      ],
      healthCheckId: checks[0].id,
    });
    expect(records[1].inputs).toEqual({
      zoneId: "Z0123456789",
      name: "infer.example.com",
      type: "A",
      ttl: 60,
      records: ["203.0.113.10"],
      setIdentifier: "gcp-us-central1",
      failoverRoutingPolicies: [{ type: "SECONDARY" }],
      healthCheckId: checks[1].id,
    });
  });

  it("outputs the name, the records, the health checks and the worst-case failover time", async () => {
    expect(endpoint.name).toBe("infer.example.com");
    expect(endpoint.worstCaseFailoverSeconds).toBe(90);
    expect(endpoint.records.map((r) => r.name)).toEqual(["aws-us-west-2", "gcp-us-central1"]);
    expect(await awaitOutput(endpoint.healthCheckIds)).toEqual(checks.map((c) => c.id));
    const urn = await awaitOutput(endpoint.urn);
    expect(checks).toHaveLength(2);
    expect(records).toHaveLength(2);
    expect([...checks, ...records].every((r) => r.parent === urn)).toBe(true);
  });
});

describe("FailoverEndpoint weighted and latency records", async () => {
  it("writes the weight and the latency region into each record", async () => {
    mocks.reset();
    new FailoverEndpoint("w", {
      name: "w.example.com",
      zoneId: "Z1",
      policy: "weighted",
      healthCheck: { intervalSeconds: 30 },
      endpoints: [
        { name: "a", address: "198.51.100.1", addressType: "ip", weight: 3 },
        { name: "b", address: "198.51.100.2", addressType: "ip", weight: 0 },
      ],
    });
    new FailoverEndpoint("l", {
      name: "l.example.com",
      zoneId: "Z1",
      policy: "latency",
      endpoints: [
        { name: "a", address: "a.example.net", addressType: "hostname", region: "us-west-2" },
        { name: "b", address: "b.example.net", addressType: "hostname", region: "eu-west-1" },
      ],
    });
    await settle();
    const byName = (a: { name: string }, b: { name: string }) => a.name.localeCompare(b.name);
    const records = mocks.ofType("aws:route53/record:Record").sort(byName);
    expect(records.map((r) => r.name)).toEqual(["l-a", "l-b", "w-a", "w-b"]);
    expect(records.map((r) => r.inputs.weightedRoutingPolicies)).toEqual([
      undefined,
      undefined,
      [{ weight: 3 }],
      [{ weight: 0 }],
    ]);
    expect(
      records.slice(0, 2).map((r) => [r.inputs.type, r.inputs.latencyRoutingPolicies]),
    ).toEqual([
      ["CNAME", [{ region: "us-west-2" }]],
      ["CNAME", [{ region: "eu-west-1" }]],
    ]);
    expect(
      mocks
        .ofType("aws:route53/healthCheck:HealthCheck")
        .sort(byName)
        .map((c) => c.inputs.requestInterval),
    ).toEqual([10, 10, 30, 30]);
  });
});

describe("FailoverEndpoint on Cloud DNS", async () => {
  it("creates one global health check and a record set whose policy names it", async () => {
    mocks.reset();
    new FailoverEndpoint("infer", {
      name: "infer.example.com",
      dns: "cloud-dns",
      managedZone: "example-com",
      policy: "weighted",
      healthCheck: { regions: ["us-east4", "europe-west1", "asia-southeast1"] },
      endpoints: [
        { name: "a", address: "198.51.100.1", addressType: "ip", weight: 1 },
        { name: "b", address: "198.51.100.2", addressType: "ip", weight: 1 },
      ],
    });
    await settle();
    const check = mocks.one("gcp:compute/healthCheck:HealthCheck");
    const recordSet = mocks.one("gcp:dns/recordSet:RecordSet");
    expect(check.inputs.sourceRegions).toEqual(["us-east4", "europe-west1", "asia-southeast1"]);
    expect(recordSet.inputs.routingPolicy).toEqual({
      wrrs: [
        { weight: 1, healthCheckedTargets: { externalEndpoints: ["198.51.100.1"] } },
        { weight: 1, healthCheckedTargets: { externalEndpoints: ["198.51.100.2"] } },
      ],
      healthCheck: check.id,
    });
    expect(mocks.ofType("aws:route53/record:Record")).toEqual([]);
  });
});
