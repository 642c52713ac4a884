import { readFile } from "node:fs/promises";
import path from "node:path";
import type { Logger } from "pino";
import type { EnsembleVersionInfo } from "../ensemble/ensemble-loader";
import type { ModelMetrics, ServerMetrics } from "../metrics";
import type { ObservabilitySettings, VersionObserver } from "../observability/version-observer";
import type { ModelSignature } from "../protocol/tensor-spec";
import type { CircuitBreaker, FallbackConfig, RemoteFallback } from "../resilience";
import {
  describeSweep,
  SWEEP_LIMITS,
  type SweepLimits,
  sweepBatchSizes,
} from "../runtime/batch-sweep";
import { ModelExecutors } from "../runtime/model-executors";
import { choosePlacement, type Placement, type PlacementSetting } from "../runtime/placement";
import { probeInputs } from "../runtime/probe-inputs";
import {
  type CreatedExecutors,
  createInlineExecutor,
  createWorkerExecutors,
  type ExecutionProvider,
  type OwnedExecutor,
  type SessionPlan,
} from "../runtime/sessions";
import { type TuningShapes, tuningInputs } from "../runtime/tuning-shapes";
import { runWarmup } from "../runtime/warmup";
import { type Clock, systemClock } from "../scheduling/clock";
import type { QueuePolicy } from "../scheduling/queue-policy";
import { type RequestScheduler, Scheduler } from "../scheduling/scheduler";
import type { ShadowRunner } from "../shadow/shadow-runner";
import {
  batchingBlocker,
  type ConfigOrigins,
  completeConfig,
  type DefaultMaxBatchSize,
  decideMaxBatchSize,
} from "./auto-complete";
import { readConfigSource } from "./config-file";
import { type EffectiveConfig, type ModelConfig, parseModelConfig } from "./model-config";
import { listVersions, MODEL_FILE, selectVersions } from "./scan";
import { buildSignature, specOf } from "./signature";

/** Server-wide settings that shape how models load. */
export interface LoadSettings {
  /** Cores available to the process. */
  cores: number;
  /** Intra-op threads per worker-thread session; default: cores / instances, at least 1. */
  intraOpThreads?: number;
  /** Inter-op threads per session. */
  interOpThreads: number;
  /** Queue bound for models whose config leaves `max_queue_size` at 0 (unbounded in Triton). */
  defaultMaxQueueSize: number;
  /** `--default-max-batch-size`: a number, or `auto` to measure each model's knee at load. */
  defaultMaxBatchSize: DefaultMaxBatchSize;
  /** A model whose batch-1 execution takes at most this long runs on the event loop, in µs. */
  inlineThresholdMicroseconds: number;
  /** Item shapes to time models with dynamic dimensions beyond the batch on (`--tuning-shapes`). */
  tuningShapes?: TuningShapes;
  /** Limits of the load-time batch-size sweep; {@link SWEEP_LIMITS} by default. */
  sweepLimits?: SweepLimits;
  /** Time source for queues and measurements; the system clock by default. */
  clock?: Clock;
  /** Logger. */
  logger: Logger;
  /** Server metrics. */
  metrics: ServerMetrics;
  /** Called when a model's versions are replaced or removed (e.g. to drop cached responses). */
  onModelChanged?: (name: string) => void;
  /** Drift and output histograms; off when absent. */
  observability?: ObservabilitySettings;
}

/** One loaded, ready model version. */
export interface LoadedVersion {
  /** What requests must match. */
  signature: ModelSignature;
  /** The effective configuration, auto-completed values included. */
  config: EffectiveConfig;
  /** Where each value of the effective configuration came from. */
  origins: ConfigOrigins;
  /** The queue and batcher (an ensemble's: its steps). */
  scheduler: RequestScheduler;
  /** This version's metrics. */
  metrics: ModelMetrics;
  /** Provider the sessions run on. */
  executionProvider: ExecutionProvider;
  /** Why a preferred provider was not used. */
  executionProviderFallbackReason?: string;
  /** Where executions run now (may change when execution time drifts). */
  placement(): Placement;
  /** Instances (sessions) in use now: 1 on the event loop, `instance_group` count in workers. */
  instanceCount(): number;
  /** Intra-op threads of each session. */
  intraOpThreads: number;
  /** The model's circuit breaker, when its config has a `circuit_breaker` block. */
  breaker?: CircuitBreaker;
  /** The model's fallback, when its config has a `fallback` block. */
  fallback?: FallbackConfig;
  /** Drift monitor and output histograms, when the version has a baseline or the config asks. */
  observer?: VersionObserver;
  /** The remote endpoint, when the `fallback` block names a `url`. */
  remoteFallback?: RemoteFallback;
  /** Runs sampled copies on the shadow, when the config has a `shadow` block. */
  shadow?: ShadowRunner;
  /** The steps of an ensemble (`platform: "ensemble"`); absent for an ONNX model. */
  ensemble?: EnsembleVersionInfo;
  /** Waits for queued and running work, then releases the sessions. */
  close(): Promise<void>;
}

