import { clusterOfObject, clustersOf, type RunCluster } from "../clusters";
import { runLabel, type StackRun } from "../run-stack";

function eksAddon(run: StackRun, cluster: RunCluster, name: string) {
  return run.records.find(
    (r) =>
      r.type === "aws:eks/addon:Addon" &&
      r.inputs.addonName === name &&
      r.inputs.clusterName === cluster.name,
  );
}

function metricsApiProblem(run: StackRun, cluster: RunCluster): string | undefined {
  if (cluster.cloud === "gcp") return undefined; // GKE serves the metrics API itself.
  const chart = run.records.some(
    (r) =>
      r.type === "kubernetes:helm.sh/v3:Release" &&
      r.inputs.chart === "metrics-server" &&
      clusterOfObject([cluster], r) !== undefined,
  );
  return eksAddon(run, cluster, "metrics-server") || chart
    ? undefined
    : `EKS cluster ${cluster.name} runs HorizontalPodAutoscalers but no metrics-server: they hold minReplicas forever`;
}

function networkPolicyProblem(run: StackRun, cluster: RunCluster): string | undefined {
  if (cluster.cloud === "gcp") {
    const i = cluster.record.inputs;
    return i.datapathProvider === "ADVANCED_DATAPATH" || i.networkPolicy?.enabled
      ? undefined
      : `GKE cluster ${cluster.name} has NetworkPolicies but neither Dataplane V2 nor network policy enforcement`;
  }
  const cni = eksAddon(run, cluster, "vpc-cni");
  const config = JSON.parse(cni?.inputs.configurationValues ?? "{}");
  return config.enableNetworkPolicy === "true"
    ? undefined
    : `EKS cluster ${cluster.name} has NetworkPolicies but its vpc-cni add-on does not enforce them (enableNetworkPolicy)`;
}

/**
 * What the serving objects rely on the cluster to provide: a metrics API for every
 * HorizontalPodAutoscaler (EKS has none until metrics-server is installed) and enforcement for
 * every NetworkPolicy (the EKS VPC CNI ignores them unless its add-on enables it).
 */
export function clusterAddonProblems(run: StackRun): string[] {
  const clusters = clustersOf(run.records);
  const problems = new Set<string>();
  for (const object of run.records) {
    const cluster = clusterOfObject(clusters, object);
    if (!cluster) continue;
    const problem =
      object.type === "kubernetes:autoscaling/v2:HorizontalPodAutoscaler"
        ? metricsApiProblem(run, cluster)
        : object.type === "kubernetes:networking.k8s.io/v1:NetworkPolicy"
          ? networkPolicyProblem(run, cluster)
          : undefined;
    if (problem) problems.add(`${runLabel(run)}: ${problem}`);
  }
  return [...problems];
}
