import {
  ACCELERATOR_MODELS,
  type AcceleratorSpec,
  type MachineType,
  resolveAccelerator,
} from "../accelerators";
import { HybridAiConfigError } from "../errors";
import { acceleratorTaint, type CloudTaintEffect, toCloudTaintEffect } from "../kubernetes/labels";
import { assertOneOf, assertWholeNumber } from "../validate";

/** The node operating systems offered for accelerator nodes, by name. */
export const NodeOs = {
  /** Amazon Linux 2023 (the default). */
  Al2023: "al2023",
  /** Bottlerocket. */
  Bottlerocket: "bottlerocket",
} as const;

/** A node operating system: Amazon Linux 2023 (default) or Bottlerocket. */
export type NodeOs = (typeof NodeOs)[keyof typeof NodeOs];

/** The node operating systems offered for accelerator nodes. */
export const NODE_OS: readonly NodeOs[] = Object.values(NodeOs);

/** EKS AMI types for accelerator nodes. */
export type AcceleratorAmiType =
  | "AL2023_x86_64_NVIDIA"
  | "BOTTLEROCKET_x86_64_NVIDIA"
  | "AL2023_x86_64_NEURON";

/**
 * The EKS AMI type for an accelerator: the NVIDIA variant of AL2023 or Bottlerocket (drivers and
 * container toolkit preinstalled) for NVIDIA GPUs, AL2023 Neuron for Inferentia.
 */
export function amiTypeFor(
  accelerator: AcceleratorSpec["type"],
  os: NodeOs,
  component: string,
): AcceleratorAmiType {
  assertOneOf(component, "os", os, NODE_OS);
  const vendor = ACCELERATOR_MODELS[accelerator]?.vendor;
  if (vendor === "nvidia") {
    return os === "bottlerocket" ? "BOTTLEROCKET_x86_64_NVIDIA" : "AL2023_x86_64_NVIDIA";
  }
  if (vendor === "aws-neuron") {
    if (os !== "al2023") {
      throw new HybridAiConfigError(
        component,
        "os",
        os,
        `al2023 for ${accelerator} (AL2023_x86_64_NEURON)`,
      );
    }
    return "AL2023_x86_64_NEURON";
  }
  throw new HybridAiConfigError(
    component,
    "accelerator.type",
    accelerator,
    "an NVIDIA GPU or aws-inferentia2",
  );
}

/** Candidates priced above this multiple of the cheapest are left out by default (cost guard). */
export const MAX_DEFAULT_PRICE_RATIO = 2;

/**
 * The instance types for an accelerator spec, cheapest on-demand first: the explicit list when
 * given (each must be a catalog candidate), else every candidate priced at most
 * {@link MAX_DEFAULT_PRICE_RATIO} × the cheapest. The first type is what cluster-autoscaler
 * models a new node on, so it is the smallest: any pod it schedules fits the larger ones too.
 */
export function instanceTypesFor(
  accelerator: AcceleratorSpec,
  explicit: readonly string[] | undefined,
  component: string,
): MachineType[] {
  const candidates = resolveAccelerator(accelerator, "aws", component);
  if (explicit === undefined) {
    const ceiling = candidates[0].onDemandHourlyUsd * MAX_DEFAULT_PRICE_RATIO;
    return candidates.filter((m) => m.onDemandHourlyUsd <= ceiling);
  }
  if (explicit.length === 0) {
    throw new HybridAiConfigError(
      component,
      "instanceTypes",
      explicit,
      candidates.map((m) => m.name),
    );
  }
  for (const type of explicit) {
    if (!candidates.some((m) => m.name === type)) {
      throw new HybridAiConfigError(
        component,
        "instanceTypes",
        type,
        candidates.map((m) => m.name),
      );
    }
  }
  return candidates.filter((m) => explicit.includes(m.name));
}

/** Container images and runtime on a node take about this much disk, GiB. */
export const IMAGE_HEADROOM_GIB = 60;

/**
 * The root (data) volume size: room for the container images plus model weights that fill every
 * accelerator of the largest candidate, rounded up to 10 GiB, at least 100 GiB; or the explicit
 * size, which must be 20–16384 GiB (gp3 limits).
 */
export function rootVolumeGiBFor(
  machines: readonly MachineType[],
  explicit: number | undefined,
  component: string,
): number {
  if (explicit !== undefined) {
    return assertWholeNumber(
      component,
      "rootVolumeGiB",
      explicit,
      20,
      16384,
      "a whole number of GiB from 20 to 16384",
    );
  }
  const weights = Math.max(...machines.map((m) => m.acceleratorMemoryGiB));
  return Math.max(100, Math.ceil((IMAGE_HEADROOM_GIB + weights) / 10) * 10);
}

/** An accelerator taint in EKS spelling (`NO_SCHEDULE`). */
export interface EksTaint {
  /** Taint key, e.g. `nvidia.com/gpu`. */
  key: string;
  /** Taint value. */
  value: string;
  /** EKS effect spelling. */
  effect: CloudTaintEffect;
}

/** The accelerator taint mapped to EKS's effect spelling. */
export function eksAcceleratorTaint(type: AcceleratorSpec["type"]): EksTaint {
  const taint = acceleratorTaint(type);
  return { key: taint.key, value: taint.value, effect: toCloudTaintEffect(taint.effect) };
}

/** Launch template settings every accelerator node gets. */
export interface NodeLaunchSettings {
  /** IMDSv2 only; hop limit 1 so pods (which use IRSA) cannot reach the node role's credentials. */
  metadataOptions: {
    httpEndpoint: "enabled";
    httpTokens: "required";
    httpPutResponseHopLimit: 1;
    instanceMetadataTags: "disabled";
  };
  /** One encrypted gp3 volume where images and models live. */
  blockDeviceMappings: {
    deviceName: string;
    ebs: {
      volumeSize: number;
      volumeType: "gp3";
      iops: number;
      throughput: number;
      encrypted: "true";
      deleteOnTermination: "true";
    };
  }[];
  /** Detailed monitoring off (CloudWatch agent or Prometheus covers nodes; saves cost). */
  monitoring: { enabled: false };
}

/**
 * Launch template settings: IMDSv2 required with hop limit 1, and an encrypted gp3 volume, by
 * default with 250 MiB/s throughput (image pulls and model loads are sequential reads; gp3's
 * included 125 MiB/s suffices for nodes that load no models). On Bottlerocket the volume is the
 * data volume (`/dev/xvdb`), on AL2023 the root volume (`/dev/xvda`).
 */
export function nodeLaunchSettings(
  os: NodeOs,
  volumeGiB: number,
  throughputMiBs = 250,
): NodeLaunchSettings {
  return {
    metadataOptions: {
      httpEndpoint: "enabled",
      httpTokens: "required",
      httpPutResponseHopLimit: 1,
      instanceMetadataTags: "disabled",
    },
    blockDeviceMappings: [
      {
        deviceName: os === "bottlerocket" ? "/dev/xvdb" : "/dev/xvda",
        ebs: {
          volumeSize: volumeGiB,
          volumeType: "gp3",
          iops: 3000,
          throughput: throughputMiBs,
          encrypted: "true",
          deleteOnTermination: "true",
        },
      },
    ],
    monitoring: { enabled: false },
  };
}
