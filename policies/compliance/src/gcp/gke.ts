import { forTypes, type PackResourcePolicy } from "../../../shared/src/policy";
import { booleanAt, listAt, objectAt, stringAt } from "../../../shared/src/props";

const CLUSTER = "gcp:container/cluster:Cluster";
const NODE_POOL = "gcp:container/nodePool:NodePool";

/** GKE clusters keep legacy ABAC off. */
export const gkeNoLegacyAbac: PackResourcePolicy = {
  name: "gke-no-legacy-abac",
  description: "GKE clusters keep legacy ABAC off, so RBAC alone authorizes API requests.",
  remediationSteps: "Remove enableLegacyAbac or set it to false.",
  enforcementLevel: "mandatory",
  configSchema: { properties: {} },
  validateResource: forTypes({
    [CLUSTER]: (props, args, report) => {
      if (booleanAt(props, "enableLegacyAbac") === true) {
        report(`GKE cluster "${args.name}" enables legacy ABAC; set enableLegacyAbac: false.`);
      }
    },
  }),
};

/** GKE clusters use Workload Identity, and no node pool exposes the node's metadata server. */
export const gkeWorkloadIdentity: PackResourcePolicy = {
  name: "gke-workload-identity",
  description:
    "GKE clusters enable Workload Identity and node pools keep the GKE metadata server, so pods " +
    "never use the node's service account.",
  remediationSteps:
    'Set workloadIdentityConfig.workloadPool to "<project>.svc.id.goog" on the cluster and ' +
    'nodeConfig.workloadMetadataConfig.mode "GKE_METADATA" on node pools.',
  enforcementLevel: "mandatory",
  configSchema: { properties: {} },
  validateResource: forTypes({
    [CLUSTER]: (props, args, report) => {
      if (booleanAt(props, "enableAutopilot") === true) return;
      if (!stringAt(props, "workloadIdentityConfig.workloadPool")) {
        report(
          `GKE cluster "${args.name}" does not enable Workload Identity; set ` +
            'workloadIdentityConfig.workloadPool "<project>.svc.id.goog".',
        );
      }
    },
    [NODE_POOL]: (props, args, report) => {
      if (stringAt(props, "nodeConfig.workloadMetadataConfig.mode") === "GCE_METADATA") {
        report(
          `GKE node pool "${args.name}" exposes the node's metadata server to pods ` +
            '(workloadMetadataConfig.mode GCE_METADATA); use "GKE_METADATA".',
        );
      }
    },
  }),
};

/** GKE nodes have no public IP addresses. */
export const gkePrivateNodes: PackResourcePolicy = {
  name: "gke-private-nodes",
  description: "GKE nodes have only private IP addresses.",
  remediationSteps:
    "Set privateClusterConfig.enablePrivateNodes: true (with a masterIpv4CidrBlock) and give the " +
    "network a Cloud NAT so nodes can pull public images.",
  enforcementLevel: "mandatory",
  configSchema: { properties: {} },
  validateResource: forTypes({
    [CLUSTER]: (props, args, report) => {
      if (booleanAt(props, "enableAutopilot") === true) return;
      if (booleanAt(props, "privateClusterConfig.enablePrivateNodes") !== true) {
        report(
          `GKE cluster "${args.name}" gives nodes public IPs; set privateClusterConfig.enablePrivateNodes: true.`,
        );
      }
    },
    [NODE_POOL]: (props, args, report) => {
      if (booleanAt(props, "networkConfig.enablePrivateNodes") === false) {
        report(
          `GKE node pool "${args.name}" turns private nodes off (networkConfig.enablePrivateNodes false).`,
        );
      }
    },
  }),
};

/** The GKE control plane accepts only listed networks. */
export const gkeMasterAuthorizedNetworks: PackResourcePolicy = {
  name: "gke-master-authorized-networks",
  description:
    "GKE control planes accept connections only from authorized networks (none of them " +
    "0.0.0.0/0, and not every Google Cloud public IP), unless the endpoint is private.",
  remediationSteps:
    "Set masterAuthorizedNetworksConfig.cidrBlocks to your CI and office ranges with " +
    "gcpPublicCidrsAccessEnabled false, or make the endpoint private " +
    "(privateClusterConfig.enablePrivateEndpoint true).",
  enforcementLevel: "mandatory",
  configSchema: { properties: {} },
  validateResource: forTypes({
    [CLUSTER]: (props, args, report) => {
      if (booleanAt(props, "privateClusterConfig.enablePrivateEndpoint") === true) return;
      const config = objectAt(props, "masterAuthorizedNetworksConfig");
      if (Object.keys(config).length === 0) {
        report(
          `GKE cluster "${args.name}" has a public endpoint open to any network; set ` +
            "masterAuthorizedNetworksConfig.cidrBlocks.",
        );
        return;
      }
      const open = listAt(config, "cidrBlocks")
        .map((b) => stringAt(b, "cidrBlock"))
        .filter((c) => c === "0.0.0.0/0");
      if (open.length > 0) {
        report(`GKE cluster "${args.name}" authorizes 0.0.0.0/0 to reach its control plane.`);
      }
      if (booleanAt(config, "gcpPublicCidrsAccessEnabled") === true) {
        report(
          `GKE cluster "${args.name}" lets every Google Cloud public IP reach its control plane ` +
            "(gcpPublicCidrsAccessEnabled); set it false.",
        );
      }
    },
  }),
};
