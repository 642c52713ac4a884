import { installMocks, runProgram, validateKubernetesObjects } from "pulumi-hybridai/testing";
import { expect, it } from "vitest";
import { overlay, recipeStackConfig, type StackConfigValues } from "./stack-files";

const mocks = installMocks();
const STACK = "hybrid-failover-existing";
const recipe = () => recipeStackConfig("# stacks/Pulumi.hybrid-failover-existing.yaml");

const deploy = (config: StackConfigValues) =>
  runProgram("stacks", { config, stack: STACK, project: "hybridai" });

it("puts an existing EKS and an existing GKE cluster behind one Route 53 failover name, creating neither", async () => {
  const run = await deploy(recipe());
  expect(run.mocks.errors).toEqual([]);
  expect(mocks.ofType("aws:eks/cluster:Cluster")).toEqual([]);
  expect(mocks.ofType("gcp:container/cluster:Cluster")).toEqual([]);
  expect(mocks.ofType("hybridai:index:AwsExistingEksCluster")).toHaveLength(1);
  expect(mocks.ofType("hybridai:index:GcpExistingGkeCluster")).toHaveLength(1);
  // A model store for each, and the runtime on each reading its own store first.
  expect(mocks.ofType("aws:s3/bucket:Bucket")).toHaveLength(1);
  expect(mocks.ofType("gcp:storage/bucket:Bucket")).toHaveLength(1);
  const deployments = mocks.ofType("kubernetes:apps/v1:Deployment");
  expect(deployments.map((d) => d.inputs.metadata.name)).toEqual(["ranker", "ranker"]);
  // The NLB admits connections from the EKS cluster's VPC, looked up from the cluster.
  const calls = mocks.calls.map((c) => c.token);
  expect(calls).toContain("aws:eks/getCluster:getCluster");
  expect(calls).toContain("aws:ec2/getVpc:getVpc");
  const records = mocks.ofType("aws:route53/record:Record");
  expect(records.map((r) => r.inputs.setIdentifier).sort()).toEqual([
    "aws-primary",
    "gcp-secondary",
  ]);
  expect(Object.keys(run.outputs)).toEqual(["existing", "failover"]);
  validateKubernetesObjects(mocks.resources);
});

it.each([
  [
    "an EKS cluster not said to run the AWS Load Balancer Controller",
    { "hybridai:existing": { clusters: [{ loadBalancerController: false }, {}] } },
    "hybridai:failover.endpoints[0].cluster",
    "an EKS cluster running the AWS Load Balancer Controller",
  ],
  [
    "a GKE cluster without the Gateway API",
    { "hybridai:existing": { clusters: [{}, { gatewayApi: false }] } },
    "hybridai:failover.endpoints[1].cluster",
    "gcloud container clusters update NAME --location REGION --gateway-api=standard",
  ],
])("refuses %s before anything is looked up", async (_, change, field, allowed) => {
  const base = recipe();
  const existing = base["hybridai:existing"] as { clusters: object[] };
  const changed = (change["hybridai:existing"] as { clusters: object[] }).clusters;
  const config = {
    ...base,
    "hybridai:existing": {
      clusters: existing.clusters.map((cluster, i) => overlay(cluster, changed[i])),
    },
  };
  const error = await deploy(config).catch((e: unknown) => e);
  expect(error).toMatchObject({ field: expect.stringContaining(field) });
  expect((error as Error).message).toContain(allowed);
  expect(mocks.resources.filter((r) => r.custom)).toEqual([]);
  expect(mocks.calls).toEqual([]);
});

/** The recipe's config with its `hybridai:existing` clusters replaced. */
function withClusters(
  config: StackConfigValues,
  clusters: (recipeClusters: object[]) => object[],
): StackConfigValues {
  const existing = config["hybridai:existing"] as { clusters: object[] };
  return { ...config, "hybridai:existing": { clusters: clusters(existing.clusters) } };
}

it.each([
  [
    "two existing clusters under one name",
    () => withClusters(recipe(), ([eks, gke]) => [eks, { ...gke, name: "platform" }]),
    "hybridai:existing.clusters[1].name",
    "a name no other existing cluster uses",
  ],
  [
    "a GKE cluster whose region neither it nor gcp:region gives",
    () => {
      const { "gcp:region": _, ...config } = recipe();
      return config;
    },
    "hybridai:existing.clusters[1].region",
    "the GKE cluster's region: set it here or gcp:region",
  ],
])("refuses %s, naming the field", async (_, config, field, allowed) => {
  const error = await deploy(config()).catch((e: unknown) => e);
  expect(error).toMatchObject({ field: expect.stringContaining(field) });
  expect((error as Error).message).toContain(allowed);
  expect(mocks.resources.filter((r) => r.custom)).toEqual([]);
  expect(mocks.calls).toEqual([]);
});
