import {
  awaitOutput,
  installMocks,
  type RecordedResource,
  settle,
  validateKubernetesObjects,
} from "pulumi-hybridai/testing";
import { expect, it } from "vitest";
import { existingClustersFailover } from "./existing-clusters-failover";
import { expectShownVerbatim } from "./verbatim";

const mocks = installMocks();

/** The Kubernetes provider a resource was registered with: `cluster-platform` or `cluster-serving`. */
const providerName = (record: RecordedResource) =>
  /::([^:]+)::[^:]*$/.exec(record.provider ?? "")?.[1];

it("serves one model from an existing EKS and an existing GKE cluster behind one Route 53 failover name", async () => {
  const { url, failoverSeconds } = existingClustersFailover();
  await settle();
  expect(url).toBe("https://infer.example.com");
  expect(await awaitOutput(failoverSeconds)).toBe(90);
  // Nothing of the clusters themselves is created.
  expect(mocks.ofType("aws:eks/cluster:Cluster")).toEqual([]);
  expect(mocks.ofType("gcp:container/cluster:Cluster")).toEqual([]);
  // Each cluster gets the runtime, with its own store first and the other cloud's after.
  const deployments = mocks.ofType("kubernetes:apps/v1:Deployment");
  expect(deployments).toHaveLength(2);
  const sources = (cloud: string) => {
    const deployment = deployments.find((d) => d.parent?.endsWith(`::ranker-${cloud}`));
    const args: string[] = deployment?.inputs.spec.template.spec.initContainers[0].args ?? [];
    return args.filter((_, i) => args[i - 1] === "--from").map((uri) => uri.slice(0, 5));
  };
  expect(sources("aws")).toEqual(["s3://", "gs://"]);
  expect(sources("gcp")).toEqual(["gs://", "s3://"]);
  expect(new Set(deployments.map(providerName)).size).toBe(2);
  // The EKS side: an NLB Service (AWS Load Balancer Controller annotations) with the ACM certificate.
  const nlb = mocks
    .ofType("kubernetes:core/v1:Service")
    .find((s) => s.inputs.spec.type === "LoadBalancer");
  expect(
    nlb?.inputs.metadata.annotations["service.beta.kubernetes.io/aws-load-balancer-ssl-cert"],
  ).toMatch(/^arn:aws:acm:/);
  // The GKE side: a Gateway on the reserved address with the certificate map.
  const gateway = mocks.one("kubernetes:gateway.networking.k8s.io/v1:Gateway");
  expect(gateway.inputs.spec.addresses).toEqual([
    { type: "NamedAddress", value: "ranker-serving" },
  ]);
  expect(gateway.inputs.metadata.annotations["networking.gke.io/certmap"]).toBe(
    "infer-example-com",
  );
  // Route 53: a PRIMARY alias to the NLB and a SECONDARY A record to the Gateway's address.
  const records = mocks.ofType("aws:route53/record:Record");
  expect(records.map((r) => r.inputs.failoverRoutingPolicies[0].type).sort()).toEqual([
    "PRIMARY",
    "SECONDARY",
  ]);
  expect(mocks.ofType("aws:route53/healthCheck:HealthCheck")).toHaveLength(2);
  validateKubernetesObjects(mocks.resources);
});

it("docs/recipes.md shows this program verbatim", () => {
  expectShownVerbatim("test/recipes/existing-clusters-failover.ts", "  // The clusters you run");
});

it("docs/failover.md shows the same program verbatim", () => {
  expectShownVerbatim(
    "test/recipes/existing-clusters-failover.ts",
    "  // The clusters you run",
    "docs/failover.md",
  );
});
