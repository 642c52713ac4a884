import { HybridAiConfigError } from "pulumi-hybridai";
import { describe, expect, it } from "vitest";
import { type GkeClusterArgs, planGkeCluster } from "../../../components/gcp";

const BASE: GkeClusterArgs & { clusterName: string } = {
  clusterName: "ml",
  project: "acme-ml",
  region: "us-central1",
  masterAuthorizedNetworks: [{ cidrBlock: "203.0.113.0/24", displayName: "ci" }],
};

function rejection(args: Partial<GkeClusterArgs>): HybridAiConfigError {
  try {
    planGkeCluster({ ...BASE, ...args });
  } catch (error) {
    expect(error).toBeInstanceOf(HybridAiConfigError);
    expect((error as HybridAiConfigError).component).toMatch(/^GcpGkeCluster/);
    return error as HybridAiConfigError;
  }
  throw new Error(`expected ${JSON.stringify(args)} to be rejected`);
}

describe("planGkeCluster: secure defaults", () => {
  const { cluster, systemNodePool } = planGkeCluster(BASE);

  it("is a regional Standard cluster without the default node pool", () => {
    expect(cluster).toMatchObject({
      name: "ml",
      project: "acme-ml",
      location: "us-central1",
      removeDefaultNodePool: true,
      initialNodeCount: 1,
      networkingMode: "VPC_NATIVE",
      deletionProtection: true,
    });
    expect(cluster.enableAutopilot).toBeUndefined();
  });

  it("keeps nodes private and the control plane behind authorized networks", () => {
    expect(cluster.privateClusterConfig).toMatchObject({
      enablePrivateNodes: true,
      enablePrivateEndpoint: false,
      masterIpv4CidrBlock: "172.16.0.32/28",
    });
    expect(cluster.masterAuthorizedNetworksConfig).toEqual({
      cidrBlocks: [{ cidrBlock: "203.0.113.0/24", displayName: "ci" }],
      gcpPublicCidrsAccessEnabled: false,
    });
    expect(cluster.masterAuth).toEqual({
      clientCertificateConfig: { issueClientCertificate: false },
    });
    expect(cluster.enableLegacyAbac).toBe(false);
  });

  it("turns on Workload Identity, shielded nodes, Dataplane V2 and a release channel", () => {
    expect(cluster).toMatchObject({
      workloadIdentityConfig: { workloadPool: "acme-ml.svc.id.goog" },
      enableShieldedNodes: true,
      datapathProvider: "ADVANCED_DATAPATH",
      releaseChannel: { channel: "REGULAR" },
    });
  });

  it("logs and monitors system components and workloads, with GPU (DCGM) metrics", () => {
    expect(cluster.loggingConfig?.enableComponents).toEqual(["SYSTEM_COMPONENTS", "WORKLOADS"]);
    expect(cluster.monitoringConfig?.enableComponents).toEqual(
      expect.arrayContaining(["SYSTEM_COMPONENTS", "DCGM"]),
    );
    expect(cluster.monitoringConfig?.managedPrometheus).toEqual({ enabled: true });
  });

  it("hardens even the short-lived default pool's node config", () => {
    expect(cluster.nodeConfig).toMatchObject({
      workloadMetadataConfig: { mode: "GKE_METADATA" },
      shieldedInstanceConfig: { enableSecureBoot: true, enableIntegrityMonitoring: true },
      oauthScopes: ["https://www.googleapis.com/auth/cloud-platform"],
    });
  });

  it("leaves etcd on Google-managed keys unless a CMEK is given", () => {
    expect(cluster.databaseEncryption).toEqual({ state: "DECRYPTED" });
    const key = "projects/acme-ml/locations/us-central1/keyRings/gke/cryptoKeys/etcd";
    const plan = planGkeCluster({ ...BASE, databaseEncryptionKey: key });
    expect(plan.cluster.databaseEncryption).toEqual({ state: "ENCRYPTED", keyName: key });
    expect(plan.databaseEncryptionKey).toBe(key);
  });

  it("sizes a small on-demand system pool by total node counts", () => {
    expect(systemNodePool).toMatchObject({
      autoscaling: { totalMinNodeCount: 1, totalMaxNodeCount: 3, locationPolicy: "BALANCED" },
      nodeConfig: { machineType: "e2-standard-4", diskSizeGb: 50 },
    });
    expect(systemNodePool.nodeConfig?.spot).toBeUndefined();
  });
});

