import { Namespace, ServiceAccount } from "@pulumi/kubernetes/core/v1";
import type * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { ACCELERATOR_TYPES, type AcceleratorType } from "../../components/accelerators";
import { HybridAiConfigError } from "../../components/errors";
import type { OnnxServiceArgs, ServingCapacity } from "../../components/kubernetes";
import { LlmService, OnnxService, planOnnxService } from "../../components/kubernetes";
import { hostModelDirectory } from "../../components/kubernetes/onnx-service/deployment-plan";
import type { DeployedCluster, PlannedCluster, StackSection } from "../section";
import { tracingSchema } from "../specs";
import {
  checkLlmService,
  type LlmServiceEntry,
  llmServiceSchema,
  resolveLlmService,
} from "./llm-services";

const SECTION = "serving stack section";

const dnsLabel = z
  .string()
  .regex(
    /^[a-z]([-a-z0-9]*[a-z0-9])?$/,
    "lowercase letters, digits and '-', starting with a letter",
  );

const service = z.strictObject({
  /** Service name (Kubernetes objects and, by default, the model name). */
  name: dnsLabel,
  /** The cluster to deploy onto: a name an earlier section (aws, gcp, edge) registered. */
  cluster: z.string().min(1),
  /** Model name in the cluster's model store; `uri` overrides the store. Default: `name`. */
  model: z.string().optional(),
  /** Explicit model folder URI, for clusters without a model store. */
  uri: z.string().optional(),
  /** Model revision: changing it rolls the pods (see OnnxService `model.revision`). */
  revision: z.string().optional(),
  /** Image; default: the section's `image`. */
  image: z.string().optional(),
  /** Namespace; default: the model store reader's namespace, or `hybridai`. */
  namespace: dnsLabel.optional(),
  accelerator: z
    .strictObject({ type: z.enum(ACCELERATOR_TYPES), count: z.number().int().min(1).optional() })
    .optional(),
  replicas: z
    .strictObject({ min: z.number().int().optional(), max: z.number().int().optional() })
    .optional(),
  resources: z
    .strictObject({
      cpu: z.string().optional(),
      memory: z.string().optional(),
      cpuLimit: z.string().optional(),
      memoryLimit: z.string().optional(),
      modelVolume: z.string().optional(),
    })
    .optional(),
  spot: z.boolean().optional(),
  spotNotice: z.union([z.enum(["aws", "gcp"]), z.number().int()]).optional(),
  terminationGracePeriodSeconds: z.number().int().optional(),
  preStopSeconds: z.number().int().optional(),
  autoscaling: z
    .strictObject({
      targetCpuUtilization: z.number().int().optional(),
      metric: z.strictObject({ name: z.string(), targetAverageValue: z.string() }).optional(),
      scaleDownStabilizationSeconds: z.number().int().optional(),
    })
    .optional(),
  networkPolicy: z
    .strictObject({
      allowFrom: z
        .array(
          z.strictObject({
            namespace: z.string().optional(),
            podLabels: z.record(z.string(), z.string()).optional(),
          }),
        )
        .optional(),
      monitoringNamespace: z.string().optional(),
    })
    .optional(),
  serviceMonitor: z
    .strictObject({
      interval: z.string().optional(),
      labels: z.record(z.string(), z.string()).optional(),
    })
    .optional(),
  runtimeArgs: z.array(z.string()).optional(),
  /** OpenTelemetry tracing, as OnnxService `tracing`. */
  tracing: tracingSchema.optional(),
});

/** `hybridai:serving`: ONNX services and vLLM services on the stack's clusters. */
export interface ServingStackConfig {
  /** The serving runtime image every ONNX service uses unless it names its own. */
  image?: string;
  /** Create each namespace the services use (labelled for the restricted Pod Security Standard). Default true. */
  createNamespaces?: boolean;
  /** The ONNX services. */
  services: z.infer<typeof service>[];
  /** The vLLM services (LlmService). */
  llm: LlmServiceEntry[];
}

