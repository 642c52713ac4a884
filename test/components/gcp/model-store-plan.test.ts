import { HybridAiConfigError } from "pulumi-hybridai";
import { describe, expect, it } from "vitest";
import { type ModelStoreSpec, modelUri, planModelStore } from "../../../components/gcp";

const CLUSTER = { project: "acme-ml", region: "us-central1" };

function rejection(spec: ModelStoreSpec): HybridAiConfigError {
  try {
    planModelStore(spec, CLUSTER);
  } catch (error) {
    expect(error).toBeInstanceOf(HybridAiConfigError);
    expect((error as HybridAiConfigError).component).toBe("GcpModelStore");
    return error as HybridAiConfigError;
  }
  throw new Error(`expected ${JSON.stringify(spec)} to be rejected`);
}

describe("planModelStore", () => {
  const plan = planModelStore({}, CLUSTER);

  it("makes a private, versioned, regional bucket next to the cluster", () => {
    expect(plan.bucket).toMatchObject({
      project: "acme-ml",
      location: "US-CENTRAL1",
      uniformBucketLevelAccess: true,
      publicAccessPrevention: "enforced",
      versioning: { enabled: true },
      forceDestroy: false,
      softDeletePolicy: { retentionDurationSeconds: 7 * 86_400 },
    });
    expect(plan.bucket.encryption).toBeUndefined();
  });

  it("deletes replaced model versions after the retention days and cleans failed uploads", () => {
    expect(plan.bucket.lifecycleRules).toEqual([
      {
        action: { type: "Delete" },
        condition: { daysSinceNoncurrentTime: 30, withState: "ARCHIVED" },
      },
      { action: { type: "AbortIncompleteMultipartUpload" }, condition: { age: 1 } },
    ]);
    const custom = planModelStore({ noncurrentVersionRetentionDays: 3 }, CLUSTER);
    expect(custom.bucket.lifecycleRules?.[0]?.condition.daysSinceNoncurrentTime).toBe(3);
  });

  it("lets one Kubernetes service account read objects: objectViewer on the bucket, WI user on the SA", () => {
    expect(plan.readerRole).toBe("roles/storage.objectViewer");
    expect(plan.reader).toEqual({ namespace: "hybridai", serviceAccountName: "model-reader" });
    expect(plan.workloadIdentity).toEqual({
      role: "roles/iam.workloadIdentityUser",
      member: "serviceAccount:acme-ml.svc.id.goog[hybridai/model-reader]",
    });
    const custom = planModelStore(
      { reader: { namespace: "serving", serviceAccountName: "ranker" } },
      CLUSTER,
    );
    expect(custom.workloadIdentity.member).toBe(
      "serviceAccount:acme-ml.svc.id.goog[serving/ranker]",
    );
  });

  it("encrypts with a CMEK in the bucket's location", () => {
    const key = "projects/acme-ml/locations/us-central1/keyRings/models/cryptoKeys/bucket";
    const custom = planModelStore({ kmsKeyName: key }, CLUSTER);
    expect(custom.bucket.encryption).toEqual({ defaultKmsKeyName: key });
    expect(custom.kmsKeyName).toBe(key);
  });

  it.each([
    [
      { kmsKeyName: "projects/p/locations/us/keyRings/r/cryptoKeys/k" },
      "kmsKeyName",
      /us-central1/,
    ],
    [{ prefix: "/models/" }, "prefix", /without leading or trailing/],
    [{ reader: { namespace: "Serving" } }, "reader.namespace", /Kubernetes name/],
    [{ reader: { serviceAccountName: "a_b" } }, "reader.serviceAccountName", /Kubernetes name/],
    [{ noncurrentVersionRetentionDays: 0 }, "noncurrentVersionRetentionDays", /≥ 1/],
    [{ softDeleteRetentionDays: 3 }, "softDeleteRetentionDays", /0 \(off\) or 7–90/],
    [{ softDeleteRetentionDays: 91 }, "softDeleteRetentionDays", /from 0 to 90/],
    [{ location: "US" }, "location", /GCP region/],
  ] as [ModelStoreSpec, string, RegExp][])("rejects %j at %s", (spec, field, allowed) => {
    const error = rejection(spec);
    expect(error.field).toBe(field);
    expect(error.message).toMatch(allowed);
  });

  it("builds gs:// URIs and rejects model names that are not folder names", () => {
    expect(modelUri("models-1a2b", "models", "ranker")).toBe("gs://models-1a2b/models/ranker");
    expect(() => modelUri("b", "models", "../etc")).toThrow(/uriFor\(model\) = "\.\.\/etc"/);
    expect(() => modelUri("b", "models", "")).toThrow(HybridAiConfigError);
  });
});
