import * as k8s from "@pulumi/kubernetes";
import { gcp, kubernetes } from "pulumi-hybridai";

/** docs/existing-clusters.md's GCP program, kept running by its test. */
export function existingGkeClusterExample() {
  // Look the cluster up: endpoint, CA, Workload Identity pool and mode come from GKE. A
  // least-privilege node service account is created for the new pools.
  const serving = gcp.GkeCluster.get("serving", {
    clusterName: "serving",
    project: "acme-ml",
    region: "us-central1",
  });

  const l4 = new gcp.GpuNodePool("l4", {
    cluster: serving,
    accelerator: { type: "nvidia-l4", count: 1 },
    capacity: { min: 1, max: 8, spot: { onDemandBase: 1 } },
    nodeLocations: ["us-central1-a", "us-central1-b"],
  });
  const store = new gcp.ModelStore("models", { cluster: serving });

  // GKE installs the GPU driver and device plugin itself.
  const namespace = new k8s.core.v1.Namespace(
    "hybridai",
    { metadata: { name: "hybridai" } },
    { provider: serving.provider },
  );

  const ranker = new kubernetes.OnnxService("ranker", {
    provider: serving.provider,
    namespace: store.reader.namespace, // "hybridai"
    serviceAccount: {
      name: store.reader.serviceAccountName,
      annotations: store.reader.annotations,
    },
    model: { uri: store.uriFor("ranker") },
    accelerator: { type: "nvidia-l4", count: 1 },
    capacity: { waitFor: [l4, namespace] },
  });

  return { url: ranker.url, nodeServiceAccount: serving.nodeServiceAccountEmail };
}
