import { describe, expect, it } from "vitest";
import {
  gcpNoPublicIamMembers,
  gcsBucketCmek,
  gcsBucketNotPublic,
  gkeMasterAuthorizedNetworks,
  gkeNoLegacyAbac,
  gkePrivateNodes,
  gkeWorkloadIdentity,
} from "../../../policies/compliance/src";
import { notApplicableReasons, violationsOf } from "../harness";

const BUCKET = "gcp:storage/bucket:Bucket";
const CLUSTER = "gcp:container/cluster:Cluster";
const NODE_POOL = "gcp:container/nodePool:NodePool";

describe("gcs-bucket-not-public", () => {
  it("reports fine-grained ACLs and inherited public access prevention", async () => {
    expect(
      await violationsOf(gcsBucketNotPublic, { type: BUCKET, props: { location: "US" } }),
    ).toEqual([
      'bucket "subject": uniformBucketLevelAccess is not true (object ACLs can make objects public); publicAccessPrevention is unset (inherited), not "enforced".',
    ]);
  });

  it("accepts uniform access with enforced prevention", async () => {
    const locked = {
      type: BUCKET,
      props: { uniformBucketLevelAccess: true, publicAccessPrevention: "enforced" },
    };
    expect(await violationsOf(gcsBucketNotPublic, locked)).toEqual([]);
  });
});

describe("gcs-bucket-cmek (advisory)", () => {
  it("reports Google-managed keys and accepts a default KMS key", async () => {
    expect(await violationsOf(gcsBucketCmek, { type: BUCKET, props: {} })).toEqual([
      'bucket "subject" uses Google-managed keys; set encryption.defaultKmsKeyName for CMEK.',
    ]);
    const cmek = {
      type: BUCKET,
      props: {
        encryption: { defaultKmsKeyName: "projects/p/locations/us/keyRings/r/cryptoKeys/k" },
      },
    };
    expect(await violationsOf(gcsBucketCmek, cmek)).toEqual([]);
    expect(gcsBucketCmek.enforcementLevel).toBe("advisory");
  });
});

describe("gcp-no-public-iam-members", () => {
  it("reports allUsers on a bucket member, allAuthenticatedUsers in a binding and in a policy", async () => {
    const member = {
      type: "gcp:storage/bucketIAMMember:BucketIAMMember",
      props: { bucket: "b", role: "roles/storage.objectViewer", member: "allUsers" },
    };
    expect(await violationsOf(gcpNoPublicIamMembers, member)).toEqual([
      '"subject" grants roles/storage.objectViewer to allUsers.',
    ]);
    const binding = {
      type: "gcp:projects/iAMBinding:IAMBinding",
      props: {
        project: "p",
        role: "roles/viewer",
        members: ["user:a@example.com", "allAuthenticatedUsers"],
      },
    };
    expect(await violationsOf(gcpNoPublicIamMembers, binding)).toEqual([
      '"subject" grants roles/viewer to allAuthenticatedUsers.',
    ]);
    const policy = {
      type: "gcp:storage/bucketIAMPolicy:BucketIAMPolicy",
      props: {
        bucket: "b",
        policyData: JSON.stringify({
          bindings: [{ role: "roles/storage.objectViewer", members: ["allUsers"] }],
        }),
      },
    };
    expect(await violationsOf(gcpNoPublicIamMembers, policy)).toHaveLength(1);
  });

  it("accepts service accounts and is not applicable to non-IAM types", async () => {
    const member = {
      type: "gcp:projects/iAMMember:IAMMember",
      props: {
        project: "p",
        role: "roles/logging.logWriter",
        member: "serviceAccount:nodes@p.iam.gserviceaccount.com",
      },
    };
    expect(await violationsOf(gcpNoPublicIamMembers, member)).toEqual([]);
    expect(
      await notApplicableReasons(gcpNoPublicIamMembers, { type: BUCKET, props: {} }),
    ).toHaveLength(1);
  });
});

