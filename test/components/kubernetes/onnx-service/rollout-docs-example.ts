import type { Provider } from "@pulumi/kubernetes/provider";
import { kubernetes } from "pulumi-hybridai";

/** The rollout example of docs/rollouts.md, verbatim between the markers, run under mocks by its test. */
export function rolloutExample(provider: Provider) {
  // Argo Rollouts once per cluster: pinned chart, Gateway API plugin, CRDs.
  const argo = new kubernetes.ArgoRollouts("argo-rollouts", { provider });

  const ranker = new kubernetes.OnnxService("ranker", {
    provider,
    namespace: "serving",
    model: { uri: "s3://models-bucket/models/ranker", revision: "2026-11-30" },
    serviceMonitor: { labels: { release: "kube-prometheus-stack" } },
    networkPolicy: { allowFrom: [{}, { namespace: "gateways" }] },
    rollout: {
      gateway: { name: "inference", namespace: "gateways" },
      steps: [5, 25, 50, 100], // percent of traffic on the new version
      interval: "5m", // each step holds 5 minutes, then that window is judged
      maxErrorRate: 0.01, // at most 1 % failed requests on the canary pods
      maxMeanLatencyMs: 80, // mean request time on the canary pods
      maxP99Ms: 250, // 99th percentile of request time on the canary pods
      maxShadowDisagreement: 0.02, // needs a shadow in the new version's config.json
      waitFor: [argo], // Rollout and AnalysisTemplate wait for the CRDs
    },
  });

  // Every request copied to a candidate in another namespace; its answers are discarded.
  new kubernetes.OnnxService("ranker-next", {
    provider,
    namespace: "serving",
    model: { uri: "s3://models-bucket/models/ranker", name: "ranker-next" },
    mirror: {
      service: "ranker-candidate",
      namespace: "shadow",
      gateway: { name: "inference", namespace: "gateways" },
      hostnames: ["ranker-next.example.com"],
    },
  });
  return { ranker, argo };
}
