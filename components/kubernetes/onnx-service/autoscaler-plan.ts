import type { HorizontalPodAutoscalerArgs } from "@pulumi/kubernetes/autoscaling/v2";
import type * as inputs from "@pulumi/kubernetes/types/input";
import { HybridAiConfigError } from "../../errors";
import { assertWholeNumber } from "../../validate";
import { assertQuantity } from "../validate";
import type { ServingAutoscaling } from "./onnx-service-args";

/** A Prometheus metric name. */
const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;

/**
 * The autoscaling/v2 HorizontalPodAutoscaler of a Deployment: a per-pod custom metric when one
 * is named (e.g. the runtime's `nv_inference_queue_duration_us` through a metrics adapter),
 * average CPU utilization otherwise; scale-down damped by a stabilization window and at most
 * half the pods a minute.
 */
export function planAutoscaler(
  component: string,
  name: string,
  namespace: string,
  labels: Record<string, string>,
  replicas: { min: number; max: number },
  autoscaling: ServingAutoscaling = {},
): HorizontalPodAutoscalerArgs {
  const stabilization = autoscaling.scaleDownStabilizationSeconds ?? 300;
  assertWholeNumber(component, "autoscaling.scaleDownStabilizationSeconds", stabilization, 0, 3600);
  let metric: inputs.autoscaling.v2.MetricSpec;
  if (autoscaling.metric) {
    const { name: metricName, targetAverageValue } = autoscaling.metric;
    if (typeof metricName !== "string" || !METRIC_NAME.test(metricName)) {
      throw new HybridAiConfigError(
        component,
        "autoscaling.metric.name",
        metricName,
        "a Prometheus metric name, e.g. nv_inference_queue_duration_us",
      );
    }
    assertQuantity(component, "autoscaling.metric.targetAverageValue", targetAverageValue);
    metric = {
      type: "Pods",
      pods: {
        metric: { name: metricName },
        target: { type: "AverageValue", averageValue: targetAverageValue },
      },
    };
  } else {
    const utilization = autoscaling.targetCpuUtilization ?? 70;
    assertWholeNumber(component, "autoscaling.targetCpuUtilization", utilization, 1, 100);
    metric = {
      type: "Resource",
      resource: { name: "cpu", target: { type: "Utilization", averageUtilization: utilization } },
    };
  }
  return {
    metadata: { name, namespace, labels },
    spec: {
      scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name },
      minReplicas: replicas.min,
      maxReplicas: replicas.max,
      metrics: [metric],
      behavior: {
        scaleDown: {
          stabilizationWindowSeconds: stabilization,
          policies: [{ type: "Percent", value: 50, periodSeconds: 60 }],
        },
      },
    },
  };
}
