import type { CustomResourceArgs } from "@pulumi/kubernetes/apiextensions";
import { HybridAiConfigError } from "../../errors";
import { assertWholeNumber } from "../../validate";
import { DEFAULT_PROMETHEUS_URL } from "../onnx-service/rollout-plan";
import type { LlmAutoscaling } from "./llm-service-args";

/** vLLM's gauge of requests waiting for a batch slot: the scaling signal. */
export const QUEUE_METRIC = "vllm:num_requests_waiting";

/** Requests waiting per replica held when no target is given. */
export const DEFAULT_TARGET_WAITING_REQUESTS = 5;

const CRON = /^(\S+\s+){4}\S+$/;
const TIMEZONE = /^[A-Za-z_]+(\/[A-Za-z0-9_+-]+){0,2}$|^UTC$/;

/** What the ScaledObject scales and how its metric is selected. */
export interface ScaledTarget {
  /** Name of the ScaledObject and of the Deployment (or Rollout) it scales. */
  name: string;
  /** Namespace. */
  namespace: string;
  /** Labels. */
  labels: Record<string, string>;
  /** `--served-model-name`, vLLM's `model_name` label. */
  servedName: string;
  /** Replica bounds. */
  replicas: { min: number; max: number };
  /** Scale the Argo Rollouts Rollout instead of the Deployment. */
  rollout: boolean;
}

/** Checks a Prometheus URL. */
export function checkPrometheusUrl(component: string, field: string, url: unknown): string {
  if (typeof url !== "string" || !/^https?:\/\/[^\s/]+(\/\S*)?$/.test(url)) {
    throw new HybridAiConfigError(
      component,
      field,
      url,
      "an http(s) URL of Prometheus, e.g. http://prometheus-operated.monitoring.svc.cluster.local:9090",
    );
  }
  return url.replace(/\/$/, "");
}

function checkActiveHours(component: string, hours: NonNullable<LlmAutoscaling["activeHours"]>) {
  if (typeof hours.timezone !== "string" || !TIMEZONE.test(hours.timezone)) {
    throw new HybridAiConfigError(
      component,
      "autoscaling.activeHours.timezone",
      hours.timezone,
      "an IANA time zone such as Europe/Berlin or UTC",
    );
  }
  for (const field of ["start", "end"] as const) {
    if (typeof hours[field] !== "string" || !CRON.test(hours[field].trim())) {
      throw new HybridAiConfigError(
        component,
        `autoscaling.activeHours.${field}`,
        hours[field],
        'a five-field cron expression such as "0 8 * * 1-5"',
      );
    }
  }
}

/**
 * The KEDA ScaledObject (keda.sh/v1alpha1) of a vLLM service: a Prometheus trigger on the sum of
 * `vllm:num_requests_waiting` over the model's pods, held at `targetWaitingRequests` per replica
 * (KEDA's default `AverageValue`), between `replicas.min` and `replicas.max`; with `activeHours`,
 * a cron trigger holds `replicas.min` inside the hours and the service scales to zero outside
 * them. Scale-down is damped by a stabilization window. Throws {@link HybridAiConfigError}
 * naming the field.
 */
export function planLlmAutoscaler(
  component: string,
  target: ScaledTarget,
  autoscaling: LlmAutoscaling,
): CustomResourceArgs {
  const waiting = autoscaling.targetWaitingRequests ?? DEFAULT_TARGET_WAITING_REQUESTS;
  assertWholeNumber(component, "autoscaling.targetWaitingRequests", waiting, 1, 1000);
  const polling = autoscaling.pollingIntervalSeconds ?? 15;
  assertWholeNumber(component, "autoscaling.pollingIntervalSeconds", polling, 5, 600);
  const stabilization = autoscaling.scaleDownStabilizationSeconds ?? 600;
  assertWholeNumber(component, "autoscaling.scaleDownStabilizationSeconds", stabilization, 0, 3600);
  const prometheus = checkPrometheusUrl(
    component,
    "autoscaling.prometheusUrl",
    autoscaling.prometheusUrl ?? DEFAULT_PROMETHEUS_URL,
  );
  if (autoscaling.activeHours) checkActiveHours(component, autoscaling.activeHours);
  const selector = `namespace="${target.namespace}",model_name="${target.servedName}"`;
  return {
    apiVersion: "keda.sh/v1alpha1",
    kind: "ScaledObject",
    metadata: { name: target.name, namespace: target.namespace, labels: target.labels },
    spec: {
      scaleTargetRef: target.rollout
        ? { apiVersion: "argoproj.io/v1alpha1", kind: "Rollout", name: target.name }
        : { apiVersion: "apps/v1", kind: "Deployment", name: target.name },
      pollingInterval: polling,
      cooldownPeriod: stabilization,
      minReplicaCount: autoscaling.activeHours ? 0 : target.replicas.min,
      maxReplicaCount: target.replicas.max,
      advanced: {
        horizontalPodAutoscalerConfig: {
          behavior: {
            scaleDown: {
              stabilizationWindowSeconds: stabilization,
              policies: [{ type: "Pods", value: 1, periodSeconds: 300 }],
            },
          },
        },
      },
      triggers: [
        {
          type: "prometheus",
          metricType: "AverageValue",
          metadata: {
            serverAddress: prometheus,
            query: `sum(${QUEUE_METRIC}{${selector}}) or vector(0)`,
            threshold: String(waiting),
          },
        },
        ...(autoscaling.activeHours
          ? [
              {
                type: "cron",
                metadata: {
                  timezone: autoscaling.activeHours.timezone,
                  start: autoscaling.activeHours.start.trim(),
                  end: autoscaling.activeHours.end.trim(),
                  desiredReplicas: String(target.replicas.min),
                },
              },
            ]
          : []),
      ],
    },
  };
}
