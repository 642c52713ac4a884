import { getHostedZoneIdOutput } from "@pulumi/aws/lb/getHostedZoneId";
import { GlobalAddress } from "@pulumi/gcp/compute/globalAddress";
import { Namespace, Secret, ServiceAccount } from "@pulumi/kubernetes/core/v1";
import type * as pulumi from "@pulumi/pulumi";
import { RandomPassword } from "@pulumi/random/randomPassword";
import { z } from "zod";
import { ACCELERATOR_TYPES } from "../../components/accelerators";
import { HybridAiConfigError } from "../../components/errors";
import {
  FailoverEndpoint,
  type FailoverTarget,
  planFailoverEndpoint,
  ROUTING_POLICIES,
} from "../../components/failover";
import {
  OnnxService,
  type OnnxServiceArgs,
  planOnnxService,
  type ServingExposure,
} from "../../components/kubernetes";
import type { DeployedCluster, PlannedCluster, StackSection } from "../section";

const SECTION = "failover stack section";
const KEY = "hybridai:failover";

const dnsLabel = z
  .string()
  .regex(
    /^[a-z]([-a-z0-9]*[a-z0-9])?$/,
    "lowercase letters, digits and '-', starting with a letter",
  );

const endpoint = z.strictObject({
  /** The cluster (registered by the aws or gcp section) serving this endpoint. */
  cluster: z.string().min(1),
  /** `failover`: primary or secondary. */
  role: z.enum(["primary", "secondary"]).optional(),
  /** `weighted`: 0–255. */
  weight: z.number().int().optional(),
  /** `latency`: the AWS region the endpoint counts as. */
  region: z.string().optional(),
  /** Client CIDRs admitted (EKS: the NLB's security group). Default everyone. */
  sourceRanges: z.array(z.string()).optional(),
  /** EKS: the ACM certificate of the name; GKE: the Certificate Manager map covering it. */
  tls: z.strictObject({
    certificateArn: z.string().optional(),
    certificateMap: z.string().optional(),
  }),
});

/** `hybridai:failover`: one service on several clusters behind one health-checked DNS name. */
export interface FailoverStackConfig {
  /** The DNS name clients use, e.g. `infer.example.com`. */
  name: string;
  /** The Route 53 public hosted zone holding the name. */
  hostedZoneId: string;
  /** Routing policy. Default `failover`. */
  policy?: (typeof ROUTING_POLICIES)[number];
  /** Record TTL, seconds. Default 60. */
  ttlSeconds?: number;
  /** Health check interval (10 or 30), failure threshold and checker regions. */
  healthCheck?: { intervalSeconds?: number; failureThreshold?: number; regions?: string[] };
  /** The service every endpoint runs. */
  service: {
    name: string;
    model?: string;
    revision?: string;
    image: string;
    accelerator?: { type: (typeof ACCELERATOR_TYPES)[number]; count?: number };
    replicas?: { min?: number; max?: number };
    resources?: { cpu?: string; memory?: string };
  };
  /** The endpoints, one a cluster. */
  endpoints: z.infer<typeof endpoint>[];
}

const schema: z.ZodType<FailoverStackConfig> = z.strictObject({
  name: z.string().min(1),
  hostedZoneId: z
    .string()
    .regex(/^Z[A-Z0-9]{1,31}$/, "a Route 53 hosted zone id, e.g. Z0123456789ABCDEFGHIJ"),
  policy: z.enum(ROUTING_POLICIES).optional(),
  ttlSeconds: z.number().int().optional(),
  healthCheck: z
    .strictObject({
      intervalSeconds: z.number().int().optional(),
      failureThreshold: z.number().int().optional(),
      regions: z.array(z.string()).optional(),
    })
    .optional(),
  service: z.strictObject({
    name: dnsLabel,
    model: z.string().optional(),
    revision: z.string().optional(),
    image: z.string().min(1),
    accelerator: z
      .strictObject({ type: z.enum(ACCELERATOR_TYPES), count: z.number().int().min(1).optional() })
      .optional(),
    replicas: z
      .strictObject({ min: z.number().int().optional(), max: z.number().int().optional() })
      .optional(),
    resources: z
      .strictObject({ cpu: z.string().optional(), memory: z.string().optional() })
      .optional(),
  }),
  endpoints: z.array(endpoint).min(1),
});

