import type { CustomResourceArgs } from "@pulumi/kubernetes/apiextensions";
import type { HorizontalPodAutoscalerArgs } from "@pulumi/kubernetes/autoscaling/v2";
import type { ServiceArgs } from "@pulumi/kubernetes/core/v1";
import type * as inputs from "@pulumi/kubernetes/types/input";
import { HybridAiConfigError } from "../../errors";
import { assertWholeNumber } from "../../validate";
import { assertDns1035 } from "../validate";
import { checkRouteAttachment, planServiceRoute } from "./canary-plan";
import type { OnnxServiceArgs, ServingRollout } from "./onnx-service-args";
import {
  CANARY_HASH_ARG,
  planRolloutAnalysis,
  ROLLOUT_HASH_LABEL,
  type RolloutAnalysisSpec,
} from "./rollout-analysis-plan";

/** The Argo Rollouts traffic router plugin for the Gateway API, by the name its config registers. */
export const GATEWAY_API_PLUGIN_NAME = "argoproj-labs/gatewayAPI";

/** Canary traffic steps when none are given. */
export const DEFAULT_ROLLOUT_STEPS: readonly number[] = [5, 25, 50, 100];

/** Step length and analysis window when none is given. */
export const DEFAULT_ROLLOUT_INTERVAL = "5m";

/** Failed-request share a canary may show when no `maxErrorRate` is given. */
export const DEFAULT_MAX_ERROR_RATE = 0.01;

/** The Prometheus Operator's Service for a Prometheus in the `monitoring` namespace. */
export const DEFAULT_PROMETHEUS_URL =
  "http://prometheus-operated.monitoring.svc.cluster.local:9090";

/** Label of the Service the ServiceMonitor scrapes when a rollout is on (Argo does not touch its selector). */
export const METRICS_SERVICE_LABEL = "hybridai.dev/metrics-service";

const DURATION = /^(\d+)(s|m|h)$/;
const GO_DURATION_PART = /(\d+)(ms|s|m|h)/g;
const SECONDS = { ms: 0.001, s: 1, m: 60, h: 3600 } as const;

/** Seconds of a Prometheus Operator scrape interval (`30s`, `1m`, `1m30s`), or undefined when unreadable. */
function scrapeSeconds(interval: string): number | undefined {
  if (!/^((\d+)(ms|s|m|h))+$/.test(interval)) return undefined;
  let total = 0;
  for (const [, n, unit] of interval.matchAll(GO_DURATION_PART)) {
    total += Number(n) * SECONDS[unit as keyof typeof SECONDS];
  }
  return total;
}

function checkShare(component: string, field: string, value: number): void {
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0 || value > 1) {
    throw new HybridAiConfigError(
      component,
      field,
      value,
      "a share from 0 to 1, e.g. 0.01 for 1 %",
    );
  }
}

function checkSteps(component: string, steps: unknown): number[] {
  if (!Array.isArray(steps) || steps.length === 0 || steps.length > 20) {
    throw new HybridAiConfigError(
      component,
      "rollout.steps",
      steps,
      "1 to 20 canary traffic percentages, e.g. [5, 25, 50, 100]",
    );
  }
  steps.forEach((step, i) => {
    const previous = i === 0 ? 0 : steps[i - 1];
    assertWholeNumber(
      component,
      `rollout.steps[${i}]`,
      step,
      previous + 1,
      100,
      `a whole percentage above ${previous} and at most 100 (steps strictly increase)`,
    );
  });
  return steps as number[];
}

/** A rollout's settings after validation and defaults. */
export interface ResolvedRollout {
  /** Traffic steps. */
  steps: number[];
  /** Step length and analysis window. */
  interval: string;
  /** What the analysis judges. */
  analysis: Omit<RolloutAnalysisSpec, "name" | "namespace" | "labels" | "modelName">;
}

/**
 * Checks the step interval: a duration from 1 minute to 24 hours that holds at least two
 * scrapes of `scrape` (the ServiceMonitor's interval), so rate() has two samples in the window.
 */
function checkInterval(component: string, interval: string, scrape: string): string {
  const match = typeof interval === "string" ? DURATION.exec(interval) : null;
  const seconds = match ? Number(match[1]) * SECONDS[match[2] as "s" | "m" | "h"] : Number.NaN;
  if (!(seconds >= 60 && seconds <= 86400)) {
    throw new HybridAiConfigError(
      component,
      "rollout.interval",
      interval,
      'a duration from 1 minute to 24 hours in s, m or h, e.g. "5m"',
    );
  }
  const scrapeEvery = scrapeSeconds(scrape);
  if (scrapeEvery !== undefined && seconds < 2 * scrapeEvery) {
    throw new HybridAiConfigError(
      component,
      "rollout.interval",
      interval,
      `at least twice the ServiceMonitor's scrape interval (${scrape}): rate() needs two samples in the window`,
    );
  }
  return interval;
}