const schema: z.ZodType<ServingStackConfig> = z
  .strictObject({
    image: z.string().min(1).optional(),
    createNamespaces: z.boolean().optional(),
    services: z.array(service).default([]),
    llm: z.array(llmServiceSchema).default([]),
  })
  .refine((config) => config.services.length + config.llm.length > 0, {
    message: "at least one service in services or llm",
    path: ["services"],
  })
  .refine((config) => config.services.length === 0 || config.image !== undefined, {
    message: "the serving runtime image every ONNX service uses unless it names its own",
    path: ["image"],
  });

/**
 * Pod Security Standard labels of a serving namespace: `restricted` enforced; where a service
 * reads models from a node directory (a hostPath, which every enforced level forbids),
 * `restricted` is warned and audited instead.
 */
function podSecurityLabels(hostPath: boolean): Record<string, string> {
  return hostPath
    ? {
        "pod-security.kubernetes.io/warn": "restricted",
        "pod-security.kubernetes.io/audit": "restricted",
      }
    : { "pod-security.kubernetes.io/enforce": "restricted" };
}

/** One service with its cluster, namespace, model URI and identity worked out. */
interface ResolvedService {
  config: z.infer<typeof service>;
  clusterName: string;
  cluster: DeployedCluster;
  namespace: string;
  args: OnnxServiceArgs;
}

/** What the checks need to know of a cluster: planned from config, or deployed. */
type ClusterFacts = Pick<PlannedCluster, "modelStore" | "mixedCapacityAccelerators"> & {
  /** Accelerator types it has nodes for; `undefined` when the section does not say. */
  accelerators?: readonly AcceleratorType[];
};

function factsOf(cluster: DeployedCluster): ClusterFacts {
  return {
    ...(cluster.modelStore ? { modelStore: { reader: cluster.modelStore.reader } } : {}),
    ...(cluster.capacity
      ? {
          accelerators: Object.keys(cluster.capacity.nodes) as AcceleratorType[],
          mixedCapacityAccelerators: cluster.capacity.mixedCapacityAccelerators,
        }
      : { mixedCapacityAccelerators: [] }),
  };
}

/**
 * Checks one service against its cluster and returns its namespace: the cluster exists, the
 * model has a source, the namespace is the store reader's, the cluster has nodes for the
 * accelerator (else its pods would wait forever), and the component accepts the arguments
 * (including `spot: false` on a spot fleet, refused).
 */
function checkService(
  config: ServingStackConfig,
  entry: z.infer<typeof service>,
  index: number,
  clusters: ReadonlyMap<string, ClusterFacts>,
): string {
  const field = `hybridai:serving.services[${index}]`;
  const cluster = clusters.get(entry.cluster);
  if (!cluster) {
    const known = [...clusters.keys()];
    throw new HybridAiConfigError(
      SECTION,
      `${field}.cluster`,
      entry.cluster,
      known.length > 0
        ? `a cluster this stack creates: ${known.join(", ")}`
        : "a cluster this stack creates, but it creates none: add an aws or gcp section before serving",
    );
  }
  const store = entry.uri === undefined ? cluster.modelStore : undefined;
  if (entry.uri === undefined && !store) {
    throw new HybridAiConfigError(
      SECTION,
      `${field}.uri`,
      undefined,
      `a model folder URI, because cluster "${entry.cluster}" has no model store`,
    );
  }
  const namespace = entry.namespace ?? store?.reader.namespace ?? "hybridai";
  if (store && namespace !== store.reader.namespace) {
    throw new HybridAiConfigError(
      SECTION,
      `${field}.namespace`,
      namespace,
      `"${store.reader.namespace}", where the model store's reader service account lives (or give an explicit uri)`,
    );
  }
  const type = entry.accelerator?.type;
  if (type && cluster.accelerators && !cluster.accelerators.includes(type)) {
    throw new HybridAiConfigError(
      SECTION,
      `${field}.accelerator.type`,
      type,
      cluster.accelerators.length > 0
        ? `an accelerator cluster "${entry.cluster}" has nodes for: ${cluster.accelerators.join(", ")} (its pods would wait forever for a node)`
        : `none: cluster "${entry.cluster}" has no accelerator nodes (its pods would wait forever for a node)`,
    );
  }
  const { name, cluster: _cluster, model, uri, revision, image, spotNotice, ...rest } = entry;
  try {
    planOnnxService(name, {
      ...rest,
      ...spotNoticeArgs(spotNotice),
      namespace,
      image: image ?? (config.image as string),
      model: { uri: uri ?? `s3://model-store/${model ?? name}`, name: model ?? name },
      capacity: { waitFor: [], mixedCapacityAccelerators: [...cluster.mixedCapacityAccelerators] },
      ...(store
        ? { serviceAccount: { name: store.reader.serviceAccountName, create: false } }
        : {}),
    });
  } catch (error) {
    throw error instanceof HybridAiConfigError ? error.under(SECTION, field) : error;
  }
  return namespace;
}

