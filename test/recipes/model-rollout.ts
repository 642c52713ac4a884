import * as pulumi from "@pulumi/pulumi";
import { aws, kubernetes } from "pulumi-hybridai";

/** The docs' "A new model version, rolled out safely" recipe. */
export function modelRollout() {
  // The release to serve: bump it after publishing the new version to the store.
  const revision = new pulumi.Config().require("rankerRevision");

  const cluster = aws.EksCluster.get("platform", { clusterName: "platform-prod" });
  const store = new aws.ModelStore("models", { cluster });

  // Argo Rollouts once per cluster: pinned chart, Gateway API plugin, CRDs.
  const argo = new kubernetes.ArgoRollouts("argo-rollouts", { provider: cluster.provider });

  const ranker = new kubernetes.OnnxService("ranker", {
    provider: cluster.provider,
    namespace: store.reader.namespace,
    serviceAccount: {
      name: store.reader.serviceAccountName,
      annotations: store.reader.annotations,
    },
    model: { uri: store.uriFor("ranker"), revision },
    accelerator: { type: "nvidia-l4", count: 1 },
    replicas: { min: 2, max: 8 },
    serviceMonitor: { labels: { release: "kube-prometheus-stack" } },
    networkPolicy: { allowFrom: [{}, { namespace: "gateways" }] },
    rollout: {
      gateway: { name: "inference", namespace: "gateways" },
      steps: [5, 25, 50, 100], // percent of traffic on the new revision
      interval: "5m", // each step holds 5 minutes, then that window is judged
      maxErrorRate: 0.01, // abort above 1 % failed requests on the canary pods
      maxP99Ms: 250, // abort when their 99th percentile passes 250 ms
      waitFor: [argo],
    },
  });

  return { url: ranker.url, rollout: ranker.serviceName };
}
