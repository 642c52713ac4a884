/** An IAM condition block: operator → condition key → value(s), e.g. `{ StringEquals: { "aws:SourceArn": "…" } }`. */
export type PolicyCondition = Record<string, Record<string, string | string[]>>;

/** An IAM principal: `"*"` or principal type → identifier(s). */
export type PolicyPrincipal = "*" | Record<string, string | string[]>;

/** One IAM policy statement, in the JSON shape AWS reads. */
export interface PolicyStatement {
  /** Statement id, for humans and for tests. */
  Sid: string;
  /** `Allow` or `Deny`. */
  Effect: "Allow" | "Deny";
  /** Who the statement applies to (resource and trust policies only). */
  Principal?: PolicyPrincipal;
  /** The actions, e.g. `s3:GetObject`. */
  Action: string[];
  /** The resources (absent in trust policies). */
  Resource?: string[];
  /** Conditions that must all hold. */
  Condition?: PolicyCondition;
}

/** An IAM policy document (identity, trust or resource policy). */
export interface PolicyDocument {
  /** Always `2012-10-17`. */
  Version: "2012-10-17";
  /** The statements. */
  Statement: PolicyStatement[];
}

/** Builds a policy document from statements. */
export function policyDocument(...statements: PolicyStatement[]): PolicyDocument {
  return { Version: "2012-10-17", Statement: statements };
}

function isWildcardAction(action: string): boolean {
  return action === "*" || /^[a-z0-9-]+:\*$/i.test(action);
}

/**
 * The grants in a document that break least privilege: an `Allow` of `*` (or `service:*`) on the
 * `*` resource, or an `Allow` of `*` on anything. Each entry names the statement and the grant.
 * Returns an empty list for a least-privilege document. Deny statements never count.
 */
export function wildcardGrants(document: PolicyDocument): string[] {
  const problems: string[] = [];
  for (const statement of document.Statement) {
    if (statement.Effect !== "Allow") continue;
    const resources = statement.Resource ?? [];
    for (const action of statement.Action.filter(isWildcardAction)) {
      if (action === "*" || resources.includes("*")) {
        problems.push(`${statement.Sid}: Allow ${action} on ${resources.join(", ") || "(any)"}`);
      }
    }
  }
  return problems;
}