/**
 * Reads and validates a model's configuration: `config` when given (a load request's
 * `parameters.config`), else `config.pbtxt` or `config.json` when present, else an empty config
 * completed from the ONNX file at load. Both file formats go through the same validation.
 */
export async function readModelConfig(
  directory: string,
  name: string,
  override?: unknown,
): Promise<ModelConfig> {
  const { raw, source } =
    override === undefined
      ? await readConfigSource(directory, name)
      : { raw: override, source: `load parameters.config of '${name}'` };
  const config = parseModelConfig(raw, source);
  if (config.name !== undefined && config.name !== name) {
    throw new Error(`${source}: name '${config.name}' must equal the directory name '${name}'`);
  }
  if (config.dynamic_batching && config.max_batch_size === 0) {
    throw new Error(`${source}: dynamic_batching needs max_batch_size > 0`);
  }
  const limit = config.max_batch_size;
  const tooLarge = config.dynamic_batching?.preferred_batch_size.find(
    (size) => limit !== undefined && size > limit,
  );
  if (tooLarge !== undefined) {
    throw new Error(`${source}: preferred_batch_size ${tooLarge} exceeds max_batch_size ${limit}`);
  }
  return config;
}

/** The versions a config selects among those on disk; throws when there are none. */
export async function versionsToLoad(directory: string, config: ModelConfig): Promise<number[]> {
  const available = await listVersions(directory);
  const selected = selectVersions(available, config.version_policy);
  if (selected.length === 0) {
    throw new Error(
      available.length === 0
        ? `no version directory with ${MODEL_FILE} (expected <model>/<version>/${MODEL_FILE}, version numeric)`
        : `version_policy selects none of the versions on disk (${available.join(", ")})`,
    );
  }
  return selected;
}

function threadSetting(config: ModelConfig, key: string): number | undefined {
  const value = config.parameters[key]?.string_value;
  if (value === undefined) return undefined;
  const count = Number(value);
  if (!Number.isInteger(count) || count < 1) {
    throw new Error(`parameters.${key}.string_value must be a positive integer, got '${value}'`);
  }
  return count;
}

function spinning(config: ModelConfig): boolean {
  const value = config.parameters.allow_spinning?.string_value;
  if (value === "1" || value === "true") return true;
  if (value === undefined || value === "0" || value === "false") return false;
  throw new Error(`parameters.allow_spinning.string_value must be "1" or "0", got '${value}'`);
}

const PLACEMENT_SETTINGS: readonly PlacementSetting[] = ["auto", "inline", "worker"];

function placementSetting(config: ModelConfig): PlacementSetting {
  const value = config.parameters.execution_placement?.string_value ?? "auto";
  if ((PLACEMENT_SETTINGS as readonly string[]).includes(value)) return value as PlacementSetting;
  throw new Error(
    `parameters.execution_placement.string_value must be one of ${PLACEMENT_SETTINGS.join(", ")}, got '${value}'`,
  );
}

function queuePolicy(config: EffectiveConfig, settings: LoadSettings): QueuePolicy {
  const batching = config.dynamic_batching;
  const policy = batching?.default_queue_policy;
  return {
    maxBatchSize: batching ? config.max_batch_size : 1,
    maxQueueDelayMicroseconds: batching?.max_queue_delay_microseconds ?? 0,
    preferredBatchSizes: batching?.preferred_batch_size ?? [],
    maxQueueSize: policy?.max_queue_size || settings.defaultMaxQueueSize,
    defaultTimeoutMicroseconds: policy?.default_timeout_microseconds ?? 0,
    allowTimeoutOverride: batching ? (policy?.allow_timeout_override ?? false) : true,
  };
}

/** Worker instances of a CPU model whose config has no `instance_group`: one a core, at most this. */
const MAX_DEFAULT_INSTANCES = 4;
/** A model file above this size gets one instance by default: every instance holds its own copy. */
const SINGLE_INSTANCE_BYTES = 512 * 1024 * 1024;

/**
 * How a model's sessions are made. Intra-op threads default to 1: with spinning off (so idle
 * threads leave the cores to the HTTP side) onnxruntime's pool pays a thread wake-up per
 * parallel section, and a second thread measured no faster than one on this project's models;
 * parallelism comes from instances instead. A CPU model without `instance_group` therefore gets
 * one worker instance per core (up to 4; one for files over 512 MiB or GPU models), each running
 * its own batch.
 */