/** What the checks need to know of a cluster: planned from config, or deployed. */
type ClusterFacts = Pick<PlannedCluster, "cloud" | "modelStore" | "accelerators" | "exposures">;

/** What exposing the service on a cloud needs, and how to get it, for the error message. */
const EXPOSURE_NEEDS = {
  aws: {
    exposure: "aws-nlb",
    allowed:
      "an EKS cluster running the AWS Load Balancer Controller (the NLB is its work): set " +
      "hybridai:aws.cluster.loadBalancerController: true, or, for an existing cluster that runs " +
      "it, loadBalancerController: true in hybridai:existing",
  },
  gcp: {
    exposure: "gcp-gateway",
    allowed:
      "a GKE cluster with the Gateway API (the Gateway is its work): set " +
      "hybridai:gcp.cluster.gatewayApi: true, or enable it on an existing cluster (gcloud " +
      "container clusters update NAME --location REGION --gateway-api=standard) and set " +
      "gatewayApi: true in hybridai:existing",
  },
} as const;

/** The exposure of one endpoint on its cloud: an NLB on EKS, a Gateway on GKE. */
function exposureOf(
  entry: z.infer<typeof endpoint>,
  cloud: ClusterFacts["cloud"],
  network: DeployedCluster["network"] | undefined,
  gcpAddressName: string,
): ServingExposure {
  if (cloud === "aws") {
    return {
      loadBalancer: "aws-nlb",
      tls: { certificateArn: entry.tls.certificateArn, certificateMap: entry.tls.certificateMap },
      ...(entry.sourceRanges ? { sourceRanges: entry.sourceRanges } : {}),
      vpcCidrs: [network?.vpcCidrBlock ?? "10.0.0.0/16"],
      waitFor: network?.loadBalancerController ? [network.loadBalancerController] : [],
    };
  }
  return {
    loadBalancer: "gcp-gateway",
    tls: { certificateArn: entry.tls.certificateArn, certificateMap: entry.tls.certificateMap },
    ...(entry.sourceRanges ? { sourceRanges: entry.sourceRanges } : {}),
    gcpAddressName,
  };
}

/** Drops the keys whose value is `undefined` (so the planners see only what was configured). */
function defined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

/** Names of one endpoint's objects: the Kubernetes namespace and the GKE static address. */
function endpointNames(
  config: FailoverStackConfig,
  entry: z.infer<typeof endpoint>,
  store: ClusterFacts["modelStore"],
) {
  return {
    namespace: store?.reader.namespace ?? "hybridai",
    // Global in the project: the region tells two deployments of one cluster name apart.
    address: (region: string) =>
      `${entry.cluster}-${config.service.name}-${region}`.slice(0, 63).replace(/-+$/, ""),
  };
}

/**
 * Checks the section against the clusters: each endpoint's cluster exists on AWS or GCP with a
 * model store (its pods pull from it first and from the other stores after), no cluster twice,
 * the service's arguments as OnnxService and the records as FailoverEndpoint would take them.
 */
