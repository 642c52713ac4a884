import { describe, expect, it } from "vitest";
import { serviceAccountId } from "../../../components/gcp";

const VALID_ID = /^[a-z][-a-z0-9]{4,28}[a-z0-9]$/;

describe("serviceAccountId", () => {
  it("keeps short, clean names as they are", () => {
    expect(serviceAccountId("prod", "nodes")).toBe("prod-nodes");
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
