import type { PropertyMap, RecordedResource } from "pulumi-hybridai/testing";
import { ACCELERATOR_LABEL, acceleratorCapacity, clusterOfObject, clustersOf } from "../clusters";
import { DependencyGraph, providerUrn } from "../graph";
import { durationMinutes, MIN_GPU_ROLLOUT_MINUTES } from "./workload-dependencies";

/** What one program run (a shipped stack or an example) registered, with a label for messages. */
export interface ProgramRecords {
  /** `stack (variant)` or `examples/<name>`. */
  label: string;
  /** Every resource it registered. */
  records: RecordedResource[];
}

/** The Kubernetes provider's await budget when `customTimeouts` says nothing: 10 minutes. */
export const DEFAULT_AWAIT_MINUTES = 10;

/** A Helm release's own wait (`timeout`, seconds) when not set: Helm's 300. */
export const HELM_DEFAULT_TIMEOUT_SECONDS = 300;

/**
 * Kinds the Kubernetes provider (4.x) awaits by itself: workloads until their pods are ready,
 * Jobs until done, Services until their selected pods are endpoints (and a load balancer has an
 * address), Ingresses until their backends have endpoints and an address. Custom resources are
 * awaited only with a `pulumi.com/waitFor` annotation.
 */
const AWAITED_TYPES = new Set([
  "kubernetes:apps/v1:Deployment",
  "kubernetes:apps/v1:StatefulSet",
  "kubernetes:apps/v1:DaemonSet",
  "kubernetes:batch/v1:Job",
  "kubernetes:core/v1:Pod",
  "kubernetes:core/v1:Service",
  "kubernetes:networking.k8s.io/v1:Ingress",
]);

/** Kinds whose pods a Service can select, with where their pod labels are. */
const POD_TEMPLATES: Readonly<Record<string, (inputs: PropertyMap) => unknown>> = {
  "kubernetes:apps/v1:Deployment": (i) => i.spec?.template?.metadata?.labels,
  "kubernetes:apps/v1:StatefulSet": (i) => i.spec?.template?.metadata?.labels,
  "kubernetes:apps/v1:DaemonSet": (i) => i.spec?.template?.metadata?.labels,
  "kubernetes:batch/v1:Job": (i) => i.spec?.template?.metadata?.labels,
  "kubernetes:core/v1:Pod": (i) => i.metadata?.labels,
};

/**
 * How long the cloud providers may take to create node capacity by default (their create
 * timeouts): what an object whose pods need those nodes waits on when it does not wait for them.
 */
export const CAPACITY_CREATE_MINUTES: Readonly<Record<string, number>> = {
  "aws:eks/nodeGroup:NodeGroup": 60,
  "aws:autoscaling/group:Group": 10,
  "gcp:container/nodePool:NodePool": 30,
};

/** The node label EKS puts the managed node group's name in. */
const NODEGROUP_LABEL = "eks.amazonaws.com/nodegroup";
/** The node label GKE puts the node pool's name in. */
const NODEPOOL_LABEL = "cloud.google.com/gke-nodepool";

/** An object the engine waits for, with how long it may take. */
export interface AwaitedObject {
  /** The record. */
  record: RecordedResource;
  /** Minutes `pulumi up` waits for it (the shorter of create and update). */
  minutes: number;
}

/** One thing an awaited object's readiness depends on, and how long that may take. */
interface ReadinessSource {
  /** What it waits on. */
  record: RecordedResource;
  /** That thing's own budget, in minutes. */
  minutes: number;
  /** Why the awaited object depends on it, for messages. */
  why: string;
}

function isAwaitedCustomResource(record: RecordedResource): boolean {
  return record.inputs.metadata?.annotations?.["pulumi.com/waitFor"] !== undefined;
}

function skipsAwait(record: RecordedResource): boolean {
  return (
    record.inputs.metadata?.annotations?.["pulumi.com/skipAwait"] === "true" ||
    record.inputs.skipAwait === true
  );
}