function check(config: FailoverStackConfig, clusters: ReadonlyMap<string, ClusterFacts>): void {
  const seen = new Set<string>();
  const targets: FailoverTarget[] = [];
  for (const [i, entry] of config.endpoints.entries()) {
    const field = `${KEY}.endpoints[${i}]`;
    const cluster = clusters.get(entry.cluster);
    if (!cluster || (cluster.cloud !== "aws" && cluster.cloud !== "gcp")) {
      const known = [...clusters].filter(([, c]) => c.cloud !== "edge").map(([n]) => n);
      throw new HybridAiConfigError(
        SECTION,
        `${field}.cluster`,
        entry.cluster,
        `an EKS or GKE cluster of this stack (created, or looked up in hybridai:existing): ${known.join(", ") || "none (add an aws, gcp or existing section)"}`,
      );
    }
    if (seen.has(entry.cluster)) {
      throw new HybridAiConfigError(
        SECTION,
        `${field}.cluster`,
        entry.cluster,
        "a cluster no other endpoint uses",
      );
    }
    seen.add(entry.cluster);
    const needs = EXPOSURE_NEEDS[cluster.cloud];
    if (cluster.exposures && !cluster.exposures.includes(needs.exposure)) {
      throw new HybridAiConfigError(SECTION, `${field}.cluster`, entry.cluster, needs.allowed);
    }
    if (!cluster.modelStore) {
      throw new HybridAiConfigError(
        SECTION,
        `${field}.cluster`,
        entry.cluster,
        "a cluster with a model store (the endpoints pull from every store, their own first)",
      );
    }
    const type = config.service.accelerator?.type;
    if (type && !cluster.accelerators.includes(type)) {
      throw new HybridAiConfigError(
        SECTION,
        `${KEY}.service.accelerator.type`,
        type,
        `an accelerator cluster "${entry.cluster}" has nodes for: ${cluster.accelerators.join(", ") || "none"}`,
      );
    }
    const names = endpointNames(config, entry, cluster.modelStore);
    try {
      planOnnxService(config.service.name, {
        ...serviceArgs(config, names.namespace),
        model: { uri: "s3://model-store/model" },
        exposure: exposureOf(entry, cluster.cloud, undefined, names.address("region")),
      });
    } catch (error) {
      throw error instanceof HybridAiConfigError ? error.under(SECTION, field) : error;
    }
    targets.push(
      defined({
        name: setIdentifier(cluster.cloud, entry, i),
        ...(cluster.cloud === "aws"
          ? { address: "lb.elb.amazonaws.com", addressType: "hostname" as const, aliasZoneId: "Z0" }
          : { address: "192.0.2.1", addressType: "ip" as const }),
        role: entry.role,
        weight: entry.weight,
        region: entry.region,
      }),
    );
  }
  try {
    planFailoverEndpoint(config.service.name, failoverArgs(config, targets));
  } catch (error) {
    throw error instanceof HybridAiConfigError ? error.under(SECTION, KEY) : error;
  }
}

/** An endpoint's Route 53 set identifier: its cloud and role (or position), e.g. `aws-primary`. */
function setIdentifier(cloud: string, entry: z.infer<typeof endpoint>, index: number): string {
  return `${cloud}-${entry.role ?? index + 1}`;
}

/** A checked cluster's model store (every endpoint's cluster has one). */
function storeOf(cluster: DeployedCluster): NonNullable<DeployedCluster["modelStore"]> {
  return cluster.modelStore as NonNullable<DeployedCluster["modelStore"]>;
}

function failoverArgs(config: FailoverStackConfig, endpoints: FailoverTarget[]) {
  return defined({
    name: config.name,
    zoneId: config.hostedZoneId,
    policy: config.policy ?? "failover",
    ttlSeconds: config.ttlSeconds,
    healthCheck: config.healthCheck,
    endpoints,
  });
}

/** The OnnxService arguments every endpoint shares. */
function serviceArgs(
  config: FailoverStackConfig,
  namespace: string,
): Omit<OnnxServiceArgs, "model"> {
  const { service } = config;
  return defined({
    name: service.name,
    namespace,
    image: service.image,
    accelerator: service.accelerator,
    replicas: service.replicas,
    resources: service.resources,
    auth: { secretName: `${service.name}-token` },
  });
}

/**
 * The `failover` section: the same service on every listed EKS and GKE cluster (each pod
 * pulling from its own cluster's model store first, then from the others'), exposed through an
 * internet-facing NLB (EKS, through the cluster's AWS Load Balancer Controller) or a GKE Gateway
 * on a reserved global address, all requiring one generated bearer token, and a
 * `FailoverEndpoint` in Route 53 over them.
 */
