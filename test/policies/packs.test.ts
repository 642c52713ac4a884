import { describe, expect, it } from "vitest";
import { COMPLIANCE_PACK } from "../../policies/compliance/src";
import { COST_PACK } from "../../policies/cost/src";

/** The shipped policies and their default enforcement levels (docs/policies-and-check.md lists the same). */
const EXPECTED = {
  "hybridai-compliance": {
    "s3-bucket-encrypted": "mandatory",
    "s3-public-access-blocked": "mandatory",
    "s3-no-public-acl": "mandatory",
    "s3-no-public-policy": "mandatory",
    "ebs-encrypted": "mandatory",
    "eks-node-volumes-encrypted": "advisory",
    "gcs-bucket-not-public": "mandatory",
    "gcs-bucket-cmek": "advisory",
    "gcp-no-public-iam-members": "mandatory",
    "imdsv2-required": "mandatory",
    "security-group-no-public-admin-ingress": "mandatory",
    "security-group-no-public-ingress": "advisory",
    "iam-no-wildcard-admin": "mandatory",
    "kms-key-rotation": "mandatory",
    "eks-secrets-encryption": "mandatory",
    "eks-audit-logging": "mandatory",
    "eks-endpoint-restricted": "mandatory",
    "gke-no-legacy-abac": "mandatory",
    "gke-workload-identity": "mandatory",
    "gke-private-nodes": "mandatory",
    "gke-master-authorized-networks": "mandatory",
    "kubernetes-pod-security-restricted": "mandatory",
    "kubernetes-image-pinned": "mandatory",
    "kubernetes-image-registry-allowed": "mandatory",
    "kubernetes-resource-requests": "mandatory",
    "required-tags": "mandatory",
    "allowed-regions": "mandatory",
  },
  "hybridai-cost": {
    "accelerator-machine-types-allowed": "mandatory",
    "non-production-accelerators-spot-or-zero": "mandatory",
    "node-hourly-price-cap": "mandatory",
    "monthly-budget": "mandatory",
  },
};

describe.each([COMPLIANCE_PACK, COST_PACK])("pack $name", (pack) => {
  it("ships exactly the documented policies at their default levels", () => {
    const levels = Object.fromEntries(pack.policies.map((p) => [p.name, p.enforcementLevel]));
    expect(levels).toEqual(EXPECTED[pack.name as keyof typeof EXPECTED]);
    expect(new Set(pack.policies.map((p) => p.name)).size).toBe(pack.policies.length);
  });

  it("gives every policy a description, remediation steps and a config schema with defaults", () => {
    expect(pack.policies.length).toBeGreaterThan(0);
    for (const policy of pack.policies) {
      expect(policy.description.length, policy.name).toBeGreaterThan(20);
      expect(policy.remediationSteps.length, policy.name).toBeGreaterThan(20);
      expect(policy.configSchema.properties, policy.name).toBeTypeOf("object");
      expect(policy.configSchema.properties.enforcementLevel, policy.name).toBeUndefined();
      for (const [key, property] of Object.entries(policy.configSchema.properties)) {
        expect(property.default, `${policy.name}.${key}`).toBeDefined();
        expect(property.description, `${policy.name}.${key}`).toBeTypeOf("string");
      }
    }
  });
});
