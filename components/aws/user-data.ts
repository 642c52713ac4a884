import { LABELS, type Taint } from "../kubernetes/labels";

/** What a self-managed AL2023 node needs to join an EKS cluster. */
export interface NodeJoinSpec {
  /** EKS cluster name. */
  clusterName: string;
  /** API server endpoint URL. */
  endpoint: string;
  /** Base64 PEM of the cluster certificate authority. */
  certificateAuthorityData: string;
  /** Kubernetes service CIDR. */
  serviceCidr: string;
  /** Node labels known up front (the capacity type label is added on the node). */
  labels: Record<string, string>;
  /** Taints registered with the node (Kubernetes spelling). */
  taints: Taint[];
}

const BOUNDARY = "==HYBRIDAI==";

/** The `nodeadm` NodeConfig (as JSON, which is YAML) that joins the node to the cluster, tainted. */
export function nodeConfig(spec: NodeJoinSpec): Record<string, unknown> {
  return {
    apiVersion: "node.eks.aws/v1alpha1",
    kind: "NodeConfig",
    spec: {
      cluster: {
        name: spec.clusterName,
        apiServerEndpoint: spec.endpoint,
        certificateAuthority: spec.certificateAuthorityData,
        cidr: spec.serviceCidr,
      },
      kubelet: {
        flags: [
          `--register-with-taints=${spec.taints.map((t) => `${t.key}=${t.value}:${t.effect}`).join(",")}`,
        ],
      },
    },
  };
}

/**
 * The boot script: asks IMDSv2 whether this instance is spot or on-demand (one Auto Scaling
 * group launches both) and drops a NodeConfig with every node label, including
 * `hybridai.dev/capacity-type`, into `/etc/eks/nodeadm.d/`, which `nodeadm` merges when it
 * starts the kubelet after cloud-init.
 */
export function capacityLabelScript(labels: Record<string, string>): string {
  const fixed = Object.entries(labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(",");
  return [
    "#!/bin/bash",
    "set -euo pipefail",
    'IMDS="http://169.254.169.254/latest"',
    'TOKEN=$(curl -sSf --retry 5 -X PUT "$IMDS/api/token" -H "X-aws-ec2-metadata-token-ttl-seconds: 60")',
    'LIFECYCLE=$(curl -sSf --retry 5 -H "X-aws-ec2-metadata-token: $TOKEN" "$IMDS/meta-data/instance-life-cycle")',
    'if [ "$LIFECYCLE" = "spot" ]; then CAPACITY=spot; else CAPACITY=on-demand; fi',
    "mkdir -p /etc/eks/nodeadm.d",
    "cat > /etc/eks/nodeadm.d/50-hybridai-labels.yaml <<EOF",
    "apiVersion: node.eks.aws/v1alpha1",
    "kind: NodeConfig",
    "spec:",
    "  kubelet:",
    "    flags:",
    `      - --node-labels=${fixed ? `${fixed},` : ""}${LABELS.capacityType}=\${CAPACITY}`,
    "EOF",
  ].join("\n");
}

/**
 * The launch template user data of a self-managed AL2023 node: a MIME multi-part document with the
 * NodeConfig and the capacity-label script.
 */
export function nodeUserData(spec: NodeJoinSpec): string {
  return [
    "MIME-Version: 1.0",
    `Content-Type: multipart/mixed; boundary="${BOUNDARY}"`,
    "",
    `--${BOUNDARY}`,
    "Content-Type: application/node.eks.aws",
    "",
    JSON.stringify(nodeConfig(spec), null, 2),
    "",
    `--${BOUNDARY}`,
    'Content-Type: text/x-shellscript; charset="us-ascii"',
    "",
    capacityLabelScript(spec.labels),
    "",
    `--${BOUNDARY}--`,
    "",
  ].join("\n");
}
