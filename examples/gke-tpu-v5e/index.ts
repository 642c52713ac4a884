import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { gcp } from "pulumi-hybridai";

const config = new pulumi.Config();
const google = new pulumi.Config("gcp");

// A regional GKE Standard cluster: private nodes with Cloud NAT, Workload Identity, and a
// control plane only the runner's range can reach.
const cluster = new gcp.GkeCluster("tpu", {
  project: google.require("project"),
  region: google.require("region"),
  masterAuthorizedNetworks: [{ cidrBlock: config.require("runnerCidr"), displayName: "runner" }],
});

// One TPU v5e slice of 16 chips (4x4): four ct5lp-hightpu-4t hosts in a compact placement,
// which GKE creates and removes together. Spot, and zero slices until a pod asks for one.
const v5e = new gcp.TpuNodePool("v5e", {
  cluster,
  accelerator: { type: "tpu-v5e", topology: "4x4" },
  capacity: { min: 0, max: 1, spot: {} },
  zone: config.require("zone"),
});

// A versioned bucket for the model, readable by one Kubernetes service account.
const store = new gcp.ModelStore("models", {
  cluster,
  reader: { namespace: "inference", serviceAccountName: "model-reader" },
});

// The namespace and service account your TPU server (JetStream, vLLM on TPU, a JAX program)
// runs as: Workload Identity lets it read the store, nothing else.
const namespace = new k8s.core.v1.Namespace(
  "inference",
  { metadata: { name: store.reader.namespace } },
  { provider: cluster.provider },
);
new k8s.core.v1.ServiceAccount(
  "model-reader",
  {
    metadata: {
      name: store.reader.serviceAccountName,
      namespace: store.reader.namespace,
      annotations: store.reader.annotations,
    },
  },
  { provider: cluster.provider, dependsOn: [namespace] },
);

/** Node selector of the slice's hosts, for the TPU server's pods (one pod per host). */
export const tpuNodeSelector = {
  "cloud.google.com/gke-tpu-accelerator": v5e.slice.gkeAcceleratorType,
  "cloud.google.com/gke-tpu-topology": v5e.slice.topology,
};
/** `google.com/tpu` each pod requests: every chip of its host. */
export const tpuChipsPerPod = v5e.slice.chipsPerNode;
/** Hosts in the slice: the pods (or the JobSet's replicas) the server needs. */
export const tpuHosts = v5e.slice.nodeCount;
/** Upload the model here. */
export const modelUri = store.uriFor("ranker");
/** A kubeconfig for the cluster (uses gke-gcloud-auth-plugin). */
export const kubeconfig = cluster.kubeconfig;