function sessionPlan(
  config: ModelConfig,
  settings: LoadSettings,
  modelBytes: number,
): SessionPlan & { defaultInstances?: string } {
  const configuredCount = config.instance_group.reduce((sum, group) => sum + group.count, 0);
  const providers =
    config.execution_providers ??
    (config.instance_group.some((group) => group.kind === "KIND_GPU") ? ["cuda", "cpu"] : ["cpu"]);
  const single = providers.includes("cuda") || modelBytes > SINGLE_INSTANCE_BYTES;
  const count =
    configuredCount || (single ? 1 : Math.max(1, Math.min(settings.cores, MAX_DEFAULT_INSTANCES)));
  const intraOpThreads =
    threadSetting(config, "intra_op_thread_count") ?? settings.intraOpThreads ?? 1;
  const interOpThreads = threadSetting(config, "inter_op_thread_count") ?? settings.interOpThreads;
  const allowSpinning = spinning(config);
  const threads = { intraOpThreads, interOpThreads, allowSpinning };
  return {
    executionProviders: providers,
    count,
    worker: threads,
    inline: threads,
    defaultInstances: configuredCount
      ? undefined
      : single
        ? "default: one instance"
        : `default: one worker instance per core (${count}), ${intraOpThreads} intra-op thread(s) each; on the event loop a model runs one`,
  };
}

/** Model files above this size start their worker threads before the placement is measured. */
const EARLY_WORKERS_BYTES = 1024 * 1024;

/** Releases executors that may still be being created, ignoring a failed creation. */
async function releaseAll(pending: Promise<CreatedExecutors> | undefined): Promise<void> {
  const created = await pending?.catch(() => undefined);
  await Promise.allSettled((created?.executors ?? []).map((executor) => executor.release()));
}

/** Median time of `runs` executions of `run`, in microseconds. */
async function medianMicroseconds(runs: number, run: () => Promise<number>): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) times.push(await run());
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

/**
 * Loads one version of a model. It first opens one session on the event loop, which gives the
 * model file's inputs and outputs; auto-completes `max_batch_size` and `dynamic_batching` when
 * the config leaves them open; times a batch-1 execution to decide whether the model runs on the
 * event loop or in worker threads (`instance_group` count of them, inputs transferred); runs the
 * config's warmup on every instance; measures the batch-size knee when `max_batch_size` is to be
 * measured; and sets up the scheduler, whose execution times then feed the drift monitor.
 *
 * @param directory the model's directory
 * @param name model name
 * @param version version number
 * @param config the model's validated configuration
 * @param settings server-wide settings
 */
