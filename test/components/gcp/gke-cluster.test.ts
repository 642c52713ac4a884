import { HybridAiConfigError } from "pulumi-hybridai";
import { awaitOutput, installMocks, settle } from "pulumi-hybridai/testing";
import { beforeEach, describe, expect, it } from "vitest";
import { GkeCluster, GpuNodePool } from "../../../components/gcp";

/** The runner range allowed to reach the control plane (`pulumi up` needs a path to it). */
const AUTHORIZED = [{ cidrBlock: "203.0.113.0/24" }];

const mocks = installMocks();
beforeEach(() => mocks.reset());

const PRIMITIVE_ROLES = ["roles/owner", "roles/editor", "roles/viewer"];

describe("GkeCluster under mocks", () => {
  it("creates the cluster, a dedicated node identity with log/metric roles only, and a system pool", async () => {
    const gke = new GkeCluster("prod", {
      project: "acme-ml",
      region: "us-central1",
      masterAuthorizedNetworks: AUTHORIZED,
    });
    await settle();

    const component = mocks.one("hybridai:index:GcpGkeCluster", "prod");
    const children = mocks.childrenOf(component.urn).map((r) => r.type);
    expect(children).toEqual(
      expect.arrayContaining([
        "gcp:serviceaccount/account:Account",
        "gcp:projects/iAMMember:IAMMember",
        "gcp:container/cluster:Cluster",
        "gcp:container/nodePool:NodePool",
        "pulumi:providers:kubernetes",
      ]),
    );

    const account = mocks.one("gcp:serviceaccount/account:Account");
    expect(account.inputs).toMatchObject({ project: "acme-ml", accountId: "prod-2f61fd-nodes" });
    const email = "prod-2f61fd-nodes@acme-ml.iam.gserviceaccount.com";

    const grants = mocks.ofType("gcp:projects/iAMMember:IAMMember").map((r) => r.inputs);
    expect(grants.map((g) => g.role).sort()).toEqual([
      "roles/logging.logWriter",
      "roles/monitoring.metricWriter",
      "roles/monitoring.viewer",
      "roles/stackdriver.resourceMetadata.writer",
    ]);
    for (const grant of grants) {
      expect(grant.member).toBe(`serviceAccount:${email}`);
      expect(PRIMITIVE_ROLES).not.toContain(grant.role);
      expect(grant.role).toMatch(/^roles\/(logging|monitoring|stackdriver)\./);
    }

    const cluster = mocks.one("gcp:container/cluster:Cluster", "prod");
    expect(cluster.inputs.nodeConfig.serviceAccount).toBe(email);
    expect(cluster.inputs.workloadIdentityConfig).toEqual({ workloadPool: "acme-ml.svc.id.goog" });
    expect(cluster.inputs.privateClusterConfig.enablePrivateNodes).toBe(true);
    expect(cluster.options.ignoreChanges).toEqual(["initialNodeCount", "nodeConfig"]);

    const system = mocks.one("gcp:container/nodePool:NodePool", "prod-system");
    expect(system.inputs).toMatchObject({
      cluster: "prod",
      location: "us-central1",
      nodeConfig: { serviceAccount: email, workloadMetadataConfig: { mode: "GKE_METADATA" } },
    });
    expect(system.inputs.nodeConfig.serviceAccount).not.toMatch(/-compute@developer/);

    expect(await awaitOutput(gke.nodeServiceAccountEmail)).toBe(email);
    expect(gke.workloadPool).toBe("acme-ml.svc.id.goog");
  });

  it("hands out a gke-gcloud-auth-plugin kubeconfig and a provider that waits for the system pool", async () => {
    const gke = new GkeCluster("auth", {
      project: "acme-ml",
      region: "us-central1",
      masterAuthorizedNetworks: AUTHORIZED,
    });
    const kubeconfig = JSON.parse(await awaitOutput(gke.kubeconfig));
    expect(kubeconfig.clusters[0].cluster).toEqual({
      server: "https://34.118.0.10",
      "certificate-authority-data": expect.any(String),
    });
    expect(kubeconfig.users[0].user.exec).toMatchObject({
      command: "gke-gcloud-auth-plugin",
      apiVersion: "client.authentication.k8s.io/v1beta1",
      provideClusterInfo: true,
    });
    expect(kubeconfig["current-context"]).toBe("gke_acme-ml_us-central1_auth");
    await settle();
    const provider = mocks.one("pulumi:providers:kubernetes", "auth-k8s");
    const systemPool = mocks.one("gcp:container/nodePool:NodePool", "auth-system");
    expect(provider.dependencies).toContain(systemPool.urn);
    const secret = provider.inputs.kubeconfig as { value: string };
    expect(Object.values(secret)).toContain("1b47061264138c4ac30d75fd1eb44270"); // Pulumi's secret marker
    expect(JSON.parse(secret.value).users[0].user.exec.command).toBe("gke-gcloud-auth-plugin");
  });

  it("with a CMEK, grants the GKE service agent encrypt/decrypt on that key only, before the cluster", async () => {
    const key = "projects/acme-ml/locations/us-central1/keyRings/gke/cryptoKeys/etcd";
    new GkeCluster("cmek", {
      masterAuthorizedNetworks: AUTHORIZED,
      project: "acme-ml",
      region: "us-central1",
      databaseEncryptionKey: key,
    });
    await settle();
    const grant = mocks.one("gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember");
    expect(grant.inputs).toEqual({
      cryptoKeyId: key,
      role: "roles/cloudkms.cryptoKeyEncrypterDecrypter",
      member: "serviceAccount:service-123456789012@container-engine-robot.iam.gserviceaccount.com",
    });
    const cluster = mocks.one("gcp:container/cluster:Cluster", "cmek");
    expect(cluster.inputs.databaseEncryption).toEqual({ state: "ENCRYPTED", keyName: key });
    expect(cluster.dependencies).toContain(grant.urn);
  });

  it("gives private nodes egress: a Cloud Router and Cloud NAT on the cluster's network, which node pools wait for", async () => {
    const gke = new GkeCluster("egress", {
      project: "acme-ml",
      region: "us-central1",
      masterAuthorizedNetworks: AUTHORIZED,
    });
    new GpuNodePool("egress-gpu", {
      cluster: gke,
      accelerator: { type: "nvidia-l4" },
      capacity: { min: 0, max: 2 },
      nodeLocations: ["us-central1-a"],
    });
    await settle();
    const router = mocks.one("gcp:compute/router:Router");
    expect(router.inputs).toMatchObject({
      name: "egress-nat-router",
      project: "acme-ml",
      region: "us-central1",
      network: "default",
    });
    const nat = mocks.one("gcp:compute/routerNat:RouterNat");
    expect(nat.inputs).toMatchObject({
      name: "egress-nat",
      project: "acme-ml",
      region: "us-central1",
      router: "egress-nat-router",
      natIpAllocateOption: "AUTO_ONLY",
      sourceSubnetworkIpRangesToNat: "ALL_SUBNETWORKS_ALL_IP_RANGES",
      logConfig: { enable: true, filter: "ERRORS_ONLY" },
    });
    const pools = mocks.ofType("gcp:container/nodePool:NodePool");
    expect(pools.map((p) => p.name)).toEqual(["egress-system", "egress-gpu-on-demand"]);
    for (const pool of pools) expect(pool.dependencies).toContain(nat.urn);
  });

  it("NATs only the cluster's subnetwork when one is given, and leaves NAT out when the network has one", async () => {
    new GkeCluster("subnet", {
      project: "acme-ml",
      region: "us-central1",
      network: "ml-vpc",
      subnetwork: "ml-nodes",
      masterAuthorizedNetworks: AUTHORIZED,
    });
    await settle();
    expect(mocks.one("gcp:compute/router:Router").inputs.network).toBe("ml-vpc");
    expect(mocks.one("gcp:compute/routerNat:RouterNat").inputs).toMatchObject({
      sourceSubnetworkIpRangesToNat: "LIST_OF_SUBNETWORKS",
      subnetworks: [{ name: "ml-nodes", sourceIpRangesToNats: ["ALL_IP_RANGES"] }],
    });
    mocks.reset();
    new GkeCluster("own-nat", {
      project: "acme-ml",
      region: "us-central1",
      cloudNat: false,
      masterAuthorizedNetworks: AUTHORIZED,
    });
    await settle();
    expect(mocks.ofType("gcp:compute/routerNat:RouterNat")).toEqual([]);
    expect(mocks.ofType("gcp:compute/router:Router")).toEqual([]);
  });

  it("rejects bad arguments before registering anything", async () => {
    expect(
      () =>
        new GkeCluster("bad", {
          project: "acme-ml",
          region: "us-central1",
          releaseChannel: "NIGHTLY" as never,
        }),
    ).toThrow(HybridAiConfigError);
    expect(
      () =>
        new GkeCluster("bad2", {
          project: "x",
          region: "us-central1",
          masterAuthorizedNetworks: AUTHORIZED,
        }),
    ).toThrow(/project/);
    await settle();
    expect(mocks.resources).toEqual([]);
  });
});