describe("GKE cluster policies", () => {
  const hardened = {
    type: CLUSTER,
    props: {
      enableLegacyAbac: false,
      workloadIdentityConfig: { workloadPool: "p.svc.id.goog" },
      privateClusterConfig: {
        enablePrivateNodes: true,
        enablePrivateEndpoint: false,
        masterIpv4CidrBlock: "172.16.0.32/28",
      },
      masterAuthorizedNetworksConfig: {
        cidrBlocks: [{ cidrBlock: "203.0.113.0/24" }],
        gcpPublicCidrsAccessEnabled: false,
      },
    },
  };
  const bare = { type: CLUSTER, props: { location: "us-central1" } };

  it("gke-no-legacy-abac", async () => {
    expect(
      await violationsOf(gkeNoLegacyAbac, { type: CLUSTER, props: { enableLegacyAbac: true } }),
    ).toEqual(['GKE cluster "subject" enables legacy ABAC; set enableLegacyAbac: false.']);
    expect(await violationsOf(gkeNoLegacyAbac, bare)).toEqual([]);
  });

  it("gke-workload-identity: cluster without a pool, node pool on the GCE metadata server", async () => {
    expect(await violationsOf(gkeWorkloadIdentity, bare)).toEqual([
      expect.stringContaining('GKE cluster "subject" does not enable Workload Identity'),
    ]);
    const leaky = {
      type: NODE_POOL,
      props: { nodeConfig: { workloadMetadataConfig: { mode: "GCE_METADATA" } } },
    };
    expect(await violationsOf(gkeWorkloadIdentity, leaky)).toEqual([
      expect.stringContaining('GKE node pool "subject" exposes the node\'s metadata server'),
    ]);
    expect(await violationsOf(gkeWorkloadIdentity, hardened)).toEqual([]);
    const pool = {
      type: NODE_POOL,
      props: { nodeConfig: { workloadMetadataConfig: { mode: "GKE_METADATA" } } },
    };
    expect(await violationsOf(gkeWorkloadIdentity, pool)).toEqual([]);
  });

  it("gke-private-nodes", async () => {
    expect(await violationsOf(gkePrivateNodes, bare)).toEqual([
      'GKE cluster "subject" gives nodes public IPs; set privateClusterConfig.enablePrivateNodes: true.',
    ]);
    const publicPool = { type: NODE_POOL, props: { networkConfig: { enablePrivateNodes: false } } };
    expect(await violationsOf(gkePrivateNodes, publicPool)).toHaveLength(1);
    expect(await violationsOf(gkePrivateNodes, hardened)).toEqual([]);
    expect(await violationsOf(gkePrivateNodes, { type: NODE_POOL, props: {} })).toEqual([]);
  });

  it("gke-master-authorized-networks: none, 0.0.0.0/0, all Google Cloud IPs; private endpoint passes", async () => {
    expect(await violationsOf(gkeMasterAuthorizedNetworks, bare)).toEqual([
      expect.stringContaining("has a public endpoint open to any network"),
    ]);
    const open = {
      type: CLUSTER,
      props: {
        masterAuthorizedNetworksConfig: {
          cidrBlocks: [{ cidrBlock: "0.0.0.0/0" }],
          gcpPublicCidrsAccessEnabled: true,
        },
      },
    };
    expect(await violationsOf(gkeMasterAuthorizedNetworks, open)).toEqual([
      'GKE cluster "subject" authorizes 0.0.0.0/0 to reach its control plane.',
      expect.stringContaining("(gcpPublicCidrsAccessEnabled); set it false."),
    ]);
    expect(await violationsOf(gkeMasterAuthorizedNetworks, hardened)).toEqual([]);
    const privateEndpoint = {
      type: CLUSTER,
      props: { privateClusterConfig: { enablePrivateNodes: true, enablePrivateEndpoint: true } },
    };
    expect(await violationsOf(gkeMasterAuthorizedNetworks, privateEndpoint)).toEqual([]);
  });
});