export const failoverSection: StackSection<FailoverStackConfig> = {
  key: "failover",
  summary: "one service on several clusters behind a health-checked Route 53 name",
  schema,
  preflight(config, clusters) {
    check(config, clusters);
  },
  deploy(config, context) {
    const facts = new Map(
      [...context.clusters].map(([name, c]) => [
        name,
        {
          cloud: c.cloud,
          ...(c.modelStore ? { modelStore: { reader: c.modelStore.reader } } : {}),
          accelerators: Object.keys(c.capacity?.nodes ?? {}) as PlannedCluster["accelerators"],
        } satisfies ClusterFacts,
      ]),
    );
    check(config, facts);
    for (const [i, entry] of config.endpoints.entries()) {
      const cluster = context.clusters.get(entry.cluster) as DeployedCluster;
      const network = cluster.network;
      if (
        cluster.cloud === "aws" &&
        !network?.loadBalancerController &&
        !network?.runsLoadBalancerController
      ) {
        throw new HybridAiConfigError(
          SECTION,
          `${KEY}.endpoints[${i}].cluster`,
          entry.cluster,
          EXPOSURE_NEEDS.aws.allowed,
        );
      }
    }
    const { service } = config;
    const model = service.model ?? service.name;
    const token = new RandomPassword(`${service.name}-token`, { length: 48, special: false });
    const targets: FailoverTarget[] = [];
    const urls: Record<string, pulumi.Output<string>> = {};
    for (const [i, entry] of config.endpoints.entries()) {
      const cluster = context.clusters.get(entry.cluster) as DeployedCluster;
      const store = cluster.modelStore as NonNullable<DeployedCluster["modelStore"]>;
      const names = endpointNames(config, entry, store);
      const opts = { provider: cluster.provider };
      const namespace = new Namespace(
        `${entry.cluster}-${names.namespace}`,
        {
          metadata: {
            name: names.namespace,
            labels: {
              "pod-security.kubernetes.io/enforce": "restricted",
              "app.kubernetes.io/managed-by": "pulumi",
            },
          },
        },
        opts,
      );
      const reader = new ServiceAccount(
        `${entry.cluster}-${store.reader.serviceAccountName}`,
        {
          metadata: {
            name: store.reader.serviceAccountName,
            namespace: store.reader.namespace,
            annotations: store.reader.annotations,
          },
          automountServiceAccountToken: false,
        },
        { ...opts, dependsOn: [namespace] },
      );
      const secret = new Secret(
        `${entry.cluster}-${service.name}-token`,
        {
          metadata: { name: `${service.name}-token`, namespace: names.namespace },
          type: "Opaque",
          stringData: { token: token.result },
        },
        { ...opts, dependsOn: [namespace] },
      );
      const address =
        cluster.cloud === "gcp"
          ? new GlobalAddress(`${entry.cluster}-${service.name}`, {
              name: names.address(String(cluster.region)),
            })
          : undefined;
      const mirrors = config.endpoints
        .filter((other) => other.cluster !== entry.cluster)
        .map((other) =>
          storeOf(context.clusters.get(other.cluster) as DeployedCluster).uriFor(model),
        );
      const type = service.accelerator?.type;
      const capacity = cluster.capacity;
      const deployed = new OnnxService(
        `${entry.cluster}-${service.name}`,
        {
          ...serviceArgs(config, names.namespace),
          provider: cluster.provider,
          model: defined({
            uri: store.uriFor(model),
            name: model,
            revision: service.revision,
            mirrors,
          }),
          serviceAccount: {
            name: store.reader.serviceAccountName,
            create: false,
            annotations: store.reader.annotations,
          },
          spotNotice: cluster.cloud === "aws" ? "aws" : "gcp",
          ...(capacity
            ? {
                capacity: {
                  waitFor: type
                    ? [
                        ...(capacity.nodes[type] ?? []),
                        ...(capacity.devicePlugin ? [capacity.devicePlugin] : []),
                      ]
                    : [],
                  mixedCapacityAccelerators: [...capacity.mixedCapacityAccelerators],
                },
              }
            : {}),
          exposure: exposureOf(
            entry,
            cluster.cloud as "aws" | "gcp",
            cluster.network,
            names.address(String(cluster.region)),
          ),
        },
        { dependsOn: [namespace, reader, secret] },
      );
      urls[entry.cluster] = deployed.publicUrl;
      targets.push(
        defined({
          name: setIdentifier(cluster.cloud, entry, i),
          ...(address
            ? { address: address.address, addressType: "ip" as const }
            : {
                address: deployed.publicAddress,
                addressType: "hostname" as const,
                aliasZoneId: getHostedZoneIdOutput({
                  loadBalancerType: "network",
                  region: cluster.region,
                }).id,
              }),
          role: entry.role,
          weight: entry.weight,
          region: entry.region,
        }),
      );
    }
    const endpoint = new FailoverEndpoint(service.name, failoverArgs(config, targets));
    return {
      name: endpoint.name,
      url: `https://${endpoint.name}`,
      token: token.result,
      healthCheckIds: endpoint.healthCheckIds,
      worstCaseFailoverSeconds: endpoint.worstCaseFailoverSeconds,
      endpoints: urls,
    };
  },
};
