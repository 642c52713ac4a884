import { installMocks, validateKubernetesObjects } from "pulumi-hybridai/testing";
import { expect, it } from "vitest";
import { mandatoryViolations, runExample } from "./run-example";

installMocks();

it("adds an L4 spot fleet, a model store and a served model to an existing EKS cluster, passing both policy packs", async () => {
  const run = await runExample("eks-existing-cluster-l4");
  const { mocks, outputs } = run;

  // The cluster is looked up, never created.
  expect(mocks.ofType("aws:eks/cluster:Cluster")).toEqual([]);
  expect(mocks.calls.filter((c) => c.token === "aws:eks/getCluster:getCluster")).toHaveLength(1);

  // One Auto Scaling group of g6 (L4) instances, all spot in the dev stack (onDemandBase 0).
  const group = mocks.one("aws:autoscaling/group:Group");
  expect(group.inputs.name).toBe("hybridai-fleet-platform-prod-l4");
  expect(group.inputs.minSize).toBe(1);
  expect(group.inputs.maxSize).toBe(6);
  const policy = group.inputs.mixedInstancesPolicy;
  expect(policy.instancesDistribution.onDemandBaseCapacity).toBe(0);
  expect(policy.instancesDistribution.onDemandPercentageAboveBaseCapacity).toBe(0);
  const types: string[] = policy.launchTemplate.overrides.map(
    (o: { instanceType: string }) => o.instanceType,
  );
  expect(types.length).toBeGreaterThan(0);
  expect(types.every((t) => t.startsWith("g6."))).toBe(true);

  // The served model: one L4 per pod from the CUDA image, tolerating spot and the GPU taint,
  // run as the store's reader, after the fleet, the device plugin and the namespace.
  const deployment = mocks.one("kubernetes:apps/v1:Deployment", "ranker");
  const pod = deployment.inputs.spec.template.spec;
  const serving = pod.containers[0];
  expect(serving.resources.limits["nvidia.com/gpu"]).toBe("1");
  expect(serving.image).toMatch(/-cuda$/);
  expect(pod.serviceAccountName).toBe("model-reader");
  expect(pod.tolerations.map((t: { key: string }) => t.key)).toEqual(
    expect.arrayContaining(["nvidia.com/gpu", "hybridai.dev/capacity-type"]),
  );
  // Waiting for a component means waiting for everything in it: the fleet's Auto Scaling group,
  // the device plugin's Helm release and the namespace.
  const plugin = mocks.one("hybridai:index:NvidiaDevicePlugin");
  for (const waited of [
    group,
    ...mocks.childrenOf(plugin.urn),
    mocks.one("kubernetes:core/v1:Namespace", "hybridai"),
  ]) {
    expect(deployment.dependencies).toContain(waited.urn);
  }

  const bucket = mocks.one("aws:s3/bucket:Bucket");
  expect(outputs).toEqual({
    url: "http://ranker.hybridai.svc.cluster.local:8000",
    modelUri: `s3://${bucket.state.bucket}/models/ranker`,
    autoScalingGroup: "hybridai-fleet-platform-prod-l4",
  });

  const objects = validateKubernetesObjects(mocks.resources);
  expect(
    objects
      .filter((o) => o.status === "validated")
      .map((o) => o.kind)
      .sort(),
  ).toEqual([
    "Deployment",
    "HorizontalPodAutoscaler",
    "Namespace",
    "NetworkPolicy",
    "PodDisruptionBudget",
    "Service",
    "ServiceAccount",
  ]);

  // The repository's compliance and cost packs pass it, as `npm run check -- --program` would.
  expect(await mandatoryViolations(run)).toEqual([]);
});
