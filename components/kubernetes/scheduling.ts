import type * as inputs from "@pulumi/kubernetes/types/input";
import {
  ACCELERATOR_MODELS,
  ACCELERATOR_TYPES,
  type AcceleratorSpec,
  type AcceleratorType,
  assertAcceleratorType,
} from "../accelerators";
import { HybridAiConfigError } from "../errors";
import { assertWholeNumber } from "../validate";
import { acceleratorTaint, LABELS, tolerationFor } from "./labels";

/** The clouds whose fixed spot interruption notice hybridai knows, by name. */
export const SpotNoticeCloud = {
  /** EC2 spot: 120 s. */
  Aws: "aws",
  /** GKE spot: 30 s. */
  Gcp: "gcp",
} as const;

/** `aws` (120 s notice) or `gcp` (30 s). */
export type SpotNoticeCloud = (typeof SpotNoticeCloud)[keyof typeof SpotNoticeCloud];

/** Where a spot interruption notice comes from: a cloud's fixed notice, or seconds. */
export type SpotNotice = SpotNoticeCloud | number;

/** Seconds from each cloud's spot interruption notice to the node going away. */
export const SPOT_NOTICE_SECONDS: Readonly<Record<"aws" | "gcp", number>> = { aws: 120, gcp: 30 };

/** The GKE label and taint of spot nodes (GKE taints them when the pool asks for it). */
export const GKE_SPOT_LABEL = "cloud.google.com/gke-spot";

/** Resolves a spot notice to seconds, validating a number. */
export function spotNoticeSeconds(component: string, notice: SpotNotice): number {
  if (notice === "aws" || notice === "gcp") return SPOT_NOTICE_SECONDS[notice];
  return assertWholeNumber(
    component,
    "spotNotice",
    notice,
    1,
    3600,
    '"aws" (120 s), "gcp" (30 s) or whole seconds from 1 to 3600',
  );
}

/**
 * The notice a service's grace period must fit: `spotNoticeSeconds` when given (validated here,
 * and not together with `spotNotice`), else `spotNotice`, default `gcp` (the shortest).
 */
export function spotNoticeOf(
  component: string,
  args: { spotNotice?: SpotNoticeCloud; spotNoticeSeconds?: number },
): SpotNotice {
  if (args.spotNoticeSeconds === undefined) {
    return args.spotNotice ?? "gcp";
  }
  if (args.spotNotice !== undefined) {
    throw new HybridAiConfigError(
      component,
      "spotNoticeSeconds",
      args.spotNoticeSeconds,
      `either spotNotice (${JSON.stringify(args.spotNotice)}) or spotNoticeSeconds, not both`,
    );
  }
  assertWholeNumber(component, "spotNoticeSeconds", args.spotNoticeSeconds, 1, 3600);
  return args.spotNoticeSeconds;
}

/** An accelerator spec checked for the serving runtime, with its device count. */
export interface ServingAccelerator {
  /** The accelerator model. */
  type: AcceleratorType;
  /** Devices per pod. */
  count: number;
  /** The extended resource the pod requests, e.g. `nvidia.com/gpu`. */
  resourceName: string;
}

/**
 * Checks an accelerator spec for the ONNX runtime: a known type, an NVIDIA GPU (onnxruntime-node
 * has CUDA and CPU execution providers, not Neuron or TPU), and 1–8 devices.
 */
export function servingAccelerator(component: string, spec: AcceleratorSpec): ServingAccelerator {
  assertAcceleratorType(spec, component);
  const model = ACCELERATOR_MODELS[spec.type];
  if (model.vendor !== "nvidia") {
    const gpus = ACCELERATOR_TYPES.filter((t) => ACCELERATOR_MODELS[t].vendor === "nvidia");
    throw new HybridAiConfigError(
      component,
      "accelerator.type",
      spec.type,
      `an NVIDIA GPU (the runtime's execution providers are CUDA and CPU): ${gpus.join(", ")}`,
    );
  }
  if (spec.topology !== undefined) {
    throw new HybridAiConfigError(
      component,
      "accelerator.topology",
      spec.topology,
      "only for TPU types; leave it out",
    );
  }
  const count = spec.count ?? 1;
  assertWholeNumber(component, "accelerator.count", count, 1, 8);
  return { type: spec.type, count, resourceName: model.resourceName };
}