/** Checks an optional latency bound: milliseconds above 0 and at most an hour. */
function checkMilliseconds(component: string, field: string, value: unknown, note: string): void {
  if (
    value !== undefined &&
    (typeof value !== "number" || !Number.isFinite(value) || value <= 0 || value > 3_600_000)
  ) {
    throw new HybridAiConfigError(
      component,
      field,
      value,
      `milliseconds above 0 and at most 3600000${note}`,
    );
  }
}

/**
 * Validates `args.rollout` against the rest of the service: not with `canary`, only with a
 * `serviceMonitor` whose scrape interval fits at least twice in the step interval, steps,
 * thresholds, Gateway, Prometheus URL and room for the `-canary` and `-metrics` names. Throws
 * {@link HybridAiConfigError} naming the field.
 */
export function checkRollout(
  component: string,
  name: string,
  args: Pick<OnnxServiceArgs, "rollout" | "canary" | "serviceMonitor">,
): ResolvedRollout {
  const rollout = args.rollout as ServingRollout;
  if (args.canary) {
    throw new HybridAiConfigError(
      component,
      "rollout",
      "set together with canary",
      "either rollout (automatic steps judged on metrics, with rollback) or canary (a fixed weight you change by hand), not both",
    );
  }
  if (!args.serviceMonitor) {
    throw new HybridAiConfigError(
      component,
      "serviceMonitor",
      args.serviceMonitor,
      'a ServiceMonitor (e.g. { labels: { release: "kube-prometheus-stack" } }) when rollout is set: the analysis reads the canary pods\' metrics from Prometheus',
    );
  }
  assertDns1035(component, "name (with a rollout, plus -canary)", `${name}-canary`);
  assertDns1035(component, "name (with a rollout, plus -metrics)", `${name}-metrics`);
  const steps = checkSteps(component, rollout.steps ?? [...DEFAULT_ROLLOUT_STEPS]);
  const interval = checkInterval(
    component,
    rollout.interval ?? DEFAULT_ROLLOUT_INTERVAL,
    args.serviceMonitor.interval ?? "30s",
  );
  const maxErrorRate = rollout.maxErrorRate ?? DEFAULT_MAX_ERROR_RATE;
  checkShare(component, "rollout.maxErrorRate", maxErrorRate);
  const latency = rollout.maxMeanLatencyMs;
  checkMilliseconds(component, "rollout.maxMeanLatencyMs", latency, "");
  const p99 = rollout.maxP99Ms;
  checkMilliseconds(
    component,
    "rollout.maxP99Ms",
    p99,
    " (judged on the runtime's hybridai_request_duration_seconds histogram, whose buckets run from 0.5 ms to 10 s)",
  );
  if (rollout.maxShadowDisagreement !== undefined) {
    checkShare(component, "rollout.maxShadowDisagreement", rollout.maxShadowDisagreement);
  }
  checkRouteAttachment(component, "rollout", rollout);
  const prometheusUrl = rollout.prometheusUrl ?? DEFAULT_PROMETHEUS_URL;
  if (typeof prometheusUrl !== "string" || !/^https?:\/\/[^\s/]+(\/\S*)?$/.test(prometheusUrl)) {
    throw new HybridAiConfigError(
      component,
      "rollout.prometheusUrl",
      prometheusUrl,
      "an http(s) URL of Prometheus reachable from the Argo Rollouts controller, e.g. http://prometheus-operated.monitoring.svc.cluster.local:9090",
    );
  }
  return {
    steps,
    interval,
    analysis: {
      window: interval,
      prometheusUrl: prometheusUrl.replace(/\/$/, ""),
      maxErrorRate,
      ...(latency !== undefined ? { maxMeanLatencyMs: latency } : {}),
      ...(p99 !== undefined ? { maxP99Ms: p99 } : {}),
      ...(rollout.maxShadowDisagreement !== undefined
        ? { maxShadowDisagreement: rollout.maxShadowDisagreement }
        : {}),
    },
  };
}

/** What {@link planRollout} needs from the service plan. */
export interface RolloutTarget {
  /** Name of the Deployment, stable Service, HTTPRoute, Rollout and AnalysisTemplate. */
  name: string;
  /** Namespace of every object. */
  namespace: string;
  /** Labels of every object. */
  labels: Record<string, string>;
  /** Labels every serving pod carries (the metrics Service selects them). */
  instance: Record<string, string>;
  /** The stable pods' selector (the Deployment's, which the Rollout adopts). */
  selector: Record<string, string>;
  /** Model name the runtime labels its metrics with. */
  modelName: string;
  /** Service port. */
  port: number;
  /**
   * Port of `/metrics`, which the metrics Service carries for the ServiceMonitor; absent when
   * the server answers `/metrics` on its HTTP port (vLLM).
   */
  metricsPort?: number;
  /** Seconds a version may take to become available before the rollout aborts. */
  progressDeadlineSeconds: number;
}

/** The objects a rollout adds to a service. */
export interface RolloutPlan {
  /** argoproj.io/v1alpha1 Rollout referencing the Deployment (`workloadRef`). */
  rollout: CustomResourceArgs;
  /** argoproj.io/v1alpha1 AnalysisTemplate judged after each step. */
  analysisTemplate: CustomResourceArgs;
  /** The HTTPRoute whose weights Argo Rollouts shifts (stable 100, canary 0 at rest). */
  route: CustomResourceArgs;
  /** `<name>-canary`: the Service Argo Rollouts points at the canary pods. */
  canaryService: ServiceArgs;
  /** `<name>-metrics`: a headless Service over every serving pod, the ServiceMonitor's target. */
  metricsService: ServiceArgs;
}

