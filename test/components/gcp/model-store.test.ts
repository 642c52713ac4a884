import { HybridAiConfigError } from "pulumi-hybridai";
import { awaitOutput, installMocks, settle } from "pulumi-hybridai/testing";
import { describe, expect, it } from "vitest";
import { GkeCluster, ModelStore } from "../../../components/gcp";

/** The runner range allowed to reach the control plane (`pulumi up` needs a path to it). */
const AUTHORIZED = [{ cidrBlock: "203.0.113.0/24" }];

const mocks = installMocks();
const gke = new GkeCluster("ml", {
  project: "acme-ml",
  region: "us-central1",
  masterAuthorizedNetworks: AUTHORIZED,
});

const PRIMITIVE_ROLES = ["roles/owner", "roles/editor", "roles/viewer"];

describe("ModelStore under mocks", () => {
  it("grants reading on its own bucket only, to one Kubernetes service account", async () => {
    await settle();
    const projectGrantsBefore = mocks.ofType("gcp:projects/iAMMember:IAMMember").length;
    const store = new ModelStore("models", {
      cluster: gke,
      reader: { namespace: "serving", serviceAccountName: "ranker" },
    });
    await settle();

    const bucket = mocks.one("gcp:storage/bucket:Bucket", "models");
    expect(bucket.inputs).toMatchObject({
      uniformBucketLevelAccess: true,
      publicAccessPrevention: "enforced",
      versioning: { enabled: true },
      location: "US-CENTRAL1",
    });

    const reader = mocks.one("gcp:serviceaccount/account:Account", "models-reader");
    expect(reader.inputs).toMatchObject({ project: "acme-ml", accountId: "models-bc765b-reader" });
    const email = "models-bc765b-reader@acme-ml.iam.gserviceaccount.com";

    const bucketGrants = mocks.ofType("gcp:storage/bucketIAMMember:BucketIAMMember");
    expect(bucketGrants.map((g) => g.inputs)).toEqual([
      { bucket: "models", role: "roles/storage.objectViewer", member: `serviceAccount:${email}` },
    ]);

    const saGrants = mocks.ofType("gcp:serviceaccount/iAMMember:IAMMember");
    expect(saGrants.map((g) => g.inputs)).toEqual([
      {
        serviceAccountId: `projects/acme-ml/serviceAccounts/${email}`,
        role: "roles/iam.workloadIdentityUser",
        member: "serviceAccount:acme-ml.svc.id.goog[serving/ranker]",
      },
    ]);

    // In a fresh project the <project>.svc.id.goog pool exists only once a Workload Identity
    // cluster does: the binding must wait for the cluster.
    const cluster = mocks.one("gcp:container/cluster:Cluster", "ml");
    expect(saGrants[0]?.dependencies).toContain(cluster.urn);

    // Reading models needs no project-level role, and nothing grants a primitive role.
    expect(mocks.ofType("gcp:projects/iAMMember:IAMMember")).toHaveLength(projectGrantsBefore);
    const roles = mocks.resources.map((r) => r.inputs.role).filter(Boolean);
    for (const role of roles) expect(PRIMITIVE_ROLES).not.toContain(role);

    expect(store.reader.namespace).toBe("serving");
    expect(store.reader.serviceAccountName).toBe("ranker");
    expect(await awaitOutput(store.reader.annotations)).toEqual({
      "iam.gke.io/gcp-service-account": email,
    });
    expect(await awaitOutput(store.uriFor("ranker"))).toBe("gs://models/models/ranker");
    expect(() => store.uriFor("a/b")).toThrow(HybridAiConfigError);
  });

  it("with a CMEK, lets the Cloud Storage service agent use that key before the bucket exists", async () => {
    const key = "projects/acme-ml/locations/us-central1/keyRings/models/cryptoKeys/bucket";
    new ModelStore("secure", { cluster: gke, kmsKeyName: key, prefix: "repo/v1" });
    await settle();
    const grant = mocks.one("gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember", "secure-cmek");
    expect(grant.inputs).toEqual({
      cryptoKeyId: key,
      role: "roles/cloudkms.cryptoKeyEncrypterDecrypter",
      member: "serviceAccount:service-123456789012@gs-project-accounts.iam.gserviceaccount.com",
    });
    const bucket = mocks.one("gcp:storage/bucket:Bucket", "secure");
    expect(bucket.inputs.encryption).toEqual({ defaultKmsKeyName: key });
    expect(bucket.dependencies).toContain(grant.urn);
  });

  it("rejects a bad spec before registering anything", async () => {
    await settle();
    const before = mocks.resources.length;
    expect(() => new ModelStore("bad", { cluster: gke, softDeleteRetentionDays: 2 })).toThrow(
      /GcpModelStore: softDeleteRetentionDays = 2/,
    );
    await settle();
    expect(mocks.resources.slice(before)).toEqual([]);
  });

  it("rejects a name whose bucket name (name plus Pulumi's 8-character suffix) would pass 63 characters", async () => {
    await settle();
    const before = mocks.resources.length;
    expect(() => new ModelStore(`m${"o".repeat(55)}`, { cluster: gke })).toThrow(
      /GcpModelStore: name = "mo+" is not valid\. Allowed: .*at most 55 characters/,
    );
    await settle();
    expect(mocks.resources.slice(before)).toEqual([]);
  });
});
