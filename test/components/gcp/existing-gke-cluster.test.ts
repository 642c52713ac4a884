import * as pulumi from "@pulumi/pulumi";
import { gcp } from "pulumi-hybridai";
import { awaitOutput, installMocks, type RecordedResource, settle } from "pulumi-hybridai/testing";
import { beforeAll, describe, expect, it } from "vitest";
import { compareScopes, normalizedInputs } from "../aws/compare-scopes";

const { GkeCluster, GpuNodePool, ModelStore, TpuNodePool } = gcp;

/** The runner range allowed to reach the control plane (`pulumi up` needs a path to it). */
const AUTHORIZED = [{ cidrBlock: "203.0.113.0/24" }];

/** What GKE reports for the platform team's cluster (`gcloud container clusters describe`). */
const SERVING = {
  name: "serving",
  project: "acme-ml",
  location: "us-central1",
  endpoint: "10.20.0.2",
  masterAuths: [{ clusterCaCertificate: "U0VSVklORyBDQQ==" }],
  workloadIdentityConfigs: [{ workloadPool: "acme-ml.svc.id.goog" }],
  enableAutopilot: false,
};

const mocks = installMocks({
  calls: ({ token, inputs }) =>
    token === "gcp:container/getCluster:getCluster" && inputs.name === "serving"
      ? SERVING
      : undefined,
});

const L4_POOL = {
  accelerator: { type: "nvidia-l4" as const, count: 1 },
  capacity: { min: 1, max: 4, spot: { onDemandBase: 1 } },
  nodeLocations: ["us-central1-a", "us-central1-b"],
};
const V5E_POOL = {
  accelerator: { type: "tpu-v5e" as const, topology: "2x2" },
  capacity: { min: 0, max: 1 },
  zone: "us-central1-a",
};

const { inBothScopes, descendants } = compareScopes(
  mocks,
  "test:index:OnCreated",
  "test:index:OnExisting",
);

let existing: gcp.ExistingGkeCluster;
let created: gcp.GkeCluster;

beforeAll(async () => {
  // The same pools and store on a cluster this program creates and on the existing one, in two
  // scopes of different types (URNs name parent types), so they can be compared side by side.
  const onCreated = new pulumi.ComponentResource("test:index:OnCreated", "scope");
  const onExisting = new pulumi.ComponentResource("test:index:OnExisting", "scope");
  created = new GkeCluster(
    "gke",
    {
      clusterName: "serving",
      project: "acme-ml",
      region: "us-central1",
      masterAuthorizedNetworks: AUTHORIZED,
    },
    { parent: onCreated },
  );
  existing = GkeCluster.get(
    "gke",
    { clusterName: "serving", project: "acme-ml", region: "us-central1" },
    { parent: onExisting },
  );
  for (const [parent, cluster] of [
    [onCreated, created],
    [onExisting, existing],
  ] as const) {
    new GpuNodePool("l4", { ...L4_POOL, cluster }, { parent });
    new TpuNodePool("v5e", { ...V5E_POOL, cluster }, { parent });
    new ModelStore("models", { cluster }, { parent });
  }
  await awaitOutput(existing.kubeconfig);
  await settle();
});