function clusterService(
  name: string,
  target: RolloutTarget,
  selector: Record<string, string>,
  extra: { labels?: Record<string, string>; headless?: boolean; metrics?: boolean } = {},
): ServiceArgs {
  return {
    metadata: { name, namespace: target.namespace, labels: { ...target.labels, ...extra.labels } },
    spec: {
      type: "ClusterIP",
      ...(extra.headless ? { clusterIP: "None" } : {}),
      selector,
      ports: [
        {
          name: "http",
          port: target.port,
          targetPort: "http",
          protocol: "TCP",
          appProtocol: "http",
        },
        ...(extra.metrics && target.metricsPort !== undefined
          ? [
              {
                name: "metrics",
                port: target.metricsPort,
                targetPort: "metrics",
                protocol: "TCP",
                appProtocol: "http",
              },
            ]
          : []),
      ],
    },
  };
}

/**
 * The Argo Rollouts objects of a service: a Rollout that adopts the Deployment's pod template
 * (`workloadRef`; the Deployment itself is kept at 0 replicas), canary steps of `setWeight`,
 * `pause` for the interval and an analysis of that window, traffic shifted by the Gateway API
 * plugin on the service's HTTPRoute, abort on a missed progress deadline; the AnalysisTemplate;
 * the route; the canary Service; and a metrics Service whose selector Argo never rewrites, so
 * Prometheus scrapes every pod exactly once whatever the rollout's state.
 */
export function planRollout(
  target: RolloutTarget,
  rollout: ServingRollout,
  resolved: ResolvedRollout,
  routeFilters: Record<string, unknown>[] = [],
): RolloutPlan {
  const { name, namespace, labels } = target;
  const canaryName = `${name}-canary`;
  const analysisStep = {
    analysis: {
      templates: [{ templateName: name }],
      args: [{ name: CANARY_HASH_ARG, valueFrom: { podTemplateHashValue: "Latest" } }],
    },
  };
  return {
    rollout: {
      apiVersion: "argoproj.io/v1alpha1",
      kind: "Rollout",
      metadata: { name, namespace, labels },
      spec: {
        selector: { matchLabels: target.selector },
        workloadRef: { apiVersion: "apps/v1", kind: "Deployment", name },
        revisionHistoryLimit: 3,
        progressDeadlineSeconds: target.progressDeadlineSeconds,
        progressDeadlineAbort: true,
        strategy: {
          canary: {
            stableService: name,
            canaryService: canaryName,
            abortScaleDownDelaySeconds: 30,
            trafficRouting: {
              plugins: { [GATEWAY_API_PLUGIN_NAME]: { httpRoute: name, namespace } },
            },
            steps: resolved.steps.flatMap((weight) => [
              { setWeight: weight },
              { pause: { duration: resolved.interval } },
              analysisStep,
            ]),
          },
        },
      },
    },
    analysisTemplate: planRolloutAnalysis({
      name,
      namespace,
      labels,
      modelName: target.modelName,
      ...resolved.analysis,
    }),
    route: planServiceRoute(
      name,
      namespace,
      labels,
      target.port,
      rollout,
      [
        { name, weight: 100 },
        { name: canaryName, weight: 0 },
      ],
      routeFilters,
    ),
    canaryService: clusterService(canaryName, target, target.selector),
    metricsService: clusterService(`${name}-metrics`, target, target.instance, {
      labels: { [METRICS_SERVICE_LABEL]: "true" },
      headless: true,
      metrics: true,
    }),
  };
}

/**
 * The ServiceMonitor of a service under a rollout: it scrapes only the metrics Service (the
 * stable and canary Services select the same pods between rollouts, which would count every
 * request twice) and copies the pod-template hash onto every series, which is how the analysis
 * tells the canary's series from the stable ones.
 */
export function rolloutServiceMonitor(
  monitor: CustomResourceArgs,
  instance: Record<string, string>,
): CustomResourceArgs {
  return {
    ...monitor,
    spec: {
      ...monitor.spec,
      selector: { matchLabels: { ...instance, [METRICS_SERVICE_LABEL]: "true" } },
      podTargetLabels: [ROLLOUT_HASH_LABEL],
    },
  };
}

/** The service's autoscaler, retargeted from the Deployment to the Rollout (which has a scale subresource). */
export function rolloutAutoscaler(
  autoscaler: HorizontalPodAutoscalerArgs,
  name: string,
): HorizontalPodAutoscalerArgs {
  const spec = autoscaler.spec as inputs.autoscaling.v2.HorizontalPodAutoscalerSpec;
  return {
    ...autoscaler,
    spec: {
      ...spec,
      scaleTargetRef: { apiVersion: "argoproj.io/v1alpha1", kind: "Rollout", name },
    },
  };
}
