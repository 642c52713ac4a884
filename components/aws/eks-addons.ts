/**
 * The EKS add-ons hybridai manages: the core three on every cluster, and metrics-server (an EKS
 * community add-on) unless turned off. The pod identity agent is not used: add-ons and model
 * readers authenticate with IRSA.
 */
export type CoreAddonName = "vpc-cni" | "kube-proxy" | "coredns" | "metrics-server";

/**
 * Pinned EKS add-on versions per Kubernetes minor version, from the Amazon EKS user guide's
 * version tables (`aws eks describe-addon-versions --addon-name <name> --kubernetes-version <v>`
 * lists newer builds). Bump them together with `EKS_VERSIONS`.
 */
export const EKS_ADDON_VERSIONS: Readonly<Record<string, Readonly<Record<CoreAddonName, string>>>> =
  {
    "1.31": {
      "vpc-cni": "v1.20.4-eksbuild.1",
      "kube-proxy": "v1.31.13-eksbuild.2",
      coredns: "v1.11.4-eksbuild.24",
      "metrics-server": "v0.8.0-eksbuild.2",
    },
    "1.32": {
      "vpc-cni": "v1.20.4-eksbuild.1",
      "kube-proxy": "v1.32.9-eksbuild.2",
      coredns: "v1.11.4-eksbuild.24",
      "metrics-server": "v0.8.0-eksbuild.2",
    },
    "1.33": {
      "vpc-cni": "v1.20.4-eksbuild.1",
      "kube-proxy": "v1.33.5-eksbuild.2",
      coredns: "v1.12.4-eksbuild.1",
      "metrics-server": "v0.8.0-eksbuild.2",
    },
    "1.34": {
      "vpc-cni": "v1.20.4-eksbuild.1",
      "kube-proxy": "v1.34.1-eksbuild.2",
      coredns: "v1.12.4-eksbuild.1",
      "metrics-server": "v0.8.0-eksbuild.2",
    },
  };

/**
 * The VPC CNI's add-on configuration: its network policy agent enforces Kubernetes
 * NetworkPolicy (off by default, when every policy is silently ignored).
 */
export const VPC_CNI_CONFIGURATION = { enableNetworkPolicy: "true" } as const;

/** One EKS add-on to create. */
export interface PlannedAddon {
  /** EKS add-on name. */
  addonName: string;
  /** Exact add-on version. */
  addonVersion: string;
  /** JSON configuration values, when the add-on is configured. */
  configurationValues?: string;
  /**
   * Create before the cluster's nodes (the pod network and service routing every node needs
   * from boot); otherwise after the system nodes (Deployments that need a node to become
   * ACTIVE).
   */
  beforeNodes: boolean;
  /** Take over what EKS installed itself (the self-managed defaults of a new cluster). */
  resolveConflictsOnCreate: "OVERWRITE";
  /** Keep the add-on as configured here on update. */
  resolveConflictsOnUpdate: "OVERWRITE";
}

function addon(
  addonName: string,
  addonVersion: string,
  beforeNodes: boolean,
  configuration?: object,
): PlannedAddon {
  return {
    addonName,
    addonVersion,
    ...(configuration ? { configurationValues: JSON.stringify(configuration) } : {}),
    beforeNodes,
    resolveConflictsOnCreate: "OVERWRITE",
    resolveConflictsOnUpdate: "OVERWRITE",
  };
}

/** Which optional add-ons {@link planEksAddons} includes. */
export interface EksAddonOptions {
  /**
   * metrics-server, the source of the Kubernetes metrics API: without it EKS serves no CPU or
   * memory metrics and every HorizontalPodAutoscaler holds its minimum. Default `false` here;
   * `aws.EksCluster` turns it on unless told otherwise.
   */
  metricsServer?: boolean;
}

/**
 * The EKS add-ons of a cluster, pinned for its Kubernetes version: the VPC CNI with
 * NetworkPolicy enforcement and kube-proxy before the nodes, CoreDNS (and metrics-server when
 * asked) after the system nodes.
 */
export function planEksAddons(version: string, options: EksAddonOptions = {}): PlannedAddon[] {
  const pinned = EKS_ADDON_VERSIONS[version];
  return [
    addon("vpc-cni", pinned["vpc-cni"], true, VPC_CNI_CONFIGURATION),
    addon("kube-proxy", pinned["kube-proxy"], true),
    addon("coredns", pinned.coredns, false),
    ...(options.metricsServer ? [addon("metrics-server", pinned["metrics-server"], false)] : []),
  ];
}
