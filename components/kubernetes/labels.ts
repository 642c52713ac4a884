import type { AcceleratorType, CapacityType } from "../accelerators";
import { ACCELERATOR_MODELS } from "../accelerators";

/** hybridai's node label keys, the same on every cloud. */
export const LABELS = {
  /** The accelerator model on the node, e.g. `nvidia-l4`. */
  accelerator: "hybridai.dev/accelerator",
  /** `spot` or `on-demand`. */
  capacityType: "hybridai.dev/capacity-type",
} as const;

/** A Kubernetes taint effect. */
export type TaintEffect = "NoSchedule" | "PreferNoSchedule" | "NoExecute";

/** A Kubernetes node taint. */
export interface Taint {
  /** Taint key. */
  key: string;
  /** Taint value. */
  value: string;
  /** Taint effect, Kubernetes spelling. */
  effect: TaintEffect;
}

/** The effect spelling EKS managed node groups and GKE node pools use. */
export type CloudTaintEffect = "NO_SCHEDULE" | "PREFER_NO_SCHEDULE" | "NO_EXECUTE";

const CLOUD_EFFECTS: Readonly<Record<TaintEffect, CloudTaintEffect>> = {
  NoSchedule: "NO_SCHEDULE",
  PreferNoSchedule: "PREFER_NO_SCHEDULE",
  NoExecute: "NO_EXECUTE",
};

/** Maps a Kubernetes taint effect to the EKS / GKE API spelling (`NoSchedule` → `NO_SCHEDULE`). */
export function toCloudTaintEffect(effect: TaintEffect): CloudTaintEffect {
  return CLOUD_EFFECTS[effect];
}

/** Maps an EKS / GKE taint effect back to Kubernetes spelling (`NO_SCHEDULE` → `NoSchedule`). */
export function fromCloudTaintEffect(effect: CloudTaintEffect): TaintEffect {
  const found = (Object.keys(CLOUD_EFFECTS) as TaintEffect[]).find(
    (k) => CLOUD_EFFECTS[k] === effect,
  );
  if (!found) throw new Error(`unknown taint effect ${effect}`);
  return found;
}

/**
 * The taint that keeps ordinary pods off an accelerator node: `nvidia.com/gpu`,
 * `aws.amazon.com/neuron` or `google.com/tpu`, value `present`, effect `NoSchedule`.
 */
export function acceleratorTaint(type: AcceleratorType): Taint {
  return { key: ACCELERATOR_MODELS[type].resourceName, value: "present", effect: "NoSchedule" };
}

/** The labels hybridai puts on every accelerator node. */
export function acceleratorNodeLabels(
  type: AcceleratorType,
  capacityType: CapacityType,
): Record<string, string> {
  return { [LABELS.accelerator]: type, [LABELS.capacityType]: capacityType };
}

/**
 * A Kubernetes toleration for a taint's key and effect, whatever its value (GKE puts
 * `nvidia.com/gpu=present`, other installers use other values).
 */
export function tolerationFor(taint: Taint): {
  key: string;
  operator: "Exists";
  effect: TaintEffect;
} {
  return { key: taint.key, operator: "Exists", effect: taint.effect };
}