describe("planGkeCluster: options and rejections", () => {
  it("takes a private endpoint, authorized networks, ranges and a channel", () => {
    const { cluster } = planGkeCluster({
      ...BASE,
      privateEndpoint: true,
      masterAuthorizedNetworks: [{ cidrBlock: "10.0.0.0/8" }],
      podsRangeName: "pods",
      servicesRangeName: "services",
      releaseChannel: "STABLE",
    });
    expect(cluster.privateClusterConfig?.enablePrivateEndpoint).toBe(true);
    expect(cluster.masterAuthorizedNetworksConfig?.cidrBlocks).toEqual([
      { cidrBlock: "10.0.0.0/8", displayName: "10.0.0.0/8" },
    ]);
    expect(cluster.ipAllocationPolicy).toEqual({
      clusterSecondaryRangeName: "pods",
      servicesSecondaryRangeName: "services",
    });
    expect(cluster.releaseChannel).toEqual({ channel: "STABLE" });
  });

  it("starts the system pool within its bounds: GKE's three default zones, or the zones given", () => {
    const defaults = planGkeCluster(BASE).systemNodePool;
    expect(defaults.nodeLocations).toBeUndefined();
    expect(defaults.initialNodeCount).toBe(1); // 3 zones × 1 within 1–3
    const one = planGkeCluster({
      ...BASE,
      nodeLocations: ["us-central1-a", "us-central1-b"],
      systemNodePool: { minNodes: 1, maxNodes: 1 },
    }).systemNodePool;
    expect(one).toMatchObject({ nodeLocations: ["us-central1-a"], initialNodeCount: 1 });
  });

  it.each([
    [
      { systemNodePool: { minNodes: 1, maxNodes: 2 } },
      "nodeLocations",
      /GKE spreads the pool over three zones by default.*1–2/,
    ],
    [{ project: "Acme" }, "project", /GCP project id/],
    [{ clusterName: "c".repeat(41) }, "clusterName", /at most 40 characters/],
    [
      { masterAuthorizedNetworks: [] },
      "masterAuthorizedNetworks",
      /only addresses inside the VPC can connect.*`pulumi up` applies Kubernetes objects through it.*runner's CIDR/,
    ],
    [{ masterAuthorizedNetworks: undefined }, "masterAuthorizedNetworks", /at least one network/],
    [{ clusterName: "Prod" }, "clusterName", /a lowercase letter first/],
    [{ region: "us-central1-a" }, "region", /GCP region/],
    [{ releaseChannel: "BETA" as never }, "releaseChannel", /RAPID, REGULAR, STABLE, EXTENDED/],
    [{ masterIpv4CidrBlock: "172.16.0.0/24" }, "masterIpv4CidrBlock", /prefix length \/28/],
    [
      { masterAuthorizedNetworks: [{ cidrBlock: "0.0.0.0/33" }] },
      "masterAuthorizedNetworks[0].cidrBlock",
      /IPv4 CIDR/,
    ],
    [{ databaseEncryptionKey: "etcd-key" }, "databaseEncryptionKey", /projects\/<project>/],
    [
      { databaseEncryptionKey: "projects/p/locations/europe-west4/keyRings/r/cryptoKeys/k" },
      "databaseEncryptionKey",
      /location us-central1/,
    ],
    [{ nodeLocations: ["us-east1-b"] }, "nodeLocations", /us-central1/],
    [{ systemNodePool: { minNodes: 4, maxNodes: 3 } }, "capacity.min", /capacity\.max \(3\)/],
  ] as [Partial<GkeClusterArgs>, string, RegExp][])("rejects %j at %s", (args, field, allowed) => {
    const error = rejection(args);
    expect(error.field).toBe(field);
    expect(error.message).toMatch(allowed);
  });
});
