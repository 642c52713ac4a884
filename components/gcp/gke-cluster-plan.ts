import { validateCapacity } from "../accelerators";
import { HybridAiConfigError } from "../errors";
import { cloudName } from "../names";
import { assertOneOf, assertWholeNumber } from "../validate";
import { type GkeClusterArgs, RELEASE_CHANNELS } from "./gke-cluster-args";
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

/** The networks allowed to reach the control plane, checked: at least one is required. */
function authorizedNetworks(args: GkeClusterArgs): { cidrBlock: string; displayName: string }[] {
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
  return authorized;
}

/**
 * The system node pool, checked: its bounds, disk size and zones (GKE starts the same number
 * of nodes in each zone, so the bounds must allow a multiple of the zone count).
 */
function planSystemNodePool(
  args: GkeClusterArgs,
  cluster: { name: string; project: string; region: string },
): NodePoolSettings {
  const { name, project, region } = cluster;
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
  return {
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
      ...hardenedNodeConfig(),
      machineType: system.machineType ?? "e2-standard-4",
      diskSizeGb,
      diskType: "pd-balanced",
      labels: { "hybridai.dev/pool": "system" },
    },
  };
}

/** The cluster's checked fields {@link clusterSettings} writes out. */
interface CheckedCluster {
  name: string;
  project: string;
  region: string;
  channel: (typeof RELEASE_CHANNELS)[number];
  masterCidr: string;
  authorized: { cidrBlock: string; displayName: string }[];
  key?: string;
}

/** The hardened cluster itself, from its checked fields and the remaining arguments. */
function clusterSettings(args: GkeClusterArgs, checked: CheckedCluster): ClusterSettings {
  const { name, project, region, channel, masterCidr, authorized, key } = checked;
  return {
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
    nodeConfig: { ...hardenedNodeConfig(), machineType: "e2-small" },
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
  const authorized = authorizedNetworks(args);
  const key = args.databaseEncryptionKey;
  if (key !== undefined) parseCryptoKeyName(COMPONENT, "databaseEncryptionKey", key, [region]);
  if (args.nodeLocations) {
    assertZonesInRegion(COMPONENT, "nodeLocations", args.nodeLocations, region);
  }
  const systemNodePool = planSystemNodePool(args, { name, project, region });
  const cluster = clusterSettings(args, {
    name,
    project,
    region,
    channel,
    masterCidr,
    authorized,
    ...(key !== undefined ? { key } : {}),
  });
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