/** The await budget of an object, in minutes, or undefined when the engine does not wait for it. */
export function awaitMinutes(record: RecordedResource): number | undefined {
  if (!record.custom || skipsAwait(record)) return undefined;
  if (record.type === "kubernetes:helm.sh/v3:Release") {
    return Number(record.inputs.timeout ?? HELM_DEFAULT_TIMEOUT_SECONDS) / 60;
  }
  if (!AWAITED_TYPES.has(record.type) && !isAwaitedCustomResource(record)) return undefined;
  const { create, update } = record.options.customTimeouts;
  return Math.min(
    create ? durationMinutes(create) : DEFAULT_AWAIT_MINUTES,
    update ? durationMinutes(update) : DEFAULT_AWAIT_MINUTES,
  );
}

/** Every object of a run the engine awaits, with its budget. */
export function awaitedObjects(records: readonly RecordedResource[]): AwaitedObject[] {
  return records.flatMap((record) => {
    const minutes = awaitMinutes(record);
    return minutes === undefined ? [] : [{ record, minutes }];
  });
}

const namespaceOf = (r: RecordedResource): string => r.inputs.metadata?.namespace ?? "default";
const sameCluster = (a: RecordedResource, b: RecordedResource): boolean =>
  a.provider !== undefined &&
  b.provider !== undefined &&
  providerUrn(a.provider) === providerUrn(b.provider);

/** The workloads whose pods a Service selects (same cluster and namespace, labels a superset). */
function selectedWorkloads(
  service: RecordedResource,
  records: readonly RecordedResource[],
): RecordedResource[] {
  const selector = service.inputs.spec?.selector as Record<string, string> | undefined;
  if (
    !selector ||
    Object.keys(selector).length === 0 ||
    service.inputs.spec?.type === "ExternalName"
  )
    return [];
  return records.filter((workload) => {
    const labels = POD_TEMPLATES[workload.type]?.(workload.inputs) as
      | Record<string, string>
      | undefined;
    return (
      labels !== undefined &&
      sameCluster(service, workload) &&
      namespaceOf(service) === namespaceOf(workload) &&
      Object.entries(selector).every(([k, v]) => labels[k] === v)
    );
  });
}

/** The Services an Ingress routes to (same cluster and namespace). */
function ingressBackends(
  ingress: RecordedResource,
  records: readonly RecordedResource[],
): RecordedResource[] {
  const rules = (ingress.inputs.spec?.rules ?? []) as {
    http?: { paths?: { backend?: { service?: { name?: string } } }[] };
  }[];
  const names = new Set([
    ingress.inputs.spec?.defaultBackend?.service?.name,
    ...rules.flatMap((r) => (r.http?.paths ?? []).map((p) => p.backend?.service?.name)),
  ]);
  return records.filter(
    (r) =>
      r.type === "kubernetes:core/v1:Service" &&
      names.has(r.inputs.metadata?.name) &&
      sameCluster(ingress, r) &&
      namespaceOf(ingress) === namespaceOf(r),
  );
}

/** The node selector of a pod-bearing object or a Helm release's values. */
function nodeSelectorOf(record: RecordedResource): Record<string, string> {
  if (record.type === "kubernetes:helm.sh/v3:Release")
    return record.inputs.values?.nodeSelector ?? {};
  const template =
    record.type === "kubernetes:core/v1:Pod" ? record.inputs : record.inputs.spec?.template;
  return template?.spec?.nodeSelector ?? {};
}

/** The node capacity of the run an object's pods are pinned to (by node group, pool or accelerator). */
function pinnedCapacity(
  record: RecordedResource,
  records: readonly RecordedResource[],
): RecordedResource[] {
  const selector = nodeSelectorOf(record);
  const clusters = clustersOf(records);
  const cluster = clusterOfObject(clusters, record);
  if (!cluster) return [];
  const byName = records.filter(
    (r) =>
      (r.type === "aws:eks/nodeGroup:NodeGroup" &&
        selector[NODEGROUP_LABEL] !== undefined &&
        (r.state.nodeGroupName ?? r.inputs.nodeGroupName) === selector[NODEGROUP_LABEL]) ||
      (r.type === "gcp:container/nodePool:NodePool" &&
        selector[NODEPOOL_LABEL] !== undefined &&
        (r.state.name ?? r.inputs.name) === selector[NODEPOOL_LABEL]),
  );
  const accelerator = selector[ACCELERATOR_LABEL];
  const byAccelerator = accelerator
    ? acceleratorCapacity(records)
        .filter((c) => c.cluster === cluster.name && c.accelerator === accelerator)
        .map((c) => c.record)
    : [];
  return [...byName, ...byAccelerator];
}

