import { accelerators, kubernetes } from "pulumi-hybridai";
import type { RecordedResource } from "pulumi-hybridai/testing";
import { type DependencyGraph, providerUrn } from "./graph";

/** The node label hybridai puts the accelerator type in, on every cloud. */
export const ACCELERATOR_LABEL = "hybridai.dev/accelerator";

const { GKE_TPU_ACCELERATOR_LABEL } = kubernetes;
const { ACCELERATOR_MODELS, ACCELERATOR_TYPES } = accelerators;

/** A Kubernetes cluster a stack run created, found from the raw provider resources. */
export interface RunCluster {
  /** Which cloud. */
  cloud: "aws" | "gcp";
  /** The cluster's physical name. */
  name: string;
  /** The `aws:eks/cluster:Cluster` or `gcp:container/cluster:Cluster` record. */
  record: RecordedResource;
  /** URNs of the Kubernetes providers built for it (children of the same component). */
  providers: string[];
}

/** Node capacity that carries accelerators: a managed node group, an Auto Scaling group or a GKE node pool. */
export interface AcceleratorCapacity {
  /** The node group, group or pool. */
  record: RecordedResource;
  /** The physical name of the cluster its nodes join. */
  cluster: string;
  /** The accelerator type its nodes are labelled with. */
  accelerator: string;
}

const CLUSTER_TYPES: Record<string, RunCluster["cloud"]> = {
  "aws:eks/cluster:Cluster": "aws",
  "gcp:container/cluster:Cluster": "gcp",
};

/** Every cluster of a run with the Kubernetes providers that talk to it. */
export function clustersOf(records: readonly RecordedResource[]): RunCluster[] {
  return records
    .filter((r) => CLUSTER_TYPES[r.type] !== undefined)
    .map((record) => ({
      cloud: CLUSTER_TYPES[record.type],
      name: String(record.state.name ?? record.inputs.name ?? record.name),
      record,
      providers: records
        .filter((p) => p.type === "pulumi:providers:kubernetes" && p.parent === record.parent)
        .map((p) => p.urn),
    }));
}

/** The cluster a Kubernetes object is applied to, through its provider. */
export function clusterOfObject(
  clusters: readonly RunCluster[],
  object: RecordedResource,
): RunCluster | undefined {
  const provider = object.provider ? providerUrn(object.provider) : undefined;
  return clusters.find((c) => provider !== undefined && c.providers.includes(provider));
}

const ASG_ACCELERATOR_TAG = `k8s.io/cluster-autoscaler/node-template/label/${ACCELERATOR_LABEL}`;

/** Every node group, Auto Scaling group and node pool whose nodes carry an accelerator. */
export function acceleratorCapacity(records: readonly RecordedResource[]): AcceleratorCapacity[] {
  const found: AcceleratorCapacity[] = [];
  for (const record of records) {
    const inputs = record.inputs;
    if (record.type === "aws:eks/nodeGroup:NodeGroup" && inputs.labels?.[ACCELERATOR_LABEL]) {
      found.push({
        record,
        cluster: inputs.clusterName,
        accelerator: inputs.labels[ACCELERATOR_LABEL],
      });
    }
    if (record.type === "aws:autoscaling/group:Group") {
      const tags = (inputs.tags ?? []) as { key: string; value: string }[];
      const accelerator = tags.find((t) => t.key === ASG_ACCELERATOR_TAG)?.value;
      const owner = tags.find((t) => t.key.startsWith("kubernetes.io/cluster/"));
      if (accelerator && owner) {
        found.push({
          record,
          cluster: owner.key.slice("kubernetes.io/cluster/".length),
          accelerator,
        });
      }
    }
    if (
      record.type === "gcp:container/nodePool:NodePool" &&
      inputs.nodeConfig?.labels?.[ACCELERATOR_LABEL]
    ) {
      found.push({
        record,
        cluster: inputs.cluster,
        accelerator: inputs.nodeConfig.labels[ACCELERATOR_LABEL],
      });
    }
  }
  return found;
}

/** The NVIDIA device plugin Helm releases applied through one of these providers. */
export function devicePluginReleases(
  records: readonly RecordedResource[],
  cluster: RunCluster,
): RecordedResource[] {
  return records.filter(
    (r) =>
      r.type === "kubernetes:helm.sh/v3:Release" &&
      r.inputs.chart === "nvidia-device-plugin" &&
      r.provider !== undefined &&
      cluster.providers.includes(providerUrn(r.provider)),
  );
}

/** A serving component whose pods request accelerators, with its Kubernetes objects. */
export interface AcceleratedService {
  /** The `hybridai:index:OnnxService` component. */
  component: RecordedResource;
  /** The accelerator type its pods select. */
  accelerator: string;
  /** Every Kubernetes object below it. */
  objects: RecordedResource[];
}

/** Every OnnxService whose Deployment requests accelerators. */
export function acceleratedServices(graph: DependencyGraph): AcceleratedService[] {
  return graph.records
    .filter(
      (r) => r.type === "hybridai:index:OnnxService" || r.type === "hybridai:index:LlmService",
    )
    .flatMap((component) => {
      const objects = graph
        .descendants(component.urn)
        .filter((r) => r.custom && r.type.startsWith("kubernetes:"));
      const deployment = objects.find((o) => o.type === "kubernetes:apps/v1:Deployment");
      const selector = deployment?.inputs.spec?.template?.spec?.nodeSelector ?? {};
      // TPU pods select GKE's TPU labels: map the GKE accelerator name back to hybridai's type.
      const tpu = ACCELERATOR_TYPES.find(
        (t) => ACCELERATOR_MODELS[t].gkeAcceleratorType === selector[GKE_TPU_ACCELERATOR_LABEL],
      );
      const accelerator = selector[ACCELERATOR_LABEL] ?? tpu;
      return accelerator ? [{ component, accelerator, objects }] : [];
    });
}