export async function loadVersion(
  directory: string,
  name: string,
  version: number,
  config: ModelConfig,
  settings: LoadSettings,
): Promise<LoadedVersion> {
  const clock = settings.clock ?? systemClock;
  const label = `model '${name}' version ${version}`;
  const bytes = await readFile(path.join(directory, String(version), MODEL_FILE));
  const plan = sessionPlan(config, settings, bytes.byteLength);
  const setting = placementSetting(config);
  // Worker threads take a while to start; for a model that will most likely run in them (a
  // large file, or one pinned there) they start while the event-loop session is timed.
  // A config-less model becomes ready with its first worker instance, and the further default
  // instances start afterwards; instances a config asks for are all there before it is ready.
  const firstWorker = plan.defaultInstances ? { ...plan, count: 1 } : plan;
  const early =
    setting === "worker" || (setting === "auto" && bytes.byteLength > EARLY_WORKERS_BYTES)
      ? createWorkerExecutors(bytes, firstWorker, settings.logger)
      : undefined;
  early?.catch(() => undefined);
  const probe = await createInlineExecutor(bytes, plan, settings.logger).catch(async (error) => {
    await releaseAll(early);
    throw error;
  });
  let executors: OwnedExecutor[] = probe.executors;
  let speculative = early;
  try {
    const session = probe.metadata;
    const fileInputs = session.inputMetadata.map((meta) => specOf("input", meta));
    const fileOutputs = session.outputMetadata.map((meta) => specOf("output", meta));
    const decision = decideMaxBatchSize(
      config,
      batchingBlocker(fileInputs, fileOutputs),
      settings.defaultMaxBatchSize,
    );
    const provisionalSignature = buildSignature(name, String(version), session, {
      ...config,
      max_batch_size: decision.kind === "measure" || decision.value > 0 ? 1 : 0,
    });
    const batched = provisionalSignature.maxBatchSize > 0;
    const outputNames = provisionalSignature.outputs.map((output) => output.name);
    const tuning = tuningInputs(
      name,
      provisionalSignature.inputs,
      batched,
      settings.tuningShapes?.get(name),
    );
    const timeBatch = async (executor: OwnedExecutor, batch: number) =>
      (await executor.execute(probeInputs(tuning.specs, batch, batched), outputNames))
        .inferMicroseconds;

    let placement: Placement = setting === "auto" ? "worker" : setting;
    let placementOrigin = "config parameters.execution_placement";
    if (setting === "auto") {
      try {
        await timeBatch(executors[0], 1);
        const median = await medianMicroseconds(9, () => timeBatch(executors[0], 1));
        placement = choosePlacement("auto", median, settings.inlineThresholdMicroseconds);
        placementOrigin =
          `measured at load: batch-1 execution ${Math.round(median)} µs ` +
          `${placement === "inline" ? "≤" : ">"} --inline-threshold-microseconds ${settings.inlineThresholdMicroseconds}`;
      } catch (error) {
        placementOrigin = `worker threads: the model could not be timed with generated inputs (${(error as Error).message.split("\n")[0]})`;
      }
    }
    let created = probe;
    if (placement === "worker") {
      created = await (speculative ?? createWorkerExecutors(bytes, firstWorker, settings.logger));
      speculative = undefined;
      await Promise.allSettled(executors.map((executor) => executor.release()));
      executors = created.executors;
    } else {
      await releaseAll(speculative);
      speculative = undefined;
    }

    let maxBatchSize = decision.kind === "fixed" ? decision.value : 0;
    let maxBatchOrigin = decision.kind === "fixed" ? decision.origin : "";
    if (decision.kind === "measure") {
      try {
        const sweep = await sweepBatchSizes(
          (batch) => timeBatch(executors[0], batch),
          clock,
          settings.sweepLimits ?? SWEEP_LIMITS,
        );
        maxBatchSize = sweep.maxBatchSize;
        maxBatchOrigin = describeSweep(sweep);
      } catch (error) {
        maxBatchSize = 4;
        maxBatchOrigin = `auto-complete: Triton's default 4; the batch sweep failed (${(error as Error).message.split("\n")[0]})`;
      }
    }
    const completed = completeConfig(
      config,
      maxBatchSize,
      maxBatchOrigin,
      config.input.length + config.output.length > 0,
      plan.defaultInstances === undefined
        ? undefined
        : {
            count: plan.count,
            kind: plan.executionProviders.includes("cuda") ? "KIND_GPU" : "KIND_CPU",
            origin: plan.defaultInstances,
          },
    );
    completed.origins.execution_placement = placementOrigin;
    completed.origins.tuning_shapes = tuning.origin;
    const signature = buildSignature(name, String(version), session, completed.config);
    await runWarmup(config.model_warmup, signature, executors);
    const metrics = settings.metrics.forModel(name, String(version));
    const modelExecutors = new ModelExecutors(
      placement,
      executors,
      async (next) =>
        next === "inline"
          ? (await createInlineExecutor(bytes, plan, settings.logger)).executors
          : (await createWorkerExecutors(bytes, plan, settings.logger)).executors,
      {
        thresholdMicroseconds:
          setting === "auto" ? settings.inlineThresholdMicroseconds : undefined,
        logger: settings.logger,
        label,
      },
    );
    const policy = queuePolicy(completed.config, settings);
    metrics.queueCapacity(policy.maxQueueSize);
    const scheduler = new Scheduler(label, executors, policy, metrics, {
      clock,
      onExecuted: modelExecutors.observe,
    });
    modelExecutors.attach(scheduler);
    if (placement === "worker" && plan.defaultInstances && plan.count > 1) {
      void modelExecutors.grow("worker", async () => {
        const more = await createWorkerExecutors(
          bytes,
          { ...plan, count: plan.count - 1 },
          settings.logger,
        );
        await runWarmup(config.model_warmup, signature, more.executors).catch(async (error) => {
          await Promise.allSettled(more.executors.map((executor) => executor.release()));
          throw error;
        });
        return more.executors;
      });
    }
    return {
      signature,
      config: completed.config,
      origins: completed.origins,
      scheduler,
      metrics,
      executionProvider: created.executionProvider,
      executionProviderFallbackReason: created.fallbackReason,
      placement: () => modelExecutors.current,
      instanceCount: () => modelExecutors.active.length,
      intraOpThreads: plan.worker.intraOpThreads,
      async close() {
        await scheduler.close();
        await modelExecutors.close();
      },
    };
  } catch (error) {
    await Promise.allSettled(executors.map((executor) => executor.release()));
    await releaseAll(speculative);
    throw error;
  }
}
