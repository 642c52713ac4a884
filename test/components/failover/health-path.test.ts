import { failover, HybridAiConfigError } from "pulumi-hybridai";
import { describe, expect, it } from "vitest";

const { planFailoverEndpoint } = failover;
type Args = failover.FailoverEndpointArgs;

const endpoints: Args["endpoints"] = [
  {
    name: "aws-us-west-2",
    address: "k8s-a-b-123.elb.us-west-2.amazonaws.com",
    addressType: "hostname",
    aliasZoneId: "Z18D5FSROUN65G",
    role: "primary",
  },
  { name: "gcp-us-central1", address: "203.0.113.10", addressType: "ip", role: "secondary" },
];

describe("FailoverEndpoint healthCheck.path", () => {
  it("checks vLLM's /health on every Route 53 endpoint when asked", () => {
    const plan = planFailoverEndpoint("llm", {
      name: "llm.example.com",
      zoneId: "Z0123456789",
      policy: "failover",
      healthCheck: { path: "/health" },
      endpoints,
    });
    expect(plan.healthCheck.path).toBe("/health");
    expect(plan.endpoints.map((e) => e.route53HealthCheck?.resourcePath)).toEqual([
      "/health",
      "/health",
    ]);
  });

  it("checks vLLM's /health through the Cloud DNS health check", () => {
    const plan = planFailoverEndpoint("llm", {
      name: "llm.example.com",
      dns: "cloud-dns",
      managedZone: "example-com",
      policy: "failover",
      healthCheck: { path: "/health", regions: ["us-east4", "europe-west1", "asia-southeast1"] },
      endpoints: [
        { name: "gke", address: "203.0.113.10", addressType: "ip", role: "primary" },
        { name: "aws", address: "198.51.100.20", addressType: "ip", role: "secondary" },
      ],
    });
    expect(plan.cloudDns?.healthCheck.httpsHealthCheck).toEqual({
      port: 443,
      requestPath: "/health",
    });
  });

  it("keeps the serving runtime's readiness path by default", () => {
    const plan = planFailoverEndpoint("llm", {
      name: "llm.example.com",
      zoneId: "Z0123456789",
      policy: "failover",
      endpoints,
    });
    expect(plan.healthCheck.path).toBe("/v2/health/ready");
  });

  it.each([["health"], ["/with space"], [`/${"a".repeat(255)}`], [""]])(
    "refuses the path %j, naming the field",
    (path) => {
      expect(() =>
        planFailoverEndpoint("llm", {
          name: "llm.example.com",
          zoneId: "Z0123456789",
          policy: "failover",
          healthCheck: { path },
          endpoints,
        }),
      ).toThrow(HybridAiConfigError);
      try {
        planFailoverEndpoint("llm", {
          name: "llm.example.com",
          zoneId: "Z0123456789",
          policy: "failover",
          healthCheck: { path },
          endpoints,
        });
      } catch (error) {
        expect((error as HybridAiConfigError).field).toBe("healthCheck.path");
      }
    },
  );
});
