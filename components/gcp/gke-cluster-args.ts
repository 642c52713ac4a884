/** GKE release channels, by name (an enum in the package schema). */
export const ReleaseChannel = {
  /** Newest versions first. */
  Rapid: "RAPID",
  /** The default balance of features and stability. */
  Regular: "REGULAR",
  /** Versions proven longest in the other channels. */
  Stable: "STABLE",
  /** Regular's versions, supported for longer. */
  Extended: "EXTENDED",
} as const;

/** A GKE release channel. */
export type ReleaseChannel = (typeof ReleaseChannel)[keyof typeof ReleaseChannel];

/** GKE release channels. */
export const RELEASE_CHANNELS: readonly ReleaseChannel[] = Object.values(ReleaseChannel);

/** A network allowed to reach the control plane. */
export interface AuthorizedNetwork {
  /** IPv4 CIDR block, e.g. `203.0.113.0/24`. */
  cidrBlock: string;
  /** A label shown in the console. */
  displayName?: string;
}

/** The small on-demand node pool for cluster system pods (DNS, metrics, controllers). */
export interface SystemNodePoolSpec {
  /** Machine type. Default `e2-standard-4`. */
  machineType?: string;
  /** Minimum nodes in the whole pool (all zones). Default 1. */
  minNodes?: number;
  /** Maximum nodes in the whole pool (all zones). Default 3. */
  maxNodes?: number;
  /** Boot disk size, GB. Default 50. */
  diskSizeGb?: number;
}

/** Arguments of {@link GkeCluster}. Validated when the component is built, so they are plain values. */
export interface GkeClusterArgs {
  /**
   * The GKE cluster name (1–40 characters: a lowercase letter first, then lowercase letters,
   * digits or `-`). Default: the component name. Node pool and service account names derive
   * from it.
   */
  clusterName?: string;
  /** GCP project id. Also names the Workload Identity pool `<project>.svc.id.goog`. */
  project: string;
  /** Region of the regional cluster, e.g. `us-central1`. */
  region: string;
  /** VPC network name or self link. Default `default`. */
  network?: string;
  /** Subnetwork name or self link. Default: the network's subnetwork in the region. */
  subnetwork?: string;
  /** Secondary range of the subnetwork for pods. Default: GKE creates one. */
  podsRangeName?: string;
  /** Secondary range of the subnetwork for services. Default: GKE creates one. */
  servicesRangeName?: string;
  /** Release channel. Default `REGULAR`. */
  releaseChannel?: ReleaseChannel;
  /** Minimum control plane version, e.g. `1.31`. Default: the channel's default. */
  kubernetesVersion?: string;
  /**
   * Serve the control plane on its private endpoint only (reach it from the VPC, a VPN or a
   * bastion). Default `false`: the public endpoint stays, limited to `masterAuthorizedNetworks`.
   */
  privateEndpoint?: boolean;
  /** The /28 range for the control plane's private endpoint. Default `172.16.0.32/28`. */
  masterIpv4CidrBlock?: string;
  /**
   * Networks allowed to reach the control plane; at least one, because `pulumi up` applies
   * Kubernetes objects through it: your CI runner's or office's range (for a runner inside the
   * VPC, its subnet's range).
   */
  masterAuthorizedNetworks?: AuthorizedNetwork[];
  /**
   * Cloud KMS key (`projects/…/locations/<region>/keyRings/…/cryptoKeys/…`) that encrypts
   * Kubernetes secrets in etcd. Default: Google-managed encryption. The GKE service agent is
   * granted `roles/cloudkms.cryptoKeyEncrypterDecrypter` on that key only.
   */
  databaseEncryptionKey?: string;
  /**
   * Give the private nodes egress to the internet (container registries such as ghcr.io) with a
   * Cloud Router and Cloud NAT on the cluster's network and region. Default `true`; set `false`
   * when the network already has a Cloud NAT covering the subnetwork, or when every image comes
   * from Artifact Registry (reached through Private Google Access).
   */
  cloudNat?: boolean;
  /** Refuse to delete the cluster until this is turned off. Default `true`. */
  deletionProtection?: boolean;
  /** The system node pool. */
  systemNodePool?: SystemNodePoolSpec;
  /** Zones of the system node pool. Default: the three zones GKE picks in the region. */
  nodeLocations?: string[];
  /** GCP resource labels for the cluster (billing, ownership). */
  resourceLabels?: Record<string, string>;
  /**
   * Enable the Gateway API (standard channel), which `OnnxService`'s `gcp-gateway` exposure
   * needs. Default `false`.
   */
  gatewayApi?: boolean;
}