/** What an awaited object's readiness depends on, with those things' own budgets. */
function readinessSources(
  awaited: AwaitedObject,
  records: readonly RecordedResource[],
  budgets: ReadonlyMap<string, number>,
): ReadinessSource[] {
  const { record } = awaited;
  const pods = (workload: RecordedResource, why: string): ReadinessSource[] => {
    const minutes = budgets.get(workload.urn);
    return minutes === undefined ? [] : [{ record: workload, minutes, why }];
  };
  if (record.type === "kubernetes:core/v1:Service") {
    return selectedWorkloads(record, records).flatMap((w) =>
      pods(w, "its endpoints are that workload's pods"),
    );
  }
  if (record.type === "kubernetes:networking.k8s.io/v1:Ingress") {
    return ingressBackends(record, records).flatMap((service) =>
      selectedWorkloads(service, records).flatMap((w) =>
        pods(w, `its backend ${service.name}'s endpoints are that workload's pods`),
      ),
    );
  }
  return pinnedCapacity(record, records).map((capacity) => ({
    record: capacity,
    minutes: CAPACITY_CREATE_MINUTES[capacity.type] ?? DEFAULT_AWAIT_MINUTES,
    why: "its pods run on those nodes",
  }));
}

function kindAndName(r: RecordedResource): string {
  return `${r.type.split(":").at(-1)} ${r.name}`;
}

/**
 * Every awaited Kubernetes object (workloads, Jobs, Services, Ingresses, Helm releases, custom
 * resources with `pulumi.com/waitFor`) whose budget is shorter than something its readiness
 * depends on and that it does not wait for first (`dependsOn` or inputs): a Service's selected
 * workloads, an Ingress's backends' workloads, the node capacity a workload or release is pinned
 * to. A Service that such a workload waits for can never become ready (it awaits the pods the
 * workload only creates after it): reported too. Accelerator workloads on a cloud cluster also
 * need {@link MIN_GPU_ROLLOUT_MINUTES} (a GPU node from zero once its group exists).
 */
export function waitBudgetProblems(run: ProgramRecords): string[] {
  const graph = new DependencyGraph(run.records);
  const awaited = awaitedObjects(run.records);
  const budgets = new Map(awaited.map((a) => [a.record.urn, a.minutes]));
  const clusters = clustersOf(run.records);
  const problems: string[] = [];
  for (const object of awaited) {
    for (const source of readinessSources(object, run.records, budgets)) {
      if (graph.waitsFor(source.record.urn, object.record.urn)) {
        problems.push(
          `${run.label}: ${kindAndName(object.record)} awaits ${kindAndName(source.record)} (${source.why}), which waits for it: it can never become ready`,
        );
      } else if (
        !graph.waitsFor(object.record.urn, source.record.urn) &&
        object.minutes < source.minutes
      ) {
        problems.push(
          `${run.label}: ${kindAndName(object.record)} waits ${object.minutes}m, but ${kindAndName(source.record)} may take ${source.minutes}m (${source.why})`,
        );
      }
    }
    const accelerator = nodeSelectorOf(object.record)[ACCELERATOR_LABEL];
    if (
      accelerator &&
      POD_TEMPLATES[object.record.type] &&
      clusterOfObject(clusters, object.record) &&
      object.minutes < MIN_GPU_ROLLOUT_MINUTES
    ) {
      problems.push(
        `${run.label}: ${kindAndName(object.record)} runs ${accelerator} pods but waits ${object.minutes}m; a GPU node from zero needs at least ${MIN_GPU_ROLLOUT_MINUTES}m`,
      );
    }
  }
  return problems;
}
