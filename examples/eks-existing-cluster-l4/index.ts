import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { aws, kubernetes } from "pulumi-hybridai";

const config = new pulumi.Config();
const systemNodeGroupName = config.get("systemNodeGroupName");

// The cluster as EKS describes it: endpoint, CA, OIDC issuer, subnets, version, access mode.
// Nothing of the cluster itself is created or changed.
const cluster = aws.EksCluster.get("platform", {
  clusterName: config.require("clusterName"),
  ...(systemNodeGroupName ? { systemNodeGroupName } : {}),
});

// NVIDIA L4 nodes (g6 sizes): `onDemandBase` of them always on-demand, spot above, drained
// within the two-minute notice when EC2 takes a spot node back.
const l4 = { type: "nvidia-l4", count: 1 } as const;
const fleet = new aws.SpotFleet("l4", {
  cluster,
  accelerator: l4,
  capacity: {
    min: 1,
    max: config.requireNumber("maxNodes"),
    spot: { onDemandBase: config.requireNumber("onDemandBase") },
  },
});

// Versioned, KMS-encrypted S3 model repository, readable by one service account only.
const store = new aws.ModelStore("models", { cluster });

// Leave these two out if the cluster already runs a device plugin (or the GPU Operator) or has
// the namespace, and drop them from waitFor below.
const plugin = new kubernetes.NvidiaDevicePlugin("nvidia", { provider: cluster.provider });
const namespace = new k8s.core.v1.Namespace(
  "hybridai",
  { metadata: { name: "hybridai" } },
  { provider: cluster.provider },
);

const ranker = new kubernetes.OnnxService("ranker", {
  provider: cluster.provider,
  namespace: store.reader.namespace,
  serviceAccount: {
    name: store.reader.serviceAccountName,
    annotations: store.reader.annotations,
  },
  model: { uri: store.uriFor("ranker") },
  accelerator: l4,
  replicas: { min: 2, max: 8 },
  spotNotice: "aws",
  capacity: { waitFor: [fleet, plugin, namespace], mixedCapacityAccelerators: ["nvidia-l4"] },
});

/** In-cluster URL of the Open Inference Protocol endpoint. */
export const url = ranker.url;
/** Where to upload the model: `<uri>/1/model.onnx`. */
export const modelUri = store.uriFor("ranker");
/** The fleet's Auto Scaling group. */
export const autoScalingGroup = fleet.autoScalingGroupName;
