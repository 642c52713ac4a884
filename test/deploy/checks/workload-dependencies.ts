import {
  acceleratedServices,
  acceleratorCapacity,
  clusterOfObject,
  clustersOf,
  devicePluginReleases,
} from "../clusters";
import { DependencyGraph } from "../graph";
import { runLabel, type StackRun } from "../run-stack";

/**
 * Every Kubernetes object of a service whose pods need accelerators waits for the cluster's
 * capacity of that accelerator (each node group, Auto Scaling group or node pool carrying it)
 * and, where hybridai installs it (EKS), for the NVIDIA device plugin: otherwise the pods are
 * applied while no node can run them and the first `pulumi up` times out.
 */
export function workloadDependencyProblems(run: StackRun): string[] {
  const graph = new DependencyGraph(run.records);
  const clusters = clustersOf(run.records);
  const capacity = acceleratorCapacity(run.records);
  const problems: string[] = [];
  for (const service of acceleratedServices(graph)) {
    const where = `${runLabel(run)}: ${service.component.name}`;
    const cluster = clusterOfObject(clusters, service.objects[0]);
    if (!cluster) {
      problems.push(`${where}: its objects use no provider of a cluster the stack creates`);
      continue;
    }
    const needed = capacity.filter(
      (c) => c.cluster === cluster.name && c.accelerator === service.accelerator,
    );
    if (needed.length === 0) {
      problems.push(`${where}: cluster ${cluster.name} has no ${service.accelerator} capacity`);
    }
    const plugins = cluster.cloud === "aws" ? devicePluginReleases(run.records, cluster) : [];
    if (cluster.cloud === "aws" && plugins.length === 0) {
      problems.push(`${where}: cluster ${cluster.name} has no NVIDIA device plugin release`);
    }
    for (const object of service.objects) {
      for (const target of [...needed.map((c) => c.record), ...plugins]) {
        if (!graph.waitsFor(object.urn, target.urn)) {
          problems.push(
            `${where}: ${object.type} ${object.name} does not wait for ${target.type} ${target.name}`,
          );
        }
      }
    }
  }
  return problems;
}

/** Minutes of a Go duration such as `30m`, `1h`, `1h30m` or `90s`; 0 when empty. */
export function durationMinutes(duration: string): number {
  let minutes = 0;
  for (const [, amount, unit] of duration.matchAll(/(\d+(?:\.\d+)?)(h|m|s)/g)) {
    minutes += Number(amount) * ({ h: 60, m: 1, s: 1 / 60 } as const)[unit as "h" | "m" | "s"];
  }
  return minutes;
}

/**
 * The shortest create/update timeout a Deployment of accelerator pods may have: a GPU node from
 * zero (cluster-autoscaler gives up after 15 minutes), its driver and a multi-GB CUDA image take
 * longer than the Kubernetes provider's 10-minute default.
 */
export const MIN_GPU_ROLLOUT_MINUTES = 20;

/** Deployments of accelerator pods whose rollout timeouts are shorter than a GPU node takes to come up. */
export function rolloutTimeoutProblems(run: StackRun): string[] {
  const graph = new DependencyGraph(run.records);
  return acceleratedServices(graph).flatMap((service) =>
    service.objects
      .filter((o) => o.type === "kubernetes:apps/v1:Deployment")
      .flatMap((deployment) => {
        const { create, update } = deployment.options.customTimeouts;
        return [create, update].some((t) => durationMinutes(t) < MIN_GPU_ROLLOUT_MINUTES)
          ? [
              `${runLabel(run)}: Deployment ${deployment.name} has custom timeouts ` +
                `create "${create}", update "${update}"; needs at least ${MIN_GPU_ROLLOUT_MINUTES}m`,
            ]
          : [];
      }),
  );
}
