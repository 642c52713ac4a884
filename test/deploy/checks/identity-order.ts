import { DependencyGraph } from "../graph";
import { runLabel, type StackRun } from "../run-stack";

const WORKLOAD_POOL_MEMBER = /serviceAccount:([^[]+\.svc\.id\.goog)\[/;

/**
 * IAM bindings that name an identity pool wait for what creates it: a GKE Workload Identity
 * member (`<project>.svc.id.goog[ns/sa]`) for the cluster that enables that pool (the binding
 * fails in a fresh project until the first Workload Identity cluster exists), an EKS IRSA trust
 * for the OIDC provider it federates with.
 */
export function identityOrderProblems(run: StackRun): string[] {
  const graph = new DependencyGraph(run.records);
  const problems: string[] = [];
  const gkeClusters = run.records.filter((r) => r.type === "gcp:container/cluster:Cluster");
  const oidcProviders = run.records.filter(
    (r) => r.type === "aws:iam/openIdConnectProvider:OpenIdConnectProvider",
  );
  for (const record of run.records) {
    const members: string[] = [record.inputs.member, ...(record.inputs.members ?? [])].filter(
      (m): m is string => typeof m === "string",
    );
    for (const member of members) {
      const pool = WORKLOAD_POOL_MEMBER.exec(member)?.[1];
      if (!pool) continue;
      const owners = gkeClusters.filter(
        (c) => c.inputs.workloadIdentityConfig?.workloadPool === pool,
      );
      if (owners.length === 0) {
        problems.push(
          `${runLabel(run)}: ${record.name} binds ${member} but no cluster enables ${pool}`,
        );
      }
      for (const owner of owners.filter((c) => !graph.waitsFor(record.urn, c.urn))) {
        problems.push(
          `${runLabel(run)}: ${record.type} ${record.name} binds ${member} before cluster ${owner.name} creates the pool`,
        );
      }
    }
    if (record.type === "aws:iam/role:Role") {
      const trust = JSON.parse(record.inputs.assumeRolePolicy ?? "{}");
      const federated: string[] = (trust.Statement ?? [])
        .map((s: { Principal?: { Federated?: string } }) => s.Principal?.Federated)
        .filter((f: unknown): f is string => typeof f === "string");
      for (const arn of federated) {
        const provider = oidcProviders.find((p) => p.state.arn === arn);
        if (!provider || !graph.waitsFor(record.urn, provider.urn)) {
          problems.push(
            `${runLabel(run)}: role ${record.name} trusts ${arn} without waiting for that OIDC provider`,
          );
        }
      }
    }
  }
  return problems;
}