describe("gcp.GkeCluster.get: an existing cluster", () => {
  it("reads the cluster from GKE and creates none of its cluster-wide parts", () => {
    const lookups = mocks.calls.filter((c) => c.token === "gcp:container/getCluster:getCluster");
    expect(lookups.map((c) => c.inputs)).toEqual([
      { name: "serving", location: "us-central1", project: "acme-ml" },
    ]);
    const [ref] = mocks.ofType("hybridai:index:GcpExistingGkeCluster");
    const below = [...descendants(ref).values()].map((r) => r.type).sort();
    expect(below).toEqual([
      "gcp:projects/iAMMember:IAMMember",
      "gcp:projects/iAMMember:IAMMember",
      "gcp:projects/iAMMember:IAMMember",
      "gcp:projects/iAMMember:IAMMember",
      "gcp:serviceaccount/account:Account",
      "pulumi:providers:kubernetes",
    ]);
  });

  it("runs new pools as a least-privilege node account of its own, once its roles are granted", async () => {
    const [ref] = mocks.ofType("hybridai:index:GcpExistingGkeCluster");
    const [createdCluster] = mocks.ofType("hybridai:index:GcpGkeCluster");
    const mine = descendants(ref);
    const accountKey = "gcp:serviceaccount/account:Account gke-nodes";
    const account = mine.get(accountKey) as RecordedResource;
    expect(account.inputs.project).toBe("acme-ml");
    expect(account.inputs.accountId).toMatch(/^serving-[0-9a-f]{6}-nodes$/);
    // Not the id a cluster named "serving" created by hybridai gives its own node account.
    const createdAccount = descendants(createdCluster).get(accountKey) as RecordedResource;
    expect(createdAccount.inputs.accountId).toMatch(/^serving-[0-9a-f]{6}-nodes$/);
    expect(account.inputs.accountId).not.toBe(createdAccount.inputs.accountId);
    const grants = [...mine.values()].filter((r) => r.type === "gcp:projects/iAMMember:IAMMember");
    expect(grants.map((g) => g.inputs.role).sort()).toEqual([
      "roles/logging.logWriter",
      "roles/monitoring.metricWriter",
      "roles/monitoring.viewer",
      "roles/stackdriver.resourceMetadata.writer",
    ]);
    expect(grants.every((g) => g.inputs.member === account.state.member)).toBe(true);
    const [, pool] = inBothScopes("hybridai:index:GcpGpuNodePool", "l4");
    const pools = [...descendants(pool).values()];
    expect(pools.map((p) => p.name)).toEqual(["l4-on-demand", "l4-spot"]);
    for (const p of pools) {
      expect(p.inputs).toMatchObject({
        cluster: "serving",
        project: "acme-ml",
        location: "us-central1",
        nodeConfig: { serviceAccount: account.state.email },
      });
      expect(p.dependencies).toEqual(expect.arrayContaining(grants.map((g) => g.urn)));
    }
  });

  it("binds the model reader in the cluster's Workload Identity pool", () => {
    const [, store] = inBothScopes("hybridai:index:GcpModelStore", "models");
    const binding = descendants(store).get(
      "gcp:serviceaccount/iAMMember:IAMMember models-reader-workload-identity",
    );
    expect(binding?.inputs).toMatchObject({
      role: "roles/iam.workloadIdentityUser",
      member: "serviceAccount:acme-ml.svc.id.goog[hybridai/model-reader]",
    });
  });

  it("gives Kubernetes objects a provider for the cluster's endpoint and CA", async () => {
    const kubeconfig = JSON.parse(await awaitOutput(existing.kubeconfig));
    expect(kubeconfig.clusters).toEqual([
      {
        name: "gke_acme-ml_us-central1_serving",
        cluster: {
          server: "https://10.20.0.2",
          "certificate-authority-data": "U0VSVklORyBDQQ==",
        },
      },
    ]);
    expect(kubeconfig.users[0].user.exec.command).toBe("gke-gcloud-auth-plugin");
    const [ref] = mocks.ofType("hybridai:index:GcpExistingGkeCluster");
    const provider = descendants(ref).get("pulumi:providers:kubernetes gke-k8s");
    expect(provider?.inputs.enableServerSideApply).toBe("true");
    expect(existing.provider).toBeDefined();
  });
});

describe("a created GKE cluster and a looked-up one give pools and stores the same plan", () => {
  for (const [type, name] of [
    ["hybridai:index:GcpGpuNodePool", "l4"],
    ["hybridai:index:GcpTpuNodePool", "v5e"],
    ["hybridai:index:GcpModelStore", "models"],
  ] as const) {
    it(`${name}: the same resources with the same inputs, up to the node account`, async () => {
      const [onCreated, onExisting] = inBothScopes(type, name);
      const a = descendants(onCreated);
      const b = descendants(onExisting);
      expect(a.size).toBeGreaterThanOrEqual(1);
      expect([...b.keys()].sort()).toEqual([...a.keys()].sort());
      const createdEmail = {
        nodeServiceAccountEmail: await awaitOutput(created.nodeServiceAccountEmail),
      };
      const existingEmail = {
        nodeServiceAccountEmail: await awaitOutput(existing.nodeServiceAccountEmail),
      };
      for (const [key, record] of a) {
        const other = b.get(key) as RecordedResource;
        expect(normalizedInputs(other, existingEmail), key).toBe(
          normalizedInputs(record, createdEmail),
        );
      }
    });
  }
});
