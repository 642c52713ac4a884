import * as k8s from "@pulumi/kubernetes";
import { aws, kubernetes } from "pulumi-hybridai";

/** docs/existing-clusters.md's AWS program, kept running by its test. */
export function existingEksClusterExample() {
  // Look the cluster up by name: endpoint, CA, OIDC issuer, security group, subnets, version
  // and access mode come from EKS. Nothing of the cluster itself is created or changed.
  const platform = aws.EksCluster.get("platform", {
    clusterName: "platform-prod",
    systemNodeGroupName: "system", // an on-demand node group of yours, for hybridai's add-ons
  });

  const l4 = new aws.GpuNodeGroup("l4", {
    cluster: platform,
    accelerator: { type: "nvidia-l4", count: 1 },
    capacity: { min: 0, max: 8, spot: { onDemandBase: 1 } },
  });
  new aws.SpotFleet("a10g", {
    cluster: platform,
    accelerator: { type: "nvidia-a10g", count: 1 },
    capacity: { min: 1, max: 12, spot: { onDemandBase: 1, onDemandPercentAboveBase: 25 } },
  });
  const store = new aws.ModelStore("models", { cluster: platform });

  // Leave these out (and out of waitFor) if the cluster has them, or runs the GPU Operator.
  const plugin = new kubernetes.NvidiaDevicePlugin("nvidia", { provider: platform.provider });
  const namespace = new k8s.core.v1.Namespace(
    "hybridai",
    { metadata: { name: "hybridai" } },
    { provider: platform.provider },
  );

  const ranker = new kubernetes.OnnxService("ranker", {
    provider: platform.provider,
    namespace: store.reader.namespace, // "hybridai"
    serviceAccount: {
      name: store.reader.serviceAccountName,
      annotations: store.reader.annotations,
    },
    model: { uri: store.uriFor("ranker") },
    accelerator: { type: "nvidia-l4", count: 1 },
    spotNotice: "aws",
    capacity: { waitFor: [l4, plugin, namespace] },
  });

  return { url: ranker.url, nodeRoleArn: platform.nodeRoleArn };
}