/**
 * Checks every service and that no two share a name in one namespace of one cluster, and
 * returns each service's namespace. Services on clusters `clusters` does not know are skipped
 * (namespace `undefined`) when `partial` (a preflight before some sections described their
 * clusters).
 */
function checkServices(
  config: ServingStackConfig,
  clusters: ReadonlyMap<string, ClusterFacts>,
  partial = false,
): { services: (string | undefined)[]; llm: (string | undefined)[] } {
  const names = new Set<string>();
  const checked = (
    list: "services" | "llm",
    entries: readonly { name: string; cluster: string }[],
    check: (i: number) => string,
  ) =>
    entries.map((entry, i) => {
      if (partial && !clusters.has(entry.cluster)) return undefined;
      const namespace = check(i);
      const key = `${entry.cluster}/${namespace}/${entry.name}`;
      if (names.has(key)) {
        throw new HybridAiConfigError(
          SECTION,
          `hybridai:serving.${list}[${i}].name`,
          entry.name,
          "a name not used twice in one namespace of one cluster",
        );
      }
      names.add(key);
      return namespace;
    });
  return {
    services: checked("services", config.services, (i) =>
      checkService(config, config.services[i] as z.infer<typeof service>, i, clusters),
    ),
    llm: checked("llm", config.llm, (i) =>
      checkLlmService(config.llm[i] as LlmServiceEntry, i, clusters),
    ),
  };
}

/**
 * What a service's pods need from the cluster: for an accelerator, the nodes carrying it and the
 * device plugin (every object waits for them), and which accelerators come from spot fleets.
 */
function servingCapacity(
  cluster: DeployedCluster,
  entry: z.infer<typeof service>,
): ServingCapacity | undefined {
  const capacity = cluster.capacity;
  if (!capacity) return undefined;
  const type = entry.accelerator?.type;
  return {
    waitFor: type
      ? [...(capacity.nodes[type] ?? []), ...(capacity.devicePlugin ? [capacity.devicePlugin] : [])]
      : [],
    mixedCapacityAccelerators: [...capacity.mixedCapacityAccelerators],
  };
}

/** The stack file's `spotNotice` (a cloud, or whole seconds) as OnnxService arguments. */
function spotNoticeArgs(
  spotNotice: "aws" | "gcp" | number | undefined,
): Pick<OnnxServiceArgs, "spotNotice" | "spotNoticeSeconds"> {
  return typeof spotNotice === "number" ? { spotNoticeSeconds: spotNotice } : { spotNotice };
}

/** A checked service's OnnxService arguments on its deployed cluster. */
function resolveService(
  config: ServingStackConfig,
  entry: z.infer<typeof service>,
  cluster: DeployedCluster,
  namespace: string,
): ResolvedService {
  const store = entry.uri === undefined ? cluster.modelStore : undefined;
  const capacity = servingCapacity(cluster, entry);
  const { name, cluster: _cluster, model, uri, revision, image, spotNotice, ...rest } = entry;
  const args: OnnxServiceArgs = {
    ...rest,
    ...spotNoticeArgs(spotNotice),
    name,
    provider: cluster.provider,
    namespace,
    image: image ?? (config.image as string),
    model: {
      uri: uri ?? (store as NonNullable<typeof store>).uriFor(model ?? name),
      name: model ?? name,
      ...(revision !== undefined ? { revision } : {}),
    },
    ...(capacity ? { capacity } : {}),
    ...(store
      ? {
          serviceAccount: {
            name: store.reader.serviceAccountName,
            create: false,
            annotations: store.reader.annotations,
          },
        }
      : {}),
  };
  return { config: entry, clusterName: entry.cluster, cluster, namespace, args };
}

