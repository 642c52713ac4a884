import { validateCapacity } from "../accelerators";
import { HybridAiConfigError } from "../errors";
import { cloudName } from "../names";
import { assertOneOf, assertWholeNumber } from "../validate";
import { workloadPool } from "./iam";
import { parseCryptoKeyName } from "./kms";
import { assertGkeClusterName, assertZonesInRegion, GCP_NAME_LIMITS, nodePoolName } from "./names";
import {
  type ClusterSettings,
  hardenedNodeConfig,
  type NodePoolSettings,
  type RouterNatSettings,
  type RouterSettings,
} from "./node-config";
import { assertCidr, assertProjectId, assertRegion } from "./validate";
import { GKE_DEFAULT_ZONE_COUNT, zonalPlacement } from "./zonal-placement";

const COMPONENT = "GcpGkeCluster";

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

/** A Cloud Router and the Cloud NAT on it. */
export interface EgressPlan {
  /** The router, on the cluster's network and region. */
  router: RouterSettings;
  /** The NAT, without its `router` (the router's name is filled in when it exists). */
  nat: Omit<RouterNatSettings, "router">;
}

/** What {@link GkeCluster} creates, as provider arguments. */
export interface GkeClusterPlan {
  /** The cluster. */
  cluster: ClusterSettings;
  /** Egress for the private nodes, unless `cloudNat` is `false`. */
  egress?: EgressPlan;
  /** The system node pool, without its `cluster`. */
  systemNodePool: NodePoolSettings;
  /** The KMS key to grant the GKE service agent, when CMEK is on. */
  databaseEncryptionKey?: string;
}

/**
 * Validates {@link GkeClusterArgs} (with the cluster name filled in) and turns them into GKE
 * arguments: a regional Standard
 * cluster with private nodes, Workload Identity, Dataplane V2, shielded nodes, logging and
 * monitoring of system components and workloads, the default node pool removed, a small
 * system node pool (the component adds the dedicated node service account to both), and a
 * Cloud Router with Cloud NAT so the private nodes can pull public images.
 */
