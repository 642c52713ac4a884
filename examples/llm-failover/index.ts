import { getHostedZoneIdOutput } from "@pulumi/aws/lb/getHostedZoneId";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { aws, failover, gcp, kubernetes } from "pulumi-hybridai";

const config = new pulumi.Config();
const google = new pulumi.Config("gcp");
const region = new pulumi.Config("aws").require("region");
const runner = config.require("runnerCidr");
const folder = config.require("modelFolder");
const servedName = config.require("servedModelName");
const apiKey = config.requireSecret("apiKey");

// One open model, served by vLLM from an EKS L4 fleet and a GKE TPU v5e slice, behind one name.
const model = { servedName, sizeGiB: config.requireNumber("modelSizeGiB") };
const engine = { maxModelLen: config.requireNumber("maxModelLen") };

/** The namespace, the store's reader and the API key Secret a cluster's LlmService needs. */
function prerequisites(
  cloud: string,
  provider: k8s.Provider,
  reader: {
    namespace: string;
    serviceAccountName: string;
    annotations: pulumi.Input<Record<string, string>>;
  },
) {
  const namespace = new k8s.core.v1.Namespace(
    `${cloud}-llm`,
    {
      metadata: {
        name: reader.namespace,
        labels: { "pod-security.kubernetes.io/enforce": "restricted" },
      },
    },
    { provider },
  );
  const account = new k8s.core.v1.ServiceAccount(
    `${cloud}-model-reader`,
    {
      metadata: {
        name: reader.serviceAccountName,
        namespace: reader.namespace,
        annotations: reader.annotations,
      },
      automountServiceAccountToken: false,
    },
    { provider, dependsOn: [namespace] },
  );
  const secret = new k8s.core.v1.Secret(
    `${cloud}-llm-api-key`,
    {
      metadata: { name: "llm-api-key", namespace: reader.namespace },
      stringData: { token: apiKey },
    },
    { provider, dependsOn: [namespace] },
  );
  return [namespace, account, secret];
}

// AWS: an EKS cluster with the AWS Load Balancer Controller, Spot L4 nodes (g6; use
// `nvidia-l40s` for g6e and models above 20 GB), a model store read through IRSA.
const eks = new aws.EksCluster("llm-aws", {
  endpoint: { publicAccess: true, publicAccessCidrs: [runner] },
  loadBalancerController: true,
});
const l4 = { type: "nvidia-l4", count: 1 } as const;
const fleet = new aws.SpotFleet("l4", {
  cluster: eks,
  accelerator: l4,
  capacity: { min: 1, max: config.requireNumber("maxGpuNodes") },
});
const plugin = new kubernetes.NvidiaDevicePlugin("nvidia", {
  provider: eks.provider,
  accelerators: ["nvidia-l4"],
});
const awsStore = new aws.ModelStore("models-aws", {
  cluster: eks,
  reader: { namespace: "llm", serviceAccountName: "model-reader" },
});
const onAws = new kubernetes.LlmService(
  "llm-aws",
  {
    name: "llm",
    provider: eks.provider,
    namespace: awsStore.reader.namespace,
    model: { ...model, uri: awsStore.uriFor(folder) },
    accelerator: l4,
    engine,
    serviceAccount: { name: awsStore.reader.serviceAccountName, create: false },
    spotNotice: "aws",
    auth: { secretName: "llm-api-key" },
    exposure: {
      loadBalancer: "aws-nlb",
      tls: { certificateArn: config.require("awsCertificateArn") },
      vpcCidrs: [eks.vpcCidrBlock],
      waitFor: eks.loadBalancerController ? [eks.loadBalancerController] : [],
    },
    // An NLB forwards every path: vLLM's key guards /v1 (docs/llm-serving.md, "Exposure").
    allowUnguardedPaths: true,
    capacity: { waitFor: [fleet, plugin], mixedCapacityAccelerators: ["nvidia-l4"] },
  },
  { dependsOn: prerequisites("aws", eks.provider, awsStore.reader) },
);

// Google Cloud: a GKE cluster with the Gateway API, a Spot TPU v5e 2x4 slice (8 chips on one
// host), a model store read through Workload Identity and Cloud Storage FUSE.
const gke = new gcp.GkeCluster("llm-gcp", {
  project: google.require("project"),
  region: google.require("region"),
  masterAuthorizedNetworks: [{ cidrBlock: runner, displayName: "runner" }],
  gatewayApi: true,
});
const v5e = { type: "tpu-v5e", topology: "2x4" } as const;
const slice = new gcp.TpuNodePool("v5e", {
  cluster: gke,
  accelerator: v5e,
  capacity: { min: 0, max: 2, spot: {} },
  zone: config.require("tpuZone"),
});
const gcsStore = new gcp.ModelStore("models-gcp", {
  cluster: gke,
  reader: { namespace: "llm", serviceAccountName: "model-reader" },
});
const onGcp = new kubernetes.LlmService(
  "llm-gcp",
  {
    name: "llm",
    provider: gke.provider,
    namespace: gcsStore.reader.namespace,
    model: { ...model, uri: gcsStore.uriFor(folder) },
    accelerator: v5e,
    engine,
    serviceAccount: { name: gcsStore.reader.serviceAccountName, create: false },
    spotNotice: "gcp",
    auth: { secretName: "llm-api-key" },
    exposure: {
      loadBalancer: "gcp-gateway",
      tls: { certificateMap: config.require("gcpCertificateMap") },
    },
    capacity: { waitFor: [slice] },
  },
  { dependsOn: prerequisites("gcp", gke.provider, gcsStore.reader) },
);

// One name: the EKS NLB while `/health` answers there, the GKE Gateway otherwise.
const endpoint = new failover.FailoverEndpoint("llm", {
  name: config.require("hostname"),
  zoneId: config.require("hostedZoneId"),
  policy: "failover",
  healthCheck: { path: "/health" },
  endpoints: [
    {
      name: `aws-${region}`,
      address: onAws.publicAddress,
      addressType: "hostname",
      aliasZoneId: getHostedZoneIdOutput({ loadBalancerType: "network", region }).id,
      role: "primary",
    },
    {
      name: `gcp-${google.require("region")}`,
      address: onGcp.publicAddress,
      addressType: "ip",
      role: "secondary",
    },
  ],
});

/** The OpenAI-compatible base URL clients use (`Authorization: Bearer <apiKey>`). */
export const url = pulumi.interpolate`https://${endpoint.name}/v1`;
/** The name clients pass as `model`. */
export const modelName = onAws.servedModelName;
/** Upload the model's files (config.json, tokenizer, *.safetensors) to both folders. */
export const modelUris = { aws: awsStore.uriFor(folder), gcp: gcsStore.uriFor(folder) };
/** Worst-case seconds until clients reach the other cloud. */
export const worstCaseFailoverSeconds = endpoint.worstCaseFailoverSeconds;
