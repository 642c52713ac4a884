import { z } from "zod";
import { ACCELERATOR_TYPES } from "../../components/accelerators";
import { HybridAiConfigError } from "../../components/errors";
import { type LlmServiceArgs, planLlmService } from "../../components/kubernetes";
import type { DeployedCluster, PlannedCluster } from "../section";

const SECTION = "serving stack section";

/** One vLLM service in `hybridai:serving.llm`. */
export const llmServiceSchema = z.strictObject({
  /** Service name (Kubernetes objects; the served model name unless `servedName`). */
  name: z
    .string()
    .regex(
      /^[a-z]([-a-z0-9]*[a-z0-9])?$/,
      "lowercase letters, digits and '-', starting with a letter",
    ),
  /** The cluster to deploy onto, registered by an earlier section. */
  cluster: z.string().min(1),
  /** Model folder in the cluster's model store (`uri` or `huggingFaceId` override it). Default: `name`. */
  model: z.string().optional(),
  /** Explicit `s3://` or `gs://` model folder. */
  uri: z.string().optional(),
  /** Hugging Face Hub model id, downloaded into the cache. */
  huggingFaceId: z.string().optional(),
  /** The name clients pass as `model`. */
  servedName: z.string().optional(),
  /** Size of the weights, GiB (the startup budget). */
  sizeGiB: z.number().positive().optional(),
  /** Image; default the pinned vLLM image of the accelerator's vendor. */
  image: z.string().optional(),
  namespace: z.string().optional(),
  accelerator: z.strictObject({
    type: z.enum(ACCELERATOR_TYPES),
    count: z.number().int().min(1).optional(),
    topology: z.string().optional(),
  }),
  engine: z
    .strictObject({
      maxModelLen: z.number().int().optional(),
      gpuMemoryUtilization: z.number().optional(),
      quantization: z.string().optional(),
      maxNumSeqs: z.number().int().optional(),
      extraArgs: z.array(z.string()).optional(),
    })
    .optional(),
  replicas: z.strictObject({ min: z.number().int().optional() }).optional(),
  spot: z.boolean().optional(),
  spotNotice: z.enum(["aws", "gcp"]).optional(),
});

/** A `hybridai:serving.llm` entry. */
export type LlmServiceEntry = z.infer<typeof llmServiceSchema>;

/** What the checks need to know of a cluster. */
type ClusterFacts = Pick<PlannedCluster, "modelStore" | "mixedCapacityAccelerators"> & {
  accelerators?: readonly string[];
};

/** The LlmService arguments of an entry, except provider, capacity and identity annotations. */
function baseArgs(
  entry: LlmServiceEntry,
  namespace: string,
  storeUri: string | undefined,
): LlmServiceArgs {
  const {
    name,
    cluster: _cluster,
    model,
    uri,
    huggingFaceId,
    servedName,
    sizeGiB,
    ...rest
  } = entry;
  const source =
    huggingFaceId !== undefined ? { huggingFaceId } : { uri: uri ?? (storeUri as string) };
  return {
    ...rest,
    name,
    namespace,
    model: {
      ...source,
      ...(servedName !== undefined ? { servedName } : {}),
      ...(sizeGiB !== undefined ? { sizeGiB } : {}),
    },
  };
}

/**
 * Checks one LLM service against its cluster and returns its namespace: the cluster exists and
 * has nodes for the accelerator, the model has a source (the store, a URI or a Hub id), the
 * namespace is the store reader's, and LlmService accepts the arguments.
 */
export function checkLlmService(
  entry: LlmServiceEntry,
  index: number,
  clusters: ReadonlyMap<string, ClusterFacts>,
): string {
  const field = `hybridai:serving.llm[${index}]`;
  const cluster = clusters.get(entry.cluster);
  if (!cluster) {
    throw new HybridAiConfigError(
      SECTION,
      `${field}.cluster`,
      entry.cluster,
      `a cluster this stack creates: ${[...clusters.keys()].join(", ") || "none yet"}`,
    );
  }
  const fromStore = entry.uri === undefined && entry.huggingFaceId === undefined;
  if (fromStore && !cluster.modelStore) {
    throw new HybridAiConfigError(
      SECTION,
      `${field}.uri`,
      undefined,
      `a model folder URI or huggingFaceId, because cluster "${entry.cluster}" has no model store`,
    );
  }
  const store = fromStore ? cluster.modelStore : undefined;
  const namespace = entry.namespace ?? store?.reader.namespace ?? "hybridai";
  if (store && namespace !== store.reader.namespace) {
    throw new HybridAiConfigError(
      SECTION,
      `${field}.namespace`,
      namespace,
      `"${store.reader.namespace}", where the model store's reader lives`,
    );
  }
  const type = entry.accelerator.type;
  if (cluster.accelerators && !cluster.accelerators.includes(type)) {
    throw new HybridAiConfigError(
      SECTION,
      `${field}.accelerator.type`,
      type,
      `an accelerator cluster "${entry.cluster}" has nodes for: ${cluster.accelerators.join(", ") || "none"}`,
    );
  }
  try {
    planLlmService(entry.name, {
      ...baseArgs(entry, namespace, "gs://model-store/models/check"),
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

/** An entry's LlmService arguments on its deployed cluster: the store URI and reader, the capacity to wait for. */
export function resolveLlmService(
  entry: LlmServiceEntry,
  cluster: DeployedCluster,
  namespace: string,
): LlmServiceArgs {
  const fromStore = entry.uri === undefined && entry.huggingFaceId === undefined;
  const store = fromStore ? cluster.modelStore : undefined;
  const capacity = cluster.capacity;
  const base = baseArgs(entry, namespace, undefined);
  return {
    ...base,
    provider: cluster.provider,
    model: { ...base.model, ...(store ? { uri: store.uriFor(entry.model ?? entry.name) } : {}) },
    ...(capacity
      ? {
          capacity: {
            waitFor: [
              ...(capacity.nodes[entry.accelerator.type] ?? []),
              ...(capacity.devicePlugin ? [capacity.devicePlugin] : []),
            ],
            mixedCapacityAccelerators: [...capacity.mixedCapacityAccelerators],
          },
        }
      : {}),
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
}
