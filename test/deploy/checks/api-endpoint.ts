import type { RecordedResource } from "pulumi-hybridai/testing";
import { clustersOf, type RunCluster } from "../clusters";
import { DependencyGraph } from "../graph";
import { runLabel, type StackRun } from "../run-stack";

const OPEN = ["0.0.0.0/0", "::/0"];

/** Ingress rules opening TCP 443 on a security group, from any source. */
function httpsIngressTo(records: readonly RecordedResource[], groupId: string): RecordedResource[] {
  return records.filter((r) => {
    const i = r.inputs;
    const covers443 = (from: number, to: number) => from <= 443 && to >= 443;
    if (r.type === "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule") {
      return (
        i.securityGroupId === groupId && i.ipProtocol === "tcp" && covers443(i.fromPort, i.toPort)
      );
    }
    if (r.type === "aws:ec2/securityGroupRule:SecurityGroupRule") {
      return (
        i.type === "ingress" && i.securityGroupId === groupId && covers443(i.fromPort, i.toPort)
      );
    }
    return false;
  });
}

function eksProblems(run: StackRun, cluster: RunCluster, graph: DependencyGraph): string[] {
  const vpc = cluster.record.inputs.vpcConfig ?? {};
  const where = `${runLabel(run)}: EKS cluster ${cluster.name}`;
  if (vpc.endpointPublicAccess) {
    const cidrs: string[] = vpc.publicAccessCidrs ?? [];
    if (cidrs.length === 0 || cidrs.some((c) => OPEN.includes(c))) {
      return [
        `${where}: a public endpoint needs an allow-list of runner CIDRs, got ${JSON.stringify(cidrs)}`,
      ];
    }
    return [];
  }
  const groupId = cluster.record.state.vpcConfig?.clusterSecurityGroupId;
  const rules = httpsIngressTo(run.records, groupId);
  if (rules.length === 0) {
    return [
      `${where}: the endpoint is private and nothing opens 443 on the cluster security group ` +
        `${groupId} to a runner inside the VPC`,
    ];
  }
  return cluster.providers.flatMap((provider) =>
    rules
      .filter((rule) => !graph.waitsFor(provider, rule.urn))
      .map((rule) => `${where}: provider ${provider} does not wait for ${rule.name}`),
  );
}

function gkeProblems(run: StackRun, cluster: RunCluster): string[] {
  const networks = cluster.record.inputs.masterAuthorizedNetworksConfig?.cidrBlocks ?? [];
  return networks.length === 0
    ? [
        `${runLabel(run)}: GKE cluster ${cluster.name} authorizes no network to reach its control ` +
          "plane, so only addresses inside the VPC can apply Kubernetes objects",
      ]
    : [];
}

/**
 * Every cluster the stack applies Kubernetes objects to has an API endpoint the machine running
 * `pulumi up` can reach: EKS public with a CIDR allow-list, or private with 443 opened on the
 * cluster security group (and the provider waiting for that rule); GKE with authorized networks.
 */
export function apiEndpointProblems(run: StackRun): string[] {
  const graph = new DependencyGraph(run.records);
  return clustersOf(run.records)
    .filter((cluster) =>
      run.records.some(
        (r) =>
          r.type.startsWith("kubernetes:") &&
          r.provider &&
          cluster.providers.some((p) => r.provider?.startsWith(p)),
      ),
    )
    .flatMap((cluster) =>
      cluster.cloud === "aws" ? eksProblems(run, cluster, graph) : gkeProblems(run, cluster),
    );
}
