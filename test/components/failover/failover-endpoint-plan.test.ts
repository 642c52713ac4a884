import { failover, HybridAiConfigError } from "pulumi-hybridai";
import { describe, expect, it } from "vitest";

const { planFailoverEndpoint, worstCaseFailoverSeconds, CLOUD_DNS_SUPPORT } = failover;
type Args = failover.FailoverEndpointArgs;

const nlb = {
  name: "aws-us-west-2",
  address: "k8s-a-b-123.elb.us-west-2.amazonaws.com",
  addressType: "hostname",
  aliasZoneId: "Z18D5FSROUN65G",
} as const;
const gke = { name: "gcp-us-central1", address: "203.0.113.10", addressType: "ip" } as const;

const route53 = (extra: Partial<Args> = {}): Args => ({
  name: "infer.example.com",
  zoneId: "Z0123456789",
  policy: "failover",
  endpoints: [
    { ...nlb, role: "primary" },
    { ...gke, role: "secondary" },
  ],
  ...extra,
});

function refused(args: Args): HybridAiConfigError {
  try {
    planFailoverEndpoint("infer", args);
  } catch (error) {
    expect(error).toBeInstanceOf(HybridAiConfigError);
    return error as HybridAiConfigError;
  }
  throw new Error("accepted");
}

describe("worstCaseFailoverSeconds", () => {
  it("is interval × threshold + TTL", () => {
    expect(
      worstCaseFailoverSeconds({ intervalSeconds: 10, failureThreshold: 3, ttlSeconds: 60 }),
    ).toBe(90);
    expect(
      worstCaseFailoverSeconds({ intervalSeconds: 30, failureThreshold: 3, ttlSeconds: 300 }),
    ).toBe(390);
    expect(
      worstCaseFailoverSeconds({ intervalSeconds: 10, failureThreshold: 1, ttlSeconds: 0 }),
    ).toBe(10);
  });
});

describe("planFailoverEndpoint on Route 53", () => {
  it("defaults to HTTPS checks of /v2/health/ready every 10 s, 3 failures, 3 regions, TTL 60: 90 s", () => {
    const plan = planFailoverEndpoint("infer", route53());
    expect(plan.healthCheck).toEqual({
      protocol: "HTTPS",
      port: 443,
      path: "/v2/health/ready",
      intervalSeconds: 10,
      failureThreshold: 3,
      regions: ["us-east-1", "us-west-2", "eu-west-1"],
    });
    expect(plan.worstCaseFailoverSeconds).toBe(90);
    expect(plan.endpoints.map((e) => e.route53Record?.type)).toEqual(["A", "A"]);
  });

  it("refuses Route 53 intervals other than 10 or 30 and too few or unknown checker regions", () => {
    expect(refused(route53({ healthCheck: { intervalSeconds: 15 } })).field).toBe(
      "healthCheck.intervalSeconds",
    );
    expect(refused(route53({ healthCheck: { regions: ["us-east-1", "us-west-2"] } })).field).toBe(
      "healthCheck.regions",
    );
    expect(
      refused(route53({ healthCheck: { regions: ["us-east-1", "us-west-2", "eu-central-1"] } }))
        .field,
    ).toBe("healthCheck.regions");
    expect(refused(route53({ healthCheck: { failureThreshold: 11 } })).field).toBe(
      "healthCheck.failureThreshold",
    );
  });

  it("needs exactly one primary and one secondary for failover", () => {
    const both = refused(
      route53({
        endpoints: [
          { ...nlb, role: "primary" },
          { ...gke, role: "primary" },
        ],
      }),
    );
    expect(both.field).toBe("endpoints");
    expect(refused(route53({ endpoints: [{ ...nlb, role: "primary" }] })).field).toBe("endpoints");
  });

  it("refuses a CNAME beside A records, weights out of range and latency without distinct regions", () => {
    const { aliasZoneId: _z, ...plainNlb } = nlb;
    expect(
      refused(
        route53({
          endpoints: [
            { ...plainNlb, role: "primary" },
            { ...gke, role: "secondary" },
          ],
        }),
      ).field,
    ).toBe("endpoints");
    expect(
      refused(
        route53({
          policy: "weighted",
          endpoints: [
            { ...nlb, weight: 256 },
            { ...gke, weight: 1 },
          ],
        }),
      ).field,
    ).toBe("endpoints[0].weight");
    expect(
      refused(
        route53({
          policy: "weighted",
          endpoints: [
            { ...nlb, weight: 0 },
            { ...gke, weight: 0 },
          ],
        }),
      ).field,
    ).toBe("endpoints");
    expect(
      refused(
        route53({
          policy: "latency",
          endpoints: [
            { ...nlb, region: "us-west-2" },
            { ...gke, region: "us-west-2" },
          ],
        }),
      ).field,
    ).toBe("endpoints[1].region");
    expect(
      refused(route53({ policy: "weighted", endpoints: [{ ...nlb, weight: 1, role: "primary" }] }))
        .field,
    ).toBe("endpoints[0].role");
  });

  it("refuses a missing zone, a bad name, a bad IP and a duplicate set identifier", () => {
    expect(refused(route53({ zoneId: undefined })).field).toBe("zoneId");
    expect(refused(route53({ name: "not a name" })).field).toBe("name");
    expect(
      refused(
        route53({
          endpoints: [
            { ...nlb, role: "primary" },
            { ...gke, address: "203.0.113.300", role: "secondary" },
          ],
        }),
      ).field,
    ).toBe("endpoints[1].address");
    expect(
      refused(
        route53({
          endpoints: [
            { ...nlb, role: "primary" },
            { ...gke, name: nlb.name, role: "secondary" },
          ],
        }),
      ).field,
    ).toBe("endpoints[1].name");
  });
});

