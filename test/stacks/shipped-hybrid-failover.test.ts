import * as pulumi from "@pulumi/pulumi";
import { HybridAiConfigError } from "pulumi-hybridai";
import { installMocks, settle, validateKubernetesObjects } from "pulumi-hybridai/testing";
import { describe, expect, it } from "vitest";
import { validateStackConfig } from "../../stacks/config";
import { runStack } from "../../stacks/program";
import { STACK_SECTIONS } from "../../stacks/sections";
import { loadStackConfig } from "./stack-file";

const mocks = installMocks({
  outputs: ({ type, inputs }) =>
    type === "aws:eks/cluster:Cluster"
      ? { vpcConfig: { ...inputs.vpcConfig, clusterSecurityGroupId: "sg-0cluster" } }
      : type === "gcp:compute/globalAddress:GlobalAddress"
        ? { address: "203.0.113.10" }
        : undefined,
});
const file = loadStackConfig("hybrid-failover");
mocks.setConfig(file);

describe("stacks/Pulumi.hybrid-failover.yaml under the stacks program", async () => {
  const outputs = runStack(pulumi.runtime.allConfig(), STACK_SECTIONS);
  await settle();
  const deployments = mocks.ofType("kubernetes:apps/v1:Deployment");

  it("runs the runtime on both clusters, each pulling from its own store first, then the other cloud's", () => {
    expect(Object.keys(outputs)).toEqual(["aws", "gcp", "failover"]);
    expect(deployments).toHaveLength(2);
    const sources = deployments
      .map((d) => d.inputs.spec.template.spec.initContainers[0].args as string[])
      .map((args) => args.filter((_, i) => args[i - 1] === "--from"))
      .sort((a, b) => a[0].localeCompare(b[0]));
    expect(sources).toHaveLength(2);
    expect(sources[0][0]).toMatch(/^gs:\/\/.+\/ranker$/);
    expect(sources[0][1]).toMatch(/^s3:\/\/.+\/ranker$/);
    expect(sources[1][0]).toMatch(/^s3:\/\/.+\/ranker$/);
    expect(sources[1][1]).toMatch(/^gs:\/\/.+\/ranker$/);
    for (const d of deployments) {
      expect(d.inputs.spec.template.spec.containers[0].args).toContain("--auth-token-file");
    }
  });

  it("creates the NLB Service after the AWS Load Balancer Controller, and a Gateway on the reserved address", () => {
    const controller = mocks
      .ofType("kubernetes:helm.sh/v3:Release")
      .find((r) => r.inputs.chart === "aws-load-balancer-controller");
    const nlb = mocks
      .ofType("kubernetes:core/v1:Service")
      .filter((s) => s.inputs.spec.loadBalancerClass === "service.k8s.aws/nlb");
    expect(nlb).toHaveLength(1);
    expect(nlb[0].dependencies).toContain(controller?.urn);
    const gateway = mocks.one("kubernetes:gateway.networking.k8s.io/v1:Gateway");
    const address = mocks.one("gcp:compute/globalAddress:GlobalAddress");
    expect(gateway.inputs.spec.addresses).toEqual([
      { type: "NamedAddress", value: address.inputs.name },
    ]);
    expect(address.inputs.name).toBe("ai-gke-ranker-us-central1");
    expect(mocks.one("gcp:container/cluster:Cluster").inputs.gatewayApiConfig).toEqual({
      channel: "CHANNEL_STANDARD",
    });
  });

  it("publishes a Route 53 failover pair, AWS primary, each record with its health check", () => {
    const records = mocks
      .ofType("aws:route53/record:Record")
      .sort((a, b) => a.name.localeCompare(b.name));
    const checks = mocks.ofType("aws:route53/healthCheck:HealthCheck");
    expect(records.map((r) => r.name)).toEqual(["ranker-aws-primary", "ranker-gcp-secondary"]);
    expect(records.map((r) => r.inputs.failoverRoutingPolicies)).toEqual([
      [{ type: "PRIMARY" }],
      [{ type: "SECONDARY" }],
    ]);
    expect(records.map((r) => [r.inputs.name, r.inputs.zoneId, r.inputs.type])).toEqual([
      ["infer.example.com", "Z0123456789EXAMPLE00", "A"],
      ["infer.example.com", "Z0123456789EXAMPLE00", "A"],
    ]);
    expect(records[1].inputs.records).toEqual(["203.0.113.10"]);
    expect(records[0].inputs.aliases).toHaveLength(1);
    expect(checks).toHaveLength(2);
    for (const record of records) {
      expect(checks.map((c) => c.id)).toContain(record.inputs.healthCheckId);
    }
    for (const check of checks) {
      expect(check.inputs).toMatchObject({
        type: "HTTPS",
        port: 443,
        resourcePath: "/v2/health/ready",
        requestInterval: 10,
        failureThreshold: 3,
        regions: ["us-east-1", "eu-west-1", "ap-southeast-1"],
      });
    }
    expect(outputs.failover.worstCaseFailoverSeconds).toBe(90);
  });

  it("keeps one token for both clusters and every Kubernetes object schema-valid", () => {
    const secrets = mocks.ofType("kubernetes:core/v1:Secret");
    expect(secrets).toHaveLength(2);
    expect(new Set(secrets.map((s) => JSON.stringify(s.inputs.stringData))).size).toBe(1);
    const objects = validateKubernetesObjects(mocks.resources);
    expect(objects.filter((o) => o.status === "validated")).toHaveLength(20);
    expect(objects.filter((o) => o.status !== "validated").map((o) => o.kind)).toEqual([
      "Release",
      "Release",
      "Release",
      "Release",
    ]);
  });
});

