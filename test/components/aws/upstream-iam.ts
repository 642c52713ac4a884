import type { aws } from "pulumi-hybridai";
import type {
  UpstreamCondition,
  UpstreamIamGrant,
  UpstreamIamPolicy,
} from "../../fixtures/upstream/types";
import { type IamRequest, isAllowed } from "./iam-evaluate";

/** The account the comparison instantiates upstream's `*` region and account in. */
export const ORACLE_ACCOUNT = {
  partition: "aws",
  region: "us-west-2",
  accountId: "111122223333",
} as const;

/** Where hybridai deliberately grants less than upstream, and why. */
export interface PolicyReview {
  /** Actions left out on every resource, with the reason (e.g. ALB-only features). */
  leftOut?: Readonly<Record<string, string>>;
  /** Resource patterns left out for every action (matched as substrings), with the reason. */
  leftOutResources?: Readonly<Record<string, string>>;
  /**
   * Actions upstream grants on `*` that hybridai grants on narrower resources: the resource
   * patterns (upstream style, `*` for region and account) and the context the narrowing relies
   * on, which hybridai's own resources always carry (e.g. the cluster's owner tag).
   */
  narrowed?: Readonly<
    Record<
      string,
      { resources: readonly string[]; context?: IamRequest["context"]; reason: string }
    >
  >;
}

/** A concrete resource ARN in {@link ORACLE_ACCOUNT} for an upstream resource pattern. */
export function instantiate(pattern: string): string {
  if (pattern === "*") return "*";
  const [arn, partition, service, region, account, ...rest] = pattern.split(":");
  const resource = rest.join(":").replaceAll("*", "k8s-sample-0a1b2c3d");
  return [
    arn,
    partition === "aws" ? ORACLE_ACCOUNT.partition : partition,
    service,
    region === "*" ? ORACLE_ACCOUNT.region : region,
    account === "*" ? ORACLE_ACCOUNT.accountId : account,
    resource,
  ].join(":");
}

/**
 * Request contexts that satisfy an upstream condition block: one per value of a multi-valued
 * `StringEquals`, tag keys present (`Null: false`) or absent (`Null: true`) as it asks.
 */
export function contextsFor(condition: UpstreamCondition | undefined): Record<string, string>[] {
  let contexts: Record<string, string>[] = [{}];
  for (const [operator, keys] of Object.entries(condition ?? {})) {
    for (const [key, wanted] of Object.entries(keys)) {
      const options = Array.isArray(wanted) ? wanted : [wanted];
      if (operator === "Null") {
        contexts = options.includes("true")
          ? contexts
          : contexts.map((c) => ({ ...c, [key]: "hybridai" }));
      } else if (operator === "StringEquals") {
        contexts = contexts.flatMap((c) => options.map((value) => ({ ...c, [key]: value })));
      } else {
        throw new Error(`upstream condition operator ${operator} is not modelled`);
      }
    }
  }
  return contexts;
}

/** The concrete requests one upstream grant allows, minus what the review leaves out. */
function requestsOf(grant: UpstreamIamGrant, review: PolicyReview): IamRequest[] {
  const leftOutResource = (pattern: string) =>
    Object.keys(review.leftOutResources ?? {}).some((part) => pattern.includes(part));
  return grant.actions
    .filter((action) => !review.leftOut?.[action])
    .flatMap((action) =>
      grant.resources
        .filter((pattern) => !leftOutResource(pattern))
        .flatMap((pattern) => {
          const narrowed = pattern === "*" ? review.narrowed?.[action] : undefined;
          const resources = narrowed ? narrowed.resources.map(instantiate) : [instantiate(pattern)];
          return resources.flatMap((resource) =>
            contextsFor(grant.condition).map((context) => ({
              action,
              resource,
              context: { ...context, ...narrowed?.context },
            })),
          );
        }),
    );
}

/**
 * Every request the upstream policy allows (less what the review leaves out, on the narrowed
 * resources where it narrows) that `ours` denies, as readable lines; empty when ours grants
 * every one of them.
 */
export function deniedUpstreamRequests(
  upstream: UpstreamIamPolicy,
  ours: aws.PolicyDocument,
  review: PolicyReview,
): string[] {
  return upstream.grants
    .flatMap((grant) => requestsOf(grant, review))
    .filter((request) => !isAllowed(ours, request))
    .map(
      (r) =>
        `${upstream.name} ${upstream.version} needs ${r.action} on ${r.resource}` +
        (Object.keys(r.context ?? {}).length > 0 ? ` with ${JSON.stringify(r.context)}` : ""),
    );
}

/** Review entries that name an action or resource pattern upstream does not grant (stale). */
export function staleReviewEntries(upstream: UpstreamIamPolicy, review: PolicyReview): string[] {
  const actions = new Set(upstream.grants.flatMap((g) => g.actions));
  const patterns = upstream.grants.flatMap((g) => g.resources);
  const starActions = new Set(
    upstream.grants.filter((g) => g.resources.includes("*")).flatMap((g) => g.actions),
  );
  return [
    ...Object.keys(review.leftOut ?? {}).filter((a) => !actions.has(a)),
    ...Object.keys(review.leftOutResources ?? {}).filter(
      (part) => !patterns.some((p) => p.includes(part)),
    ),
    ...Object.keys(review.narrowed ?? {}).filter((a) => !starActions.has(a)),
  ];
}