export function planGkeCluster(args: GkeClusterArgs & { clusterName: string }): GkeClusterPlan {
  if (args === null || typeof args !== "object") {
    throw new HybridAiConfigError(COMPONENT, "args", args, "an object { project, region, … }");
  }
  const name = assertGkeClusterName(COMPONENT, "clusterName", args.clusterName);
  const project = assertProjectId(COMPONENT, "project", args.project);
  const region = assertRegion(COMPONENT, "region", args.region);
  const channel = assertOneOf(
    COMPONENT,
    "releaseChannel",
    args.releaseChannel ?? "REGULAR",
    RELEASE_CHANNELS,
  );
  const masterCidr = assertCidr(
    COMPONENT,
    "masterIpv4CidrBlock",
    args.masterIpv4CidrBlock ?? "172.16.0.32/28",
    28,
  );
  const authorized = (args.masterAuthorizedNetworks ?? []).map((network, i) => ({
    cidrBlock: assertCidr(
      COMPONENT,
      `masterAuthorizedNetworks[${i}].cidrBlock`,
      network?.cidrBlock,
    ),
    displayName: network.displayName ?? network.cidrBlock,
  }));
  if (authorized.length === 0) {
    throw new HybridAiConfigError(
      COMPONENT,
      "masterAuthorizedNetworks",
      args.masterAuthorizedNetworks ?? [],
      "at least one network: with none, only addresses inside the VPC can connect to the control plane, " +
        "and `pulumi up` applies Kubernetes objects through it; list your runner's CIDR " +
        "(for a runner inside the VPC, its subnet's range)",
    );
  }
  const key = args.databaseEncryptionKey;
  if (key !== undefined) parseCryptoKeyName(COMPONENT, "databaseEncryptionKey", key, [region]);
  if (args.nodeLocations) {
    assertZonesInRegion(COMPONENT, "nodeLocations", args.nodeLocations, region);
  }
  const system = args.systemNodePool ?? {};
  const systemCapacity = validateCapacity(
    { min: system.minNodes ?? 1, max: system.maxNodes ?? 3 },
    `${COMPONENT}.systemNodePool`,
  );
  const diskSizeGb = assertWholeNumber(
    COMPONENT,
    "systemNodePool.diskSizeGb",
    system.diskSizeGb ?? 50,
    10,
  );
  const hardened = hardenedNodeConfig();
  const systemZones = args.nodeLocations ?? [];
  const zonal = zonalPlacement(systemZones.length || GKE_DEFAULT_ZONE_COUNT, systemCapacity);
  if (systemZones.length === 0 && zonal.zoneCount < GKE_DEFAULT_ZONE_COUNT) {
    throw new HybridAiConfigError(
      COMPONENT,
      "nodeLocations",
      args.nodeLocations,
      `the system pool's zones: GKE spreads the pool over three zones by default and starts the same number of nodes in each, which cannot stay within systemNodePool ${systemCapacity.min}–${systemCapacity.max}; list nodeLocations (zones of ${region}) or use bounds that allow a multiple of 3`,
    );
  }

  const cluster: ClusterSettings = {
    name,
    project,
    location: region,
    network: args.network ?? "default",
    ...(args.subnetwork ? { subnetwork: args.subnetwork } : {}),
    networkingMode: "VPC_NATIVE",
    ipAllocationPolicy: {
      ...(args.podsRangeName ? { clusterSecondaryRangeName: args.podsRangeName } : {}),
      ...(args.servicesRangeName ? { servicesSecondaryRangeName: args.servicesRangeName } : {}),
    },
    ...(args.kubernetesVersion ? { minMasterVersion: args.kubernetesVersion } : {}),
    releaseChannel: { channel },
    removeDefaultNodePool: true,
    initialNodeCount: 1,
    nodeConfig: { ...hardened, machineType: "e2-small" },
    privateClusterConfig: {
      enablePrivateNodes: true,
      enablePrivateEndpoint: args.privateEndpoint ?? false,
      masterIpv4CidrBlock: masterCidr,
      masterGlobalAccessConfig: { enabled: true },
    },
    masterAuthorizedNetworksConfig: {
      cidrBlocks: authorized,
      gcpPublicCidrsAccessEnabled: false,
    },
    masterAuth: { clientCertificateConfig: { issueClientCertificate: false } },
    workloadIdentityConfig: { workloadPool: workloadPool(project) },
    enableShieldedNodes: true,
    enableLegacyAbac: false,
    datapathProvider: "ADVANCED_DATAPATH",
    loggingConfig: { enableComponents: ["SYSTEM_COMPONENTS", "WORKLOADS"] },
    monitoringConfig: {
      enableComponents: ["SYSTEM_COMPONENTS", "POD", "DEPLOYMENT", "HPA", "DCGM"],
      managedPrometheus: { enabled: true },
    },
    addonsConfig: {
      gcsFuseCsiDriverConfig: { enabled: true },
      gcePersistentDiskCsiDriverConfig: { enabled: true },
      horizontalPodAutoscaling: { disabled: false },
      httpLoadBalancing: { disabled: false },
    },
    verticalPodAutoscaling: { enabled: true },
    costManagementConfig: { enabled: true },
    ...(args.gatewayApi ? { gatewayApiConfig: { channel: "CHANNEL_STANDARD" } } : {}),
    ...(key !== undefined
      ? { databaseEncryption: { state: "ENCRYPTED", keyName: key } }
      : { databaseEncryption: { state: "DECRYPTED" } }),
    deletionProtection: args.deletionProtection ?? true,
    ...(args.resourceLabels ? { resourceLabels: args.resourceLabels } : {}),
  };

  const systemNodePool: NodePoolSettings = {
    name: nodePoolName(name, "system"),
    project,
    location: region,
    ...(systemZones.length > 0 ? { nodeLocations: systemZones.slice(0, zonal.zoneCount) } : {}),
    initialNodeCount: zonal.perZone,
    autoscaling: {
      totalMinNodeCount: systemCapacity.min,
      totalMaxNodeCount: systemCapacity.max,
      locationPolicy: "BALANCED",
    },
    management: { autoRepair: true, autoUpgrade: true },
    nodeConfig: {
      ...hardened,
      machineType: system.machineType ?? "e2-standard-4",
      diskSizeGb,
      diskType: "pd-balanced",
      labels: { "hybridai.dev/pool": "system" },
    },
  };
  const egress = args.cloudNat === false ? undefined : planEgress(name, project, region, args);
  return {
    cluster,
    systemNodePool,
    ...(egress ? { egress } : {}),
    ...(key !== undefined ? { databaseEncryptionKey: key } : {}),
  };
}

/**
 * A Cloud Router and Cloud NAT giving the cluster's private nodes egress: every range of the
 * given subnetwork, or of every subnetwork in the region when none is given; addresses
 * allocated by Google; errors logged.
 */
function planEgress(
  clusterName: string,
  project: string,
  region: string,
  args: GkeClusterArgs,
): EgressPlan {
  const name = (suffix: string) =>
    cloudName({ scope: clusterName, suffix, max: GCP_NAME_LIMITS.router });
  return {
    router: {
      name: name("nat-router"),
      project,
      region,
      network: args.network ?? "default",
      description: `Egress for the private nodes of GKE cluster ${clusterName}`,
    },
    nat: {
      name: name("nat"),
      project,
      region,
      natIpAllocateOption: "AUTO_ONLY",
      ...(args.subnetwork
        ? {
            sourceSubnetworkIpRangesToNat: "LIST_OF_SUBNETWORKS",
            subnetworks: [{ name: args.subnetwork, sourceIpRangesToNats: ["ALL_IP_RANGES"] }],
          }
        : { sourceSubnetworkIpRangesToNat: "ALL_SUBNETWORKS_ALL_IP_RANGES" }),
      logConfig: { enable: true, filter: "ERRORS_ONLY" },
    },
  };
}
