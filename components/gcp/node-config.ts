import type * as compute from "@pulumi/gcp/compute";
import type * as container from "@pulumi/gcp/container";
import type * as pulumi from "@pulumi/pulumi";
import type { AcceleratorType, CapacityType } from "../accelerators";
import { acceleratorNodeLabels, acceleratorTaint, toCloudTaintEffect } from "../kubernetes/labels";
import { CLOUD_PLATFORM_SCOPE } from "./iam";

/** GKE node pool arguments as plain values (what a plan function returns), without `cluster`. */
export type NodePoolSettings = pulumi.Unwrap<Omit<container.NodePoolArgs, "cluster">>;

/** GKE cluster arguments as plain values (what a plan function returns). */
export type ClusterSettings = pulumi.Unwrap<container.ClusterArgs>;

/** Cloud Router arguments as plain values. */
export type RouterSettings = pulumi.Unwrap<compute.RouterArgs>;

/** Cloud NAT arguments as plain values. */
export type RouterNatSettings = pulumi.Unwrap<compute.RouterNatArgs>;

/** The node settings {@link hardenedNodeConfig} fixes. */
export interface HardenedNodeConfig {
  /** Only the `cloud-platform` scope: IAM roles of the node service account decide access. */
  oauthScopes: string[];
  /** Shielded VM: secure boot and integrity monitoring. */
  shieldedInstanceConfig: { enableSecureBoot: boolean; enableIntegrityMonitoring: boolean };
  /** `GKE_METADATA`: pods see the GKE metadata server, never the node's credentials. */
  workloadMetadataConfig: { mode: string };
  /** Legacy metadata endpoints off. */
  metadata: Record<string, string>;
}

/**
 * The hardened part of a node config: Shielded VM with secure boot and integrity monitoring,
 * the GKE metadata server (Workload Identity; the node's own credentials are hidden from pods),
 * the `cloud-platform` scope (the component adds a dedicated service account, so IAM alone
 * decides access).
 */
export function hardenedNodeConfig(): HardenedNodeConfig {
  return {
    oauthScopes: [CLOUD_PLATFORM_SCOPE],
    shieldedInstanceConfig: { enableSecureBoot: true, enableIntegrityMonitoring: true },
    workloadMetadataConfig: { mode: "GKE_METADATA" },
    metadata: { "disable-legacy-endpoints": "true" },
  };
}

/** The labels and taint of an accelerator node, in GKE's spelling. */
export function acceleratorNodeMarks(
  type: AcceleratorType,
  capacityType: CapacityType,
  extraLabels: Record<string, string> = {},
): { labels: Record<string, string>; taints: { key: string; value: string; effect: string }[] } {
  const taint = acceleratorTaint(type);
  return {
    labels: { ...extraLabels, ...acceleratorNodeLabels(type, capacityType) },
    taints: [{ key: taint.key, value: taint.value, effect: toCloudTaintEffect(taint.effect) }],
  };
}

/** The capacity type of a pool. */
export function capacityTypeOf(spot: boolean): CapacityType {
  return spot ? "spot" : "on-demand";
}
