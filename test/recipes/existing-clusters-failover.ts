import * as awsSdk from "@pulumi/aws";
import * as gcpSdk from "@pulumi/gcp";
import * as k8s from "@pulumi/kubernetes";
import { RandomPassword } from "@pulumi/random";
import { aws, failover, gcp, kubernetes } from "pulumi-hybridai";

/** The docs' "An existing EKS and GKE cluster behind one failover name" recipe. */
export function existingClustersFailover() {
  // The clusters you run, looked up by name: nothing of them is changed. The EKS cluster runs
  // the AWS Load Balancer Controller and the GKE cluster has the Gateway API enabled (see
  // docs/existing-clusters.md); both have NVIDIA L4 nodes and a device plugin.
  const eks = aws.EksCluster.get("platform", {
    clusterName: "platform-prod",
    systemNodeGroupName: "system",
  });
  const gke = gcp.GkeCluster.get("serving", {
    clusterName: "serving",
    project: "acme-ml",
    region: "us-central1",
  });

  // A model store on each cloud. Pods read their own cloud's first and the other's when it is
  // down; keep the two in sync with `hybridai-serve sync` after every publish.
  const s3 = new aws.ModelStore("models-aws", { cluster: eks });
  const gcs = new gcp.ModelStore("models-gcp", { cluster: gke });

  // One bearer token for both clusters, in a Secret in each.
  const token = new RandomPassword("ranker-token", { length: 48, special: false });

  const l4 = { type: "nvidia-l4", count: 1 } as const;
  const serve = (
    cloud: "aws" | "gcp",
    provider: k8s.Provider,
    store: aws.ModelStore | gcp.ModelStore,
    mirror: aws.ModelStore | gcp.ModelStore,
    exposure: kubernetes.ServingExposure,
  ) => {
    const namespace = new k8s.core.v1.Namespace(
      `hybridai-${cloud}`,
      { metadata: { name: store.reader.namespace } },
      { provider },
    );
    const secret = new k8s.core.v1.Secret(
      `ranker-token-${cloud}`,
      {
        metadata: { name: "ranker-token", namespace: store.reader.namespace },
        stringData: { token: token.result },
      },
      { provider, dependsOn: [namespace] },
    );
    return new kubernetes.OnnxService(
      `ranker-${cloud}`,
      {
        provider,
        name: "ranker",
        namespace: store.reader.namespace,
        serviceAccount: {
          name: store.reader.serviceAccountName,
          annotations: store.reader.annotations,
        },
        image: "ghcr.io/acme/hybridai-serving-runtime:0.1.0-cuda",
        model: { uri: store.uriFor("ranker"), mirrors: [mirror.uriFor("ranker")] },
        accelerator: l4,
        replicas: { min: 2, max: 8 },
        spotNotice: cloud,
        auth: { secretName: "ranker-token" },
        exposure,
      },
      { dependsOn: [namespace, secret] },
    );
  };

  // EKS: an internet-facing NLB made by the cluster's AWS Load Balancer Controller, TLS with
  // an ACM certificate for the name; the pods admit the NLB's connections from the VPC.
  const vpc = awsSdk.ec2.getVpcOutput({
    id: awsSdk.eks.getClusterOutput({ name: eks.clusterName }).vpcConfig.vpcId,
  });
  const onAws = serve("aws", eks.provider, s3, gcs, {
    loadBalancer: "aws-nlb",
    tls: {
      certificateArn:
        "arn:aws:acm:us-west-2:123456789012:certificate/00000000-0000-0000-0000-000000000000",
    },
    vpcCidrs: [vpc.cidrBlock],
  });

  // GKE: a Gateway on a reserved global address, TLS with a Certificate Manager map.
  const address = new gcpSdk.compute.GlobalAddress("ranker", {
    name: "ranker-serving",
    project: "acme-ml",
  });
  serve("gcp", gke.provider, gcs, s3, {
    loadBalancer: "gcp-gateway",
    tls: { certificateMap: "infer-example-com" },
    gcpAddressName: "ranker-serving",
  });

  // One name over both: AWS answers while its health check passes, GKE when it fails.
  const endpoint = new failover.FailoverEndpoint("ranker", {
    name: "infer.example.com",
    zoneId: "Z0123456789EXAMPLE00", // your Route 53 public hosted zone
    policy: "failover",
    endpoints: [
      {
        name: "aws-primary",
        address: onAws.publicAddress,
        addressType: "hostname",
        aliasZoneId: awsSdk.lb.getHostedZoneIdOutput({ loadBalancerType: "network" }).id,
        role: "primary",
      },
      { name: "gcp-secondary", address: address.address, addressType: "ip", role: "secondary" },
    ],
  });

  return { url: `https://${endpoint.name}`, failoverSeconds: endpoint.worstCaseFailoverSeconds };
}
