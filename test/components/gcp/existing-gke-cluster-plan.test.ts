import { gcp } from "pulumi-hybridai";
import { describe, expect, it } from "vitest";

const { existingGkeClusterAttributes, planExistingGkeCluster } = gcp;

describe("existingGkeClusterAttributes", () => {
  it("reads a cluster without Workload Identity as an empty pool", () => {
    expect(
      existingGkeClusterAttributes({
        name: "serving",
        endpoint: "34.1.2.3",
        masterAuths: [{ clusterCaCertificate: "Q0E=" }],
        workloadIdentityConfigs: [],
        enableAutopilot: false,
      }),
    ).toEqual({
      name: "serving",
      endpoint: "34.1.2.3",
      clusterCaCertificate: "Q0E=",
      workloadPool: "",
      autopilot: false,
    });
  });
});

describe("planExistingGkeCluster", () => {
  const base = { clusterName: "serving", project: "acme-ml", region: "us-central1" };

  it("names a node account per program and stack, within GCP's 30 characters", () => {
    const a = planExistingGkeCluster({ ...base, uniqueIn: "infra/prod" });
    const b = planExistingGkeCluster({ ...base, uniqueIn: "ml-team/prod" });
    expect(a.nodeServiceAccountId).toMatch(/^serving-[0-9a-f]{6}-nodes$/);
    expect(b.nodeServiceAccountId).toMatch(/^serving-[0-9a-f]{6}-nodes$/);
    expect(a.nodeServiceAccountId).not.toBe(b.nodeServiceAccountId);
    const long = planExistingGkeCluster({
      ...base,
      clusterName: `a${"b".repeat(39)}`,
      uniqueIn: "x/y",
    });
    expect(long.nodeServiceAccountId?.length).toBeLessThanOrEqual(30);
  });

  it("creates no node account when one is given", () => {
    const plan = planExistingGkeCluster({
      ...base,
      nodeServiceAccountEmail: "gke-nodes@acme-ml.iam.gserviceaccount.com",
      uniqueIn: "p/s",
    });
    expect(plan).toEqual({ clusterName: "serving", project: "acme-ml", region: "us-central1" });
  });

  it("refuses a cluster name GKE would not accept", () => {
    expect(() =>
      planExistingGkeCluster({ ...base, clusterName: "Serving", uniqueIn: "p/s" }),
    ).toThrow(
      `GcpExistingGkeCluster: clusterName = "Serving" is not valid. Allowed: a GKE cluster name: a lowercase letter first, then lowercase letters, digits or '-', not ending in '-', at most 40 characters.`,
    );
  });
});
