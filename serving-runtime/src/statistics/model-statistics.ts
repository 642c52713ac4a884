import type { LoadedVersion } from "../repository/loaded-version";
import type { ModelRepository } from "../repository/model-repository";
import type { InferenceTotals, StatisticDuration } from "./inference-totals";

/** One execution batch size's statistics, in Triton's shape. */
export interface BatchStatistics {
  /** The batch size. */
  batch_size: number;
  /** Executions of that size and their input preparation time. */
  compute_input: StatisticDuration;
  /** Executions of that size and their model execution time. */
  compute_infer: StatisticDuration;
  /** Executions of that size and their output extraction time. */
  compute_output: StatisticDuration;
}

/**
 * The statistics of one model version in Triton's shape (`ModelStatistics` of
 * `grpc_service.proto`; the same keys in the HTTP statistics extension's JSON).
 */
export interface ModelStatistics {
  /** Model name. */
  name: string;
  /** Version. */
  version: string;
  /** When the last request finished, ms since the epoch; 0 before the first. */
  last_inference: number;
  /** Inferences performed: a batch of n counts n (cache hits excluded). */
  inference_count: number;
  /** Model executions: a batch counts once (cache hits excluded). */
  execution_count: number;
  /** Counts and cumulative durations of requests and their phases. */
  inference_stats: {
    success: StatisticDuration;
    fail: StatisticDuration;
    queue: StatisticDuration;
    compute_input: StatisticDuration;
    compute_infer: StatisticDuration;
    compute_output: StatisticDuration;
    cache_hit: StatisticDuration;
    cache_miss: StatisticDuration;
  };
  /** Per batch size executed, ascending. */
  batch_stats: BatchStatistics[];
  /** Memory use reported at load; always empty (onnxruntime-node does not report it). */
  memory_usage: never[];
}

const copy = (stat: StatisticDuration): StatisticDuration => ({ count: stat.count, ns: stat.ns });

/** The statistics of one loaded model version, in Triton's shape. */
export function statisticsOf(version: LoadedVersion): ModelStatistics {
  const totals: InferenceTotals = version.metrics.totals;
  return {
    name: version.signature.name,
    version: version.signature.version,
    last_inference: totals.lastInferenceMs,
    inference_count: totals.inferenceCount,
    execution_count: totals.executionCount,
    inference_stats: {
      success: copy(totals.success),
      fail: copy(totals.fail),
      queue: copy(totals.queue),
      compute_input: copy(totals.computeInput),
      compute_infer: copy(totals.computeInfer),
      compute_output: copy(totals.computeOutput),
      cache_hit: copy(totals.cacheHit),
      cache_miss: copy(totals.cacheMiss),
    },
    batch_stats: [...totals.batches.entries()]
      .sort(([a], [b]) => a - b)
      .map(([size, batch]) => ({
        batch_size: size,
        compute_input: { count: batch.count, ns: batch.inputNs },
        compute_infer: { count: batch.count, ns: batch.inferNs },
        compute_output: { count: batch.count, ns: batch.outputNs },
      })),
    memory_usage: [],
  };
}

/**
 * The statistics Triton's statistics extension answers with: every loaded version of every
 * model when no name is given; every loaded version of the named model when no version is; else
 * that version. Throws 404 for an unknown model or version and 503 for a model with no version
 * loaded.
 *
 * @param repository the models
 * @param name model name, or undefined (or empty) for every model
 * @param version version, or undefined (or empty) for every loaded version
 */
export function collectStatistics(
  repository: ModelRepository,
  name?: string,
  version?: string,
): ModelStatistics[] {
  if (!name) {
    return repository
      .latestVersions()
      .flatMap((latest) => repository.versionsOf(latest.signature.name))
      .map(statisticsOf);
  }
  if (version) return [statisticsOf(repository.resolve(name, version))];
  const versions = repository.versionsOf(name);
  if (versions.length === 0) repository.resolve(name);
  return versions.map(statisticsOf);
}