/**
 * The `serving` section: deploys an {@link OnnxService} for each configured service onto a
 * cluster an earlier section registered, with the model from that cluster's model store (run as
 * the store's reader service account, created once per cluster) or from an explicit URI.
 * A service that needs an accelerator waits for the cluster's nodes of that type and its device
 * plugin. Every service is checked before any section creates anything (against the clusters
 * the cluster sections plan), and again against the deployed clusters.
 */
export const servingSection: StackSection<ServingStackConfig> = {
  key: "serving",
  summary: "ONNX serving runtime and vLLM services on the stack's clusters",
  schema,
  preflight(config, clusters) {
    checkServices(config, clusters, true);
  },
  deploy(config, context) {
    const facts = new Map([...context.clusters].map(([name, c]) => [name, factsOf(c)]));
    const checked = checkServices(config, facts);
    const clusterOf = (name: string) => context.clusters.get(name) as DeployedCluster;
    const resolved = config.services.map((entry, i) =>
      resolveService(config, entry, clusterOf(entry.cluster), checked.services[i] as string),
    );
    const needsHostPath = new Set(
      resolved
        .filter((r) => hostModelDirectory(r.args.model.uri) !== undefined)
        .map((r) => `${r.clusterName}/${r.namespace}`),
    );
    const namespaces = new Map<string, Namespace>();
    const readers = new Map<string, ServiceAccount>();
    /** The namespace and store reader a service needs, created once per cluster and namespace. */
    const prerequisites = (
      clusterName: string,
      cluster: DeployedCluster,
      namespace: string,
      usesStore: boolean,
    ): (Namespace | ServiceAccount)[] => {
      const opts = { provider: cluster.provider };
      const nsKey = `${clusterName}/${namespace}`;
      if ((config.createNamespaces ?? true) && !namespaces.has(nsKey)) {
        namespaces.set(
          nsKey,
          new Namespace(
            `${clusterName}-${namespace}`,
            {
              metadata: {
                name: namespace,
                labels: {
                  ...podSecurityLabels(needsHostPath.has(nsKey)),
                  "app.kubernetes.io/managed-by": "pulumi",
                },
              },
            },
            opts,
          ),
        );
      }
      const store = usesStore ? cluster.modelStore : undefined;
      if (store && !readers.has(clusterName)) {
        readers.set(
          clusterName,
          new ServiceAccount(
            `${clusterName}-${store.reader.serviceAccountName}`,
            {
              metadata: {
                name: store.reader.serviceAccountName,
                namespace: store.reader.namespace,
                annotations: store.reader.annotations,
              },
              automountServiceAccountToken: false,
            },
            { ...opts, dependsOn: [...namespaces.values()] },
          ),
        );
      }
      return [namespaces.get(nsKey), readers.get(clusterName)].filter(
        (d): d is Namespace | ServiceAccount => d !== undefined,
      );
    };
    const outputs: Record<
      string,
      { url: pulumi.Output<string>; namespace: pulumi.Output<string> }
    > = {};
    for (const r of resolved) {
      const dependsOn = prerequisites(
        r.clusterName,
        r.cluster,
        r.namespace,
        r.args.serviceAccount?.create === false,
      );
      const deployed = new OnnxService(`${r.clusterName}-${r.config.name}`, r.args, { dependsOn });
      outputs[`${r.clusterName}/${r.config.name}`] = {
        url: deployed.url,
        namespace: deployed.namespace,
      };
    }
    const llmOutputs: Record<string, { url: pulumi.Output<string>; model: pulumi.Output<string> }> =
      {};
    for (const [i, entry] of config.llm.entries()) {
      const cluster = clusterOf(entry.cluster);
      const namespace = checked.llm[i] as string;
      const args = resolveLlmService(entry, cluster, namespace);
      const dependsOn = prerequisites(
        entry.cluster,
        cluster,
        namespace,
        args.serviceAccount?.create === false,
      );
      const deployed = new LlmService(`${entry.cluster}-${entry.name}`, args, { dependsOn });
      llmOutputs[`${entry.cluster}/${entry.name}`] = {
        url: deployed.url,
        model: deployed.servedModelName,
      };
    }
    return { services: outputs, ...(config.llm.length > 0 ? { llm: llmOutputs } : {}) };
  },
};
