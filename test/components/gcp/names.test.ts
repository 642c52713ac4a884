import { describe, expect, it } from "vitest";
import { nodePoolName, serviceAccountId } from "../../../components/gcp";

const VALID_ID = /^[a-z][-a-z0-9]{4,28}[a-z0-9]$/;

describe("serviceAccountId", () => {
  it("keeps short, clean names as they are when no region is given", () => {
    expect(serviceAccountId("prod", "nodes")).toBe("prod-nodes");
  });

  it("hashes the region in, so one cluster name in two regions of a project gets two ids", () => {
    const central = serviceAccountId("prod", "nodes", "us-central1");
    const europe = serviceAccountId("prod", "nodes", "europe-west4");
    expect(central).toBe("prod-2f61fd-nodes");
    expect(europe).toMatch(/^prod-[0-9a-f]{6}-nodes$/);
    expect(europe).not.toBe(central);
  });

  it.each([
    ["Prod_Cluster.EU", "nodes"],
    ["1st", "reader"],
    ["a", "b"],
    ["a-very-long-cluster-name-for-the-europe-region", "nodes"],
  ])("turns %s/%s into a valid GCP service account id", (name, suffix) => {
    expect(serviceAccountId(name, suffix)).toMatch(VALID_ID);
  });

  it("gives long names that share a prefix different ids", () => {
    const a = serviceAccountId("inference-cluster-production-east", "nodes");
    const b = serviceAccountId("inference-cluster-production-west", "nodes");
    expect(a).not.toBe(b);
    expect([a, b].every((id) => id.length <= 30)).toBe(true);
  });
});

describe("nodePoolName", () => {
  it("joins base and suffix when they fit GKE's 40 characters", () => {
    expect(nodePoolName("prod-gpu", "on-demand")).toBe("prod-gpu-on-demand");
  });

  it("shortens a long base with a hash, keeping the suffix and the 40-character limit", () => {
    const base = `inference-${"x".repeat(30)}-gpu`;
    const onDemand = nodePoolName(base, "on-demand");
    const spot = nodePoolName(base, "spot");
    expect(onDemand).toHaveLength(40);
    expect(onDemand).toMatch(/^inference-x+-[0-9a-f]{6}-on-demand$/);
    expect(spot.endsWith("-spot")).toBe(true);
    expect(spot.length).toBeLessThanOrEqual(40);
  });

  it("turns characters GKE refuses into hyphens", () => {
    expect(nodePoolName("Prod_GPU", "spot")).toBe("prod-gpu-spot");
  });
});
