import * as iam from "@pulumi/aws/iam";
import * as pulumi from "@pulumi/pulumi";
import type { IrsaTrust } from "./iam-policies";
import { irsaTrustPolicy, managedPolicyArn, serviceTrustPolicy } from "./iam-policies";
import type { PolicyDocument } from "./policy-document";

/** Where an IRSA role is created and what it trusts and allows. */
export interface IrsaRoleSpec {
  /** The component creating the role (parent of the role and its policy). */
  parent: pulumi.Resource;
  /** The cluster's OIDC provider ARN. */
  oidcProviderArn: pulumi.Input<string>;
  /** The cluster's OIDC issuer URL. */
  oidcIssuer: pulumi.Input<string>;
  /** Namespace of the one service account that may assume the role. */
  namespace: string;
  /** Name of that service account. */
  serviceAccountName: string;
  /** The role's permissions, built once the ARNs it names are known. */
  permissions: pulumi.Input<PolicyDocument>;
  /** The role's `namePrefix` (at most 38 characters, ending in `-`; AWS appends a unique suffix). */
  namePrefix: string;
  /** The name of its inline policy (unique per role), e.g. `cluster-autoscaler`. */
  policyName: string;
  /** Component name for error messages. */
  component: string;
  /** Tags for the role. */
  tags?: Record<string, string>;
}

/**
 * Creates an IAM role that exactly one Kubernetes service account can assume through the
 * cluster's OIDC provider, with one inline policy. Returns the role.
 */
export function createIrsaRole(name: string, spec: IrsaRoleSpec): iam.Role {
  const trust = pulumi
    .all([spec.oidcProviderArn, spec.oidcIssuer])
    .apply(([oidcProviderArn, oidcIssuer]) =>
      irsaTrustPolicy(
        {
          oidcProviderArn,
          oidcIssuer,
          namespace: spec.namespace,
          serviceAccountName: spec.serviceAccountName,
        } satisfies IrsaTrust,
        spec.component,
      ),
    );
  const role = new iam.Role(
    name,
    {
      namePrefix: spec.namePrefix,
      assumeRolePolicy: trust.apply((doc) => JSON.stringify(doc)),
      tags: spec.tags,
    },
    { parent: spec.parent },
  );
  new iam.RolePolicy(
    name,
    {
      name: spec.policyName,
      role: role.id,
      policy: pulumi.output(spec.permissions).apply((doc) => JSON.stringify(doc)),
    },
    { parent: spec.parent },
  );
  return role;
}

/** Where a node role is created and what it is named and allowed. */
export interface NodeRoleSpec {
  /** The component creating the role. */
  parent: pulumi.Resource;
  /** The AWS partition, for managed policy ARNs. */
  partition: pulumi.Input<string>;
  /** The managed policies to attach, exactly. */
  policyNames: readonly string[];
  /** The role's `namePrefix` (at most 38 characters, ending in `-`). */
  namePrefix: string;
  /** Tags for the role. */
  tags?: Record<string, string>;
}

/**
 * Creates the IAM role EKS nodes run as, trusted by EC2, with exactly the managed policies in
 * `policyNames` attached, and `tags`.
 */
export function createNodeRole(name: string, spec: NodeRoleSpec): iam.Role {
  const { parent, partition, policyNames, tags = {} } = spec;
  const role = new iam.Role(
    name,
    {
      namePrefix: spec.namePrefix,
      assumeRolePolicy: JSON.stringify(serviceTrustPolicy("ec2.amazonaws.com")),
      tags,
    },
    { parent },
  );
  for (const policy of policyNames) {
    new iam.RolePolicyAttachment(
      `${name}-${policy}`,
      {
        role: role.name,
        policyArn: pulumi.output(partition).apply((p) => managedPolicyArn(p, policy)),
      },
      { parent },
    );
  }
  return role;
}
