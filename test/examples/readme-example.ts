import * as k8s from "@pulumi/kubernetes";
import { aws, gcp, kubernetes } from "pulumi-hybridai";

/** The README's "30 seconds" program, kept compiling and running by readme-example.test.ts. */
export function readmeExample() {
  // One cloud-neutral accelerator spec, mapped to each cloud's instance or machine types.
  const gpus = {
    accelerator: { type: "nvidia-l4", count: 1 },
    capacity: { min: 1, max: 8, spot: { onDemandBase: 1 } }, // 1 on-demand node, spot above it
  } as const;

  // `pulumi up` talks to each cluster's API: allow your runner's address (here a documentation range).
  const runner = "203.0.113.0/24";
  const eks = new aws.EksCluster("prod-aws", {
    endpoint: { publicAccess: true, publicAccessCidrs: [runner] },
  });
  new aws.SpotFleet("l4", { cluster: eks, ...gpus }); // g6.xlarge and larger g6 sizes
  const store = new aws.ModelStore("models", { cluster: eks });
  new kubernetes.NvidiaDevicePlugin("nvidia", { provider: eks.provider });
  new k8s.core.v1.Namespace(
    "hybridai",
    { metadata: { name: "hybridai" } },
    { provider: eks.provider },
  );

  const ranker = new kubernetes.OnnxService("ranker", {
    provider: eks.provider,
    namespace: store.reader.namespace, // "hybridai"; the store trusts one service account there
    serviceAccount: {
      name: store.reader.serviceAccountName,
      annotations: store.reader.annotations,
    },
    image: "ghcr.io/acme/hybridai-serving-runtime:0.1.0-cuda",
    model: { uri: store.uriFor("ranker") },
    accelerator: gpus.accelerator,
    replicas: { min: 2, max: 20 },
    spotNotice: "aws",
  });

  const gke = new gcp.GkeCluster("prod-gcp", {
    project: "acme-ml",
    region: "us-central1",
    masterAuthorizedNetworks: [{ cidrBlock: runner }],
  });
  new gcp.GpuNodePool("l4", { cluster: gke, ...gpus, nodeLocations: ["us-central1-a"] }); // g2-standard-4

  return { url: ranker.url };
}
