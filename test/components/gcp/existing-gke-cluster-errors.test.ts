import { gcp } from "pulumi-hybridai";
import { installMocks, settle } from "pulumi-hybridai/testing";
import { describe, expect, it } from "vitest";
import { expectFailedWith, runCollectingErrors } from "../aws/program-errors";

const { GkeCluster, GpuNodePool, ModelStore, TpuNodePool } = gcp;

/** A healthy Standard cluster with Workload Identity as GKE reports it, changed per case. */
function clusterFacts(name: string, change: Record<string, unknown> = {}) {
  return {
    name,
    endpoint: "34.118.0.20",
    masterAuths: [{ clusterCaCertificate: "Q0E=" }],
    workloadIdentityConfigs: [{ workloadPool: "acme-ml.svc.id.goog" }],
    enableAutopilot: false,
    ...change,
  };
}

const CLUSTERS: Record<string, ReturnType<typeof clusterFacts>> = {
  "no-wi": clusterFacts("no-wi", { workloadIdentityConfigs: [] }),
  autopilot: clusterFacts("autopilot", { enableAutopilot: true }),
};

const mocks = installMocks({
  calls: ({ token, inputs }) =>
    token === "gcp:container/getCluster:getCluster" ? CLUSTERS[String(inputs.name)] : undefined,
});

const L4_POOL = {
  accelerator: { type: "nvidia-l4" as const },
  capacity: { min: 0, max: 2 },
  nodeLocations: ["us-central1-a"],
};
const WHERE = { project: "acme-ml", region: "us-central1" };

describe("gcp.GkeCluster.get refuses settings that cannot work, before looking anything up", () => {
  const refusals: [string, gcp.ExistingGkeClusterArgs, string][] = [
    [
      "a zonal cluster",
      { clusterName: "serving", project: "acme-ml", region: "us-central1-a" },
      `GcpExistingGkeCluster: region = "us-central1-a" is not valid. Allowed: the region of a regional GKE cluster, such as us-central1: hybridai node pools and model stores are planned per region, so a zonal cluster is not supported.`,
    ],
    [
      "a project id GCP would not accept",
      { clusterName: "serving", project: "Acme", region: "us-central1" },
      `GcpExistingGkeCluster: project = "Acme" is not valid. Allowed: a GCP project id: 6–30 lowercase letters, digits or hyphens, starting with a letter.`,
    ],
    [
      "a node service account that is not an email",
      { clusterName: "serving", ...WHERE, nodeServiceAccountEmail: "gke-nodes" },
      `GcpExistingGkeCluster: nodeServiceAccountEmail = "gke-nodes" is not valid. Allowed: a service account email such as gke-nodes@my-project.iam.gserviceaccount.com.`,
    ],
  ];
  for (const [what, args, message] of refusals) {
    it(`refuses ${what}`, async () => {
      await settle();
      const before = mocks.resources.length;
      const calls = mocks.calls.length;
      expect(() => GkeCluster.get("ref", args)).toThrow(message);
      await settle();
      expect(mocks.resources).toHaveLength(before);
      expect(mocks.calls).toHaveLength(calls);
    });
  }

  it("refuses a cluster argument that is neither a GkeCluster nor a lookup", () => {
    expect(
      () =>
        new GpuNodePool("l4", { ...L4_POOL, cluster: "serving" as unknown as gcp.GkeClusterRef }),
    ).toThrow(
      `GcpGpuNodePool: cluster = "serving" is not valid. Allowed: a gcp.GkeCluster, or an existing cluster from gcp.GkeCluster.get(name, { clusterName, project, region }).`,
    );
  });
});

describe("what GKE reports about an existing cluster fails the preview, naming the fix", () => {
  it("node pools on a cluster without Workload Identity (their nodes run the GKE metadata server)", async () => {
    const errors = await runCollectingErrors(() => {
      const cluster = GkeCluster.get("no-wi", { clusterName: "no-wi", ...WHERE });
      new GpuNodePool("l4", { ...L4_POOL, cluster });
    });
    expectFailedWith(
      errors,
      'GcpGpuNodePool: cluster.workloadPool = "" is not valid. Allowed: acme-ml.svc.id.goog: pool nodes run the GKE metadata server (workloadMetadataConfig GKE_METADATA), which needs Workload Identity on the cluster. Turn Workload Identity on with `gcloud container clusters update no-wi --location us-central1 --workload-pool=acme-ml.svc.id.goog`.',
    );
    expect(mocks.ofType("gcp:container/nodePool:NodePool")).toEqual([]);
  });

  it("a model store on a cluster without Workload Identity (its reader binding names the pool)", async () => {
    const errors = await runCollectingErrors(() => {
      const cluster = GkeCluster.get("no-wi", { clusterName: "no-wi", ...WHERE });
      new ModelStore("models", { cluster });
    });
    expectFailedWith(
      errors,
      "GcpModelStore: cluster.workloadPool = \"\" is not valid. Allowed: acme-ml.svc.id.goog: the reader's binding names the cluster's Workload Identity pool. Turn Workload Identity on with `gcloud container clusters update no-wi --location us-central1 --workload-pool=acme-ml.svc.id.goog`.",
    );
    expect(mocks.ofType("gcp:serviceaccount/iAMMember:IAMMember")).toEqual([]);
  });

  it("node pools on an Autopilot cluster, which takes none", async () => {
    const errors = await runCollectingErrors(() => {
      const cluster = GkeCluster.get("autopilot", { clusterName: "autopilot", ...WHERE });
      new TpuNodePool("v5e", {
        cluster,
        accelerator: { type: "tpu-v5e", topology: "2x2" },
        capacity: { min: 0, max: 1 },
        zone: "us-central1-a",
      });
    });
    expectFailedWith(
      errors,
      "GcpTpuNodePool: cluster.autopilot = true is not valid. Allowed: a GKE Standard cluster: Autopilot provisions its own nodes and takes no node pools (request GPUs and TPUs through pod node selectors there instead).",
    );
  });

  it("while a model store works on an Autopilot cluster (Workload Identity is always on there)", async () => {
    const errors = await runCollectingErrors(() => {
      const cluster = GkeCluster.get("autopilot", { clusterName: "autopilot", ...WHERE });
      new ModelStore("models", { cluster });
    });
    expect(errors).toEqual([]);
    expect(mocks.one("gcp:serviceaccount/iAMMember:IAMMember").inputs.member).toBe(
      "serviceAccount:acme-ml.svc.id.goog[hybridai/model-reader]",
    );
  });
});