/** Shutdown timing checked against the spot notice. */
export interface ShutdownTiming {
  /** `terminationGracePeriodSeconds` of the pod. */
  gracePeriodSeconds: number;
  /** Seconds the `preStop` hook waits so endpoints drop the pod before SIGTERM. */
  preStopSeconds: number;
  /** Seconds the runtime drains in-flight requests after SIGTERM (the rest of the grace period). */
  drainSeconds: number;
}

/**
 * Checks the grace period and pre-stop pause: the pause must leave time to drain within the
 * grace period, and on spot the grace period must fit the interruption notice.
 */
export function shutdownTiming(
  component: string,
  gracePeriodSeconds: number,
  preStopSeconds: number,
  spot: boolean,
  notice: SpotNotice,
): ShutdownTiming {
  const limit = spot ? spotNoticeSeconds(component, notice) : 3600;
  assertWholeNumber(
    component,
    "terminationGracePeriodSeconds",
    gracePeriodSeconds,
    2,
    limit,
    spot
      ? `whole seconds from 2 to ${limit}: spot nodes get a ${limit} s interruption notice (spotNotice ${JSON.stringify(notice)}), a longer grace period is cut short`
      : "whole seconds from 2 to 3600",
  );
  assertWholeNumber(
    component,
    "preStopSeconds",
    preStopSeconds,
    0,
    gracePeriodSeconds - 1,
    `whole seconds from 0 to ${gracePeriodSeconds - 1} (below terminationGracePeriodSeconds, leaving time to drain)`,
  );
  return { gracePeriodSeconds, preStopSeconds, drainSeconds: gracePeriodSeconds - preStopSeconds };
}

/** Tolerations, node selection, affinity and spread of a serving pod. */
export interface PodPlacement {
  /** `spec.tolerations`. */
  tolerations: inputs.core.v1.Toleration[];
  /** `spec.nodeSelector`, when an accelerator pins the node type. */
  nodeSelector?: Record<string, string>;
  /** `spec.affinity`. */
  affinity: inputs.core.v1.Affinity;
  /** `spec.topologySpreadConstraints`. */
  topologySpreadConstraints: inputs.core.v1.TopologySpreadConstraint[];
}

/**
 * Where serving pods go. With an accelerator: its taint tolerated and its node label required.
 * With spot: spot taints tolerated (hybridai's and GKE's) and spot nodes preferred; without:
 * spot nodes excluded. Always: a soft spread across zones, capacity types and nodes, so one
 * zone outage or one wave of spot reclaims does not take every replica.
 */
export function podPlacement(
  selector: Record<string, string>,
  accelerator: ServingAccelerator | undefined,
  spot: boolean,
): PodPlacement {
  const tolerations: PodPlacement["tolerations"] = [];
  if (accelerator) tolerations.push(tolerationFor(acceleratorTaint(accelerator.type)));
  if (spot) {
    tolerations.push(
      { key: LABELS.capacityType, operator: "Equal", value: "spot", effect: "NoSchedule" },
      { key: GKE_SPOT_LABEL, operator: "Equal", value: "true", effect: "NoSchedule" },
    );
  }
  const spotExpression = {
    key: LABELS.capacityType,
    operator: spot ? "In" : "NotIn",
    values: ["spot"],
  };
  const nodeAffinity = spot
    ? {
        preferredDuringSchedulingIgnoredDuringExecution: [
          { weight: 80, preference: { matchExpressions: [spotExpression] } },
        ],
      }
    : {
        requiredDuringSchedulingIgnoredDuringExecution: {
          nodeSelectorTerms: [{ matchExpressions: [spotExpression] }],
        },
      };
  const spread = (topologyKey: string): inputs.core.v1.TopologySpreadConstraint => ({
    maxSkew: 1,
    topologyKey,
    whenUnsatisfiable: "ScheduleAnyway",
    labelSelector: { matchLabels: selector },
  });
  return {
    tolerations,
    ...(accelerator ? { nodeSelector: { [LABELS.accelerator]: accelerator.type } } : {}),
    affinity: { nodeAffinity },
    topologySpreadConstraints: [
      spread("topology.kubernetes.io/zone"),
      ...(spot ? [spread(LABELS.capacityType)] : []),
      spread("kubernetes.io/hostname"),
    ],
  };
}
