import { HybridAiConfigError } from "../../errors";
import type { ServingRollout, ServingServiceMonitor } from "../onnx-service/onnx-service-args";
import {
  CANARY_HASH_ARG,
  ROLLOUT_HASH_METRIC_LABEL,
  type RolloutCheck,
} from "../onnx-service/rollout-analysis-plan";
import { checkRollout, type ResolvedRollout } from "../onnx-service/rollout-plan";
import { VLLM_METRICS } from "./llm-monitoring-plan";
import type { LlmRollout } from "./llm-service-args";

/** What the canary checks select. */
export interface LlmCanaryTarget {
  /** Namespace of the pods. */
  namespace: string;
  /** vLLM's `model_name` label. */
  servedName: string;
  /** The analysis window, e.g. `5m`. */
  window: string;
}

function milliseconds(component: string, field: string, value: unknown): void {
  if (typeof value !== "number" || !Number.isFinite(value) || value <= 0 || value > 3_600_000) {
    throw new HybridAiConfigError(
      component,
      field,
      value,
      "milliseconds above 0 and at most 3600000",
    );
  }
}

/**
 * The checks of a vLLM canary, over the canary pods' own series (`rollouts_pod_template_hash`):
 * `error-rate` (5xx answers over all HTTP requests), `ttft-p99-ms` and `queue-p99-ms` (p99 of
 * vLLM's time-to-first-token and queue-time histograms). No traffic in a window gives NaN: the
 * measurement is inconclusive and Argo Rollouts pauses.
 */
export function llmRolloutChecks(
  target: LlmCanaryTarget,
  rollout: Pick<LlmRollout, "maxTimeToFirstTokenMs" | "maxQueueTimeMs">,
  maxErrorRate: number,
): RolloutCheck[] {
  const canary = `namespace="${target.namespace}",${ROLLOUT_HASH_METRIC_LABEL}="{{args.${CANARY_HASH_ARG}}}"`;
  const model = `${canary},model_name="${target.servedName}"`;
  const http = (extra = "") =>
    `(sum(rate(${VLLM_METRICS.httpRequests}{${canary}${extra}}[${target.window}])) or vector(0))`;
  const p99 = (metric: string) =>
    `((histogram_quantile(0.99, sum by (le) (rate(${metric}_bucket{${model}}[${target.window}]))) * 1000) or vector(NaN))`;
  return [
    { name: "error-rate", query: `${http(',status="5xx"')} / ${http()}`, max: maxErrorRate },
    ...(rollout.maxTimeToFirstTokenMs !== undefined
      ? [
          {
            name: "ttft-p99-ms",
            query: p99(VLLM_METRICS.timeToFirstToken),
            max: rollout.maxTimeToFirstTokenMs,
          },
        ]
      : []),
    ...(rollout.maxQueueTimeMs !== undefined
      ? [{ name: "queue-p99-ms", query: p99(VLLM_METRICS.queueTime), max: rollout.maxQueueTimeMs }]
      : []),
  ];
}

/**
 * Validates an LLM rollout (steps, interval, error rate, Gateway, Prometheus URL as for
 * OnnxService; the time-to-first-token and queue-time limits) and resolves its analysis to
 * vLLM's metrics. Throws {@link HybridAiConfigError} naming the field.
 */
export function checkLlmRollout(
  component: string,
  name: string,
  namespace: string,
  servedName: string,
  rollout: LlmRollout,
  serviceMonitor: ServingServiceMonitor | undefined,
): ResolvedRollout {
  if (rollout.maxTimeToFirstTokenMs !== undefined) {
    milliseconds(component, "rollout.maxTimeToFirstTokenMs", rollout.maxTimeToFirstTokenMs);
  }
  if (rollout.maxQueueTimeMs !== undefined) {
    milliseconds(component, "rollout.maxQueueTimeMs", rollout.maxQueueTimeMs);
  }
  const resolved = checkRollout(component, name, {
    rollout: rollout as ServingRollout,
    serviceMonitor,
  });
  return {
    ...resolved,
    analysis: {
      ...resolved.analysis,
      checks: llmRolloutChecks(
        { namespace, servedName, window: resolved.analysis.window },
        rollout,
        resolved.analysis.maxErrorRate,
      ),
    },
  };
}
