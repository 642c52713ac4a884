import { installMocks, validateKubernetesObjects } from "pulumi-hybridai/testing";
import { expect, it } from "vitest";
import { mandatoryViolations, runExample } from "./run-example";

installMocks();

it("creates a GKE cluster with a Spot TPU v5e 4x4 slice and a model store its TPU server can read", async () => {
  const run = await runExample("gke-tpu-v5e");
  const { mocks, outputs } = run;

  const cluster = mocks.one("gcp:container/cluster:Cluster");
  expect(cluster.inputs.location).toBe("us-central1");
  expect(cluster.inputs.masterAuthorizedNetworksConfig.cidrBlocks).toEqual([
    { cidrBlock: "203.0.113.0/24", displayName: "runner" },
  ]);
  expect(cluster.inputs.workloadIdentityConfig.workloadPool).toBe("acme-ml.svc.id.goog");

  // One slice is one node pool of four 4-chip v5e hosts, placed compactly in one zone, on Spot,
  // scaling between none and the whole slice, tainted so only TPU pods land there.
  const pools = mocks
    .ofType("gcp:container/nodePool:NodePool")
    .filter((p) => p.name.startsWith("v5e"));
  expect(pools).toHaveLength(1);
  const pool = pools[0].inputs;
  expect(pool.nodeLocations).toEqual(["us-central1-a"]);
  expect(pool.nodeConfig.machineType).toBe("ct5lp-hightpu-4t");
  expect(pool.nodeConfig.spot).toBe(true);
  expect(pool.placementPolicy).toEqual({ type: "COMPACT", tpuTopology: "4x4" });
  expect(pool.autoscaling).toMatchObject({ totalMinNodeCount: 0, totalMaxNodeCount: 4 });
  expect(pool.nodeConfig.taints).toEqual(
    expect.arrayContaining([{ key: "google.com/tpu", value: "present", effect: "NO_SCHEDULE" }]),
  );

  // The reader: a Google service account bound to exactly inference/model-reader.
  const binding = mocks
    .ofType("gcp:serviceaccount/iAMMember:IAMMember")
    .find((m) => m.inputs.role === "roles/iam.workloadIdentityUser");
  expect(binding?.inputs.member).toBe("serviceAccount:acme-ml.svc.id.goog[inference/model-reader]");
  const account = mocks.one("kubernetes:core/v1:ServiceAccount", "model-reader");
  expect(account.inputs.metadata.namespace).toBe("inference");
  expect(Object.keys(account.inputs.metadata.annotations)).toEqual([
    "iam.gke.io/gcp-service-account",
  ]);

  const bucket = mocks.one("gcp:storage/bucket:Bucket");
  expect(outputs).toMatchObject({
    tpuNodeSelector: {
      "cloud.google.com/gke-tpu-accelerator": "tpu-v5-lite-podslice",
      "cloud.google.com/gke-tpu-topology": "4x4",
    },
    tpuChipsPerPod: 4,
    tpuHosts: 4,
    modelUri: `gs://${bucket.state.name}/models/ranker`,
  });

  const objects = validateKubernetesObjects(mocks.resources);
  expect(objects.map((o) => `${o.kind}:${o.status}`).sort()).toEqual([
    "Namespace:validated",
    "ServiceAccount:validated",
  ]);

  // The repository's compliance and cost packs pass it, as `npm run check -- --program` would.
  expect(await mandatoryViolations(run)).toEqual([]);
});