/** The parts of the stack file the tests change. */
interface FailoverFile {
  endpoints: { cluster: string; role: string; tls: object }[];
  healthCheck: { intervalSeconds: number };
}
interface AwsFile {
  cluster: { loadBalancerController: boolean };
}

describe("hybridai:failover validation", () => {
  const raw = (change: (failover: FailoverFile, aws: AwsFile) => void) => {
    const copy = structuredClone(file) as Record<string, unknown>;
    change(copy["hybridai:failover"] as FailoverFile, copy["hybridai:aws"] as AwsFile);
    return Object.fromEntries(
      Object.entries(copy).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)]),
    );
  };
  const refusal = (config: Record<string, string>) => {
    pulumi.runtime.setAllConfig(config);
    try {
      runStack(config, STACK_SECTIONS);
    } catch (error) {
      expect(error).toBeInstanceOf(HybridAiConfigError);
      return (error as HybridAiConfigError).field;
    }
    throw new Error("accepted");
  };

  it("accepts the shipped file", () => {
    pulumi.runtime.setAllConfig(raw(() => {}));
    expect(
      validateStackConfig(
        raw(() => {}),
        STACK_SECTIONS,
      ).has("failover"),
    ).toBe(true);
  });

  it("refuses before anything exists: an unknown cluster, two primaries, a 15 s interval, a missing certificate", () => {
    expect(refusal(raw((f) => (f.endpoints[1].cluster = "nowhere")))).toBe(
      "hybridai:failover.endpoints[1].cluster",
    );
    expect(refusal(raw((f) => (f.endpoints[1].role = "primary")))).toBe(
      "hybridai:failover.endpoints",
    );
    expect(refusal(raw((f) => (f.healthCheck.intervalSeconds = 15)))).toBe(
      "hybridai:failover.healthCheck.intervalSeconds",
    );
    expect(refusal(raw((f) => (f.endpoints[0].tls = {})))).toBe(
      "hybridai:failover.endpoints[0].exposure.tls.certificateArn",
    );
  });

  it("refuses an EKS endpoint whose cluster has no load balancer controller", () => {
    expect(refusal(raw((_f, aws) => (aws.cluster.loadBalancerController = false)))).toBe(
      "hybridai:failover.endpoints[0].cluster",
    );
  });
});