describe("planFailoverEndpoint on Cloud DNS", () => {
  const regions = ["us-east4", "europe-west1", "asia-southeast1"];
  const cloudDns = (extra: Partial<Args> = {}): Args => ({
    name: "infer.example.com",
    dns: "cloud-dns",
    managedZone: "example-com",
    policy: "failover",
    healthCheck: { regions },
    endpoints: [
      { ...gke, role: "primary" },
      { name: "aws-ip", address: "198.51.100.20", addressType: "ip", role: "secondary" },
    ],
    ...extra,
  });

  it("states its support: failover and weighted over IP endpoints, 3 source regions, ≥ 30 s", () => {
    expect(CLOUD_DNS_SUPPORT).toEqual({
      policies: ["failover", "weighted"],
      endpointTypes: ["ip"],
      healthCheckProtocols: ["HTTP", "HTTPS"],
      sourceRegions: 3,
      minIntervalSeconds: 30,
    });
  });

  it("plans a primary-backup record over a global HTTPS health check from 3 regions", () => {
    const plan = planFailoverEndpoint("infer", cloudDns());
    expect(plan.cloudDns?.healthCheck).toEqual({
      name: "infer-ready",
      checkIntervalSec: 30,
      timeoutSec: 5,
      unhealthyThreshold: 3,
      healthyThreshold: 2,
      sourceRegions: regions,
      httpsHealthCheck: { port: 443, requestPath: "/v2/health/ready" },
    });
    expect(plan.cloudDns?.recordSet).toEqual({
      managedZone: "example-com",
      name: "infer.example.com.",
      type: "A",
      ttl: 60,
      routingPolicy: {
        primaryBackup: {
          primary: { externalEndpoints: ["203.0.113.10"] },
          backupGeos: [
            {
              location: "us-east4",
              healthCheckedTargets: { externalEndpoints: ["198.51.100.20"] },
            },
          ],
          trickleRatio: 0,
        },
      },
    });
    expect(plan.worstCaseFailoverSeconds).toBe(150);
  });

  it("refuses latency, hostname endpoints, intervals under 30 s and other than 3 regions", () => {
    expect(
      refused(cloudDns({ policy: "latency", endpoints: [{ ...gke, region: "us-west-2" }] })).field,
    ).toBe("policy");
    expect(
      refused(
        cloudDns({
          endpoints: [
            { ...nlb, aliasZoneId: undefined, role: "primary" },
            { ...gke, role: "secondary" },
          ],
        }),
      ).field,
    ).toBe("endpoints[0].addressType");
    expect(refused(cloudDns({ healthCheck: { regions, intervalSeconds: 10 } })).field).toBe(
      "healthCheck.intervalSeconds",
    );
    expect(refused(cloudDns({ healthCheck: { regions: regions.slice(0, 2) } })).field).toBe(
      "healthCheck.regions",
    );
  });
});
