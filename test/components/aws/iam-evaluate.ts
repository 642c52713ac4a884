import type { aws } from "pulumi-hybridai";

type PolicyDocument = aws.PolicyDocument;
type PolicyStatement = aws.PolicyDocument["Statement"][number];

/** One API request as IAM sees it: the action, the resource ARN and the request's context keys. */
export interface IamRequest {
  /** e.g. `elasticloadbalancing:AddTags`. */
  action: string;
  /** The resource ARN, or `*` for actions without resource-level permissions. */
  resource: string;
  /** Context keys present in the request (e.g. `aws:RequestTag/<key>`), with their values. */
  context?: Record<string, string | string[]>;
}

const compiled = new Map<string, RegExp>();

/** An IAM wildcard pattern (`*` any run of characters, `?` one character) as a regular expression. */
function wildcard(pattern: string, caseInsensitive = false): RegExp {
  const key = `${caseInsensitive ? "i" : "s"}${pattern}`;
  const cached = compiled.get(key);
  if (cached) return cached;
  const body = pattern
    .split("")
    .map((c) => (c === "*" ? ".*" : c === "?" ? "." : c.replace(/[.+^${}()|[\]\\/]/g, "\\$&")))
    .join("");
  const regex = new RegExp(`^${body}$`, caseInsensitive ? "i" : "");
  compiled.set(key, regex);
  return regex;
}

function values(value: string | string[] | undefined): string[] {
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}

/** The condition operators our policies use, with IAM's semantics for single-valued keys. */
const OPERATORS: Record<string, (present: string[], wanted: string[]) => boolean> = {
  StringEquals: (present, wanted) => present.some((p) => wanted.includes(p)),
  StringLike: (present, wanted) => present.some((p) => wanted.some((w) => wildcard(w).test(p))),
  ArnEquals: (present, wanted) => present.some((p) => wanted.includes(p)),
  ArnLike: (present, wanted) => present.some((p) => wanted.some((w) => wildcard(w).test(p))),
  Bool: (present, wanted) => present.some((p) => wanted.includes(p)),
};

function conditionHolds(statement: PolicyStatement, request: IamRequest): boolean {
  const context = request.context ?? {};
  return Object.entries(statement.Condition ?? {}).every(([operator, keys]) =>
    Object.entries(keys).every(([key, wanted]) => {
      const present = values(context[key]);
      if (operator === "Null") {
        // "true": the key must be absent; "false": it must be present.
        return values(wanted).includes("true") ? present.length === 0 : present.length > 0;
      }
      const test = OPERATORS[operator];
      if (!test) throw new Error(`${statement.Sid}: condition operator ${operator} not modelled`);
      return test(present, values(wanted));
    }),
  );
}

function matches(statement: PolicyStatement, request: IamRequest): boolean {
  const action = statement.Action.some((a) => wildcard(a, true).test(request.action));
  const resource = (statement.Resource ?? ["*"]).some((r) => wildcard(r).test(request.resource));
  return action && resource && conditionHolds(statement, request);
}

/**
 * Whether an identity policy allows a request, by IAM's evaluation rules for one policy: an
 * explicit Deny wins, otherwise some Allow statement must match action, resource and every
 * condition. Throws on a condition operator it does not model, so it never allows by omission.
 */
export function isAllowed(document: PolicyDocument, request: IamRequest): boolean {
  const applicable = document.Statement.filter((s) => matches(s, request));
  return (
    applicable.some((s) => s.Effect === "Allow") && !applicable.some((s) => s.Effect === "Deny")
  );
}
