import { aws } from "pulumi-hybridai";
import type { MockRecorder } from "pulumi-hybridai/testing";
import { expect } from "vitest";

const { wildcardGrants } = aws;
type PolicyDocument = aws.PolicyDocument;

/** Parses a recorded IAM policy JSON and checks it is a least-privilege document. */
export function leastPrivilegeDocument(json: unknown): PolicyDocument {
  expect(typeof json).toBe("string");
  const document = JSON.parse(json as string) as PolicyDocument;
  expect(document.Version).toBe("2012-10-17");
  expect(document.Statement.length).toBeGreaterThan(0);
  expect(wildcardGrants(document)).toEqual([]);
  return document;
}

/** The trust and permission documents of the IRSA role whose logical name is `name`. */
export function irsaRole(mocks: MockRecorder, name: string) {
  const role = mocks.one("aws:iam/role:Role", name);
  const policy = mocks.one("aws:iam/rolePolicy:RolePolicy", name);
  return {
    role,
    trust: leastPrivilegeDocument(role.inputs.assumeRolePolicy),
    permissions: leastPrivilegeDocument(policy.inputs.policy),
  };
}

/** The managed policy names attached to the role with this logical name. */
export function attachedManagedPolicies(mocks: MockRecorder, roleName: string): string[] {
  const role = mocks.one("aws:iam/role:Role", roleName);
  return mocks
    .ofType("aws:iam/rolePolicyAttachment:RolePolicyAttachment")
    .filter((a) => a.inputs.role === role.state.name)
    .map((a) => String(a.inputs.policyArn).replace(/^arn:aws:iam::aws:policy\//, ""))
    .sort();
}

/** The Kubernetes pieces of an add-on chart's values. */
interface AddonValues {
  nodeSelector?: Record<string, string>;
  affinity?: object;
  priorityClassName?: string;
  tolerations?: unknown[];
  resources?: object;
  securityContext?: object;
  containerSecurityContext?: object;
  serviceAccount?: { annotations?: Record<string, string> };
  rbac?: { serviceAccount?: { annotations?: Record<string, string> } };
}

/**
 * A Pod built from the Kubernetes pieces of an add-on's Helm values (node selector, tolerations,
 * priority class, resources, security contexts), for schema validation.
 */
export function podFromHelmValues(
  raw: Record<string, unknown>,
  name: string,
): Record<string, unknown> {
  const values = raw as AddonValues;
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      name,
      annotations: values.serviceAccount?.annotations ?? values.rbac?.serviceAccount?.annotations,
    },
    spec: {
      nodeSelector: values.nodeSelector,
      ...(values.affinity ? { affinity: values.affinity } : {}),
      priorityClassName: values.priorityClassName,
      ...(values.tolerations ? { tolerations: values.tolerations } : {}),
      ...(values.securityContext ? { securityContext: values.securityContext } : {}),
      containers: [
        {
          name,
          image: "registry.example/addon:1",
          resources: values.resources,
          ...(values.containerSecurityContext
            ? { securityContext: values.containerSecurityContext }
            : {}),
        },
      ],
    },
  };
}
