import { readFile } from "node:fs/promises";
import path from "node:path";
import type { Logger } from "pino";
import type { ServerMetrics } from "../metrics";
import type { ObservabilitySettings } from "../observability/version-observer";
import type { ModelSignature, TensorSpec } from "../protocol/tensor-spec";
import { SWEEP_LIMITS, type SweepLimits } from "../runtime/batch-sweep";
import { ModelExecutors } from "../runtime/model-executors";
import type { Placement, PlacementSetting } from "../runtime/placement";
import { probeInputs } from "../runtime/probe-inputs";
import {
  type CreatedExecutors,
  createInlineExecutor,
  createWorkerExecutors,
  type OwnedExecutor,
  type SessionPlan,
} from "../runtime/sessions";
import { type TuningInputs, type TuningShapes, tuningInputs } from "../runtime/tuning-shapes";
import { runWarmup } from "../runtime/warmup";
import { type Clock, systemClock } from "../scheduling/clock";
import type { QueuePolicy } from "../scheduling/queue-policy";
import { Scheduler } from "../scheduling/scheduler";
import {
  batchingBlocker,
  type ConfigOrigins,
  completeConfig,
  type DefaultMaxBatchSize,
  decideMaxBatchSize,
  type MaxBatchDecision,
} from "./auto-complete";
import { readConfigSource } from "./config-file";
import {
  type Decided,
  type DecidedPlacement,
  decidePlacement,
  settleMaxBatchSize,
} from "./load-measurements";
import type { LoadedVersion } from "./loaded-version";
import { type EffectiveConfig, type ModelConfig, parseModelConfig } from "./model-config";
import { listVersions, MODEL_FILE, selectVersions } from "./scan";
import { buildSignature, specOf } from "./signature";
import {
  PROVISIONAL_MAX_BATCH_SIZE,
  provisionalOrigins,
  TRAFFIC_TUNING_LIMITS,
  TrafficTuner,
  type TrafficTuningLimits,
} from "./traffic-tuning";

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
  /**
   * When models with dynamic dimensions beyond the batch decide from their traffic;
   * {@link TRAFFIC_TUNING_LIMITS} by default.
   */
  trafficTuning?: TrafficTuningLimits;
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
  const load: VersionLoad = {
    name,
    version: String(version),
    label: `model '${name}' version ${version}`,
    config,
    settings,
    clock: settings.clock ?? systemClock,
    bytes,
    plan,
    setting,
    firstWorker,
  };
  const held: HeldExecutors = { executors: probe.executors, speculative: early };
  try {
    return serveVersion(load, await measureVersion(load, probe, held));
  } catch (error) {
    await Promise.allSettled(held.executors.map((executor) => executor.release()));
    await releaseAll(held.speculative);
    throw error;
  }
}

/** What {@link loadVersion} works with once the model file is read. */
interface VersionLoad {
  name: string;
  version: string;
  /** `model 'm' version v`, for messages. */
  label: string;
  config: ModelConfig;
  settings: LoadSettings;
  clock: Clock;
  /** The model file. */
  bytes: Buffer;
  plan: SessionPlan & { defaultInstances?: string };
  setting: PlacementSetting;
  /** The plan of the worker instances the version is ready with. */
  firstWorker: SessionPlan;
}

/** The executors a load holds, released when it fails. */
interface HeldExecutors {
  /** The executors in use now. */
  executors: OwnedExecutor[];
  /** Worker executors started early, until used or released. */
  speculative?: Promise<CreatedExecutors>;
}

/** A version measured, completed and warmed up, ready for its scheduler. */
interface MeasuredVersion {
  signature: ModelSignature;
  completed: { config: EffectiveConfig; origins: ConfigOrigins };
  placement: Placement;
  /** The executors it runs on, and their provider. */
  created: CreatedExecutors;
  /** For a version that decides from its traffic: what it measures then. */
  traffic?: { limits: TrafficTuningLimits; inputs: TensorSpec[]; outputNames: string[] };
}

/** The placement, executors and `max_batch_size` a version starts with. */
interface StartingDecisions {
  placement: DecidedPlacement;
  created: CreatedExecutors;
  maxBatch: Decided<number>;
}

/**
 * Whether a version decides `max_batch_size` (and its placement) from the item shapes its
 * traffic carries: its config leaves batching open (no `max_batch_size`, no `dynamic_batching`),
 * `--default-max-batch-size` is `auto`, no `--tuning-shapes` names it, and some input has
 * dynamic dimensions beyond the batch that neither the model nor its config dims fix.
 */
function decidesFromTraffic(
  load: VersionLoad,
  decision: MaxBatchDecision,
  tuning: TuningInputs,
): boolean {
  return (
    decision.kind === "measure" &&
    load.config.dynamic_batching === undefined &&
    load.settings.tuningShapes?.get(load.name) === undefined &&
    tuning.generated
  );
}

/**
 * Reads the model file's inputs and outputs from the probe session, decides where the version
 * runs and its `max_batch_size` (measuring what the config leaves open, or provisionally when
 * its traffic is to decide), completes its config, moves to worker threads when it runs there,
 * and runs the config's warmup on every instance. `held` always names the executors to release
 * should anything fail.
 */
async function measureVersion(
  load: VersionLoad,
  probe: CreatedExecutors,
  held: HeldExecutors,
): Promise<MeasuredVersion> {
  const { config, settings, plan } = load;
  const session = probe.metadata;
  const fileInputs = session.inputMetadata.map((meta) => specOf("input", meta));
  const fileOutputs = session.outputMetadata.map((meta) => specOf("output", meta));
  const decision = decideMaxBatchSize(
    config,
    batchingBlocker(fileInputs, fileOutputs),
    settings.defaultMaxBatchSize,
  );
  const provisionalSignature = buildSignature(load.name, load.version, session, {
    ...config,
    max_batch_size: decision.kind === "measure" || decision.value > 0 ? 1 : 0,
  });
  const batched = provisionalSignature.maxBatchSize > 0;
  const outputNames = provisionalSignature.outputs.map((output) => output.name);
  const tuning = tuningInputs(
    load.name,
    provisionalSignature.inputs,
    batched,
    settings.tuningShapes?.get(load.name),
  );
  const fromTraffic = decidesFromTraffic(load, decision, tuning);
  const sweepCap = (settings.sweepLimits ?? SWEEP_LIMITS).cap;
  const starting = fromTraffic
    ? await provisionalDecisions(load, probe, held)
    : await decideAtLoad(load, decision, tuning, outputNames, probe, held);
  const completed = completeConfig(
    config,
    starting.maxBatch.value,
    starting.maxBatch.origin,
    config.input.length + config.output.length > 0,
    plan.defaultInstances === undefined
      ? undefined
      : {
          count: plan.count,
          kind: plan.executionProviders.includes("cuda") ? "KIND_GPU" : "KIND_CPU",
          origin: plan.defaultInstances,
        },
  );
  completed.origins.execution_placement = starting.placement.origin;
  completed.origins.tuning_shapes = tuning.origin;
  const limits = settings.trafficTuning ?? TRAFFIC_TUNING_LIMITS;
  if (fromTraffic) {
    Object.assign(
      completed.origins,
      provisionalOrigins(provisionalSignature.inputs, limits, sweepCap, load.setting === "auto"),
    );
  }
  // A version that decides from its traffic accepts requests up to the sweep's cap whatever the
  // batcher's current max_batch_size, so that no decision turns an accepted request into a 400.
  const signature = buildSignature(
    load.name,
    load.version,
    session,
    fromTraffic ? { ...completed.config, max_batch_size: sweepCap } : completed.config,
  );
  await runWarmup(config.model_warmup, signature, held.executors);
  return {
    signature,
    completed,
    placement: starting.placement.value,
    created: starting.created,
    traffic: fromTraffic ? { limits, inputs: provisionalSignature.inputs, outputNames } : undefined,
  };
}

/**
 * The starting decisions of a version whose traffic decides: worker threads unless the config
 * places it (an execution of unknown size never stalls the event loop there), and Triton's
 * default `max_batch_size` 4 (within the sweep's cap): batches that small add little latency
 * whatever the item size, and already save most of the per-execution overhead.
 */
async function provisionalDecisions(
  load: VersionLoad,
  probe: CreatedExecutors,
  held: HeldExecutors,
): Promise<StartingDecisions> {
  const placement: DecidedPlacement =
    load.setting === "auto"
      ? { value: "worker", origin: "provisional" }
      : { value: load.setting, origin: "config parameters.execution_placement" };
  const created = await takeExecutors(load, placement.value, probe, held);
  const cap = (load.settings.sweepLimits ?? SWEEP_LIMITS).cap;
  return {
    placement,
    created,
    maxBatch: { value: Math.min(PROVISIONAL_MAX_BATCH_SIZE, cap), origin: "provisional" },
  };
}

/**
 * The decisions taken at load: the placement from a batch-1 timing, then the executors, then
 * `max_batch_size` from a sweep on them when the config leaves it open; both on the shapes the
 * model or its config fixes, `--tuning-shapes` gives, or generated ones.
 */
async function decideAtLoad(
  load: VersionLoad,
  decision: MaxBatchDecision,
  tuning: TuningInputs,
  outputNames: string[],
  probe: CreatedExecutors,
  held: HeldExecutors,
): Promise<StartingDecisions> {
  const { settings } = load;
  const batched = decision.kind === "measure" || decision.value > 0;
  // Probes run generated inputs, which some models refuse (a reflect Pad over a length-1 axis, a
  // Reshape to a fixed size): onnxruntime logs nothing for them (quiet), the first failure is
  // logged once here, and no further probe is tried.
  const timeBatch = async (batch: number) =>
    (
      await held.executors[0].execute(probeInputs(tuning.specs, batch, batched), outputNames, {
        quiet: true,
      })
    ).inferMicroseconds;
  const untimable = (reason: string, consequence: string) =>
    settings.logger.warn(
      { model: load.name, version: load.version, reason },
      `${load.label} could not be timed with generated inputs; ${consequence}`,
    );

  const placement = await decidePlacement(
    load.setting,
    () => timeBatch(1),
    settings.inlineThresholdMicroseconds,
  );
  if (placement.untimable !== undefined) {
    untimable(
      placement.untimable,
      decision.kind === "measure"
        ? "it runs in worker threads, with Triton's default max_batch_size 4"
        : "it runs in worker threads",
    );
  }
  const created = await takeExecutors(load, placement.value, probe, held);
  const maxBatch = await settleMaxBatchSize(
    decision,
    timeBatch,
    load.clock,
    settings.sweepLimits,
    placement.untimable,
    (reason) => untimable(reason, "max_batch_size is Triton's default 4"),
  );
  return { placement, created, maxBatch };
}

/**
 * The executors a version runs on: for worker threads the early ones (or new ones), the probe
 * session released; on the event loop the probe session, the early workers released.
 */
async function takeExecutors(
  load: VersionLoad,
  placement: Placement,
  probe: CreatedExecutors,
  held: HeldExecutors,
): Promise<CreatedExecutors> {
  if (placement !== "worker") {
    await releaseAll(held.speculative);
    held.speculative = undefined;
    return probe;
  }
  const created = await (held.speculative ??
    createWorkerExecutors(load.bytes, load.firstWorker, load.settings.logger));
  held.speculative = undefined;
  await Promise.allSettled(held.executors.map((executor) => executor.release()));
  held.executors = created.executors;
  return created;
}

/**
 * Sets up a measured version's executors (which may move between the event loop and worker
 * threads as execution times drift), its metrics and scheduler, and starts the further default
 * worker instances in the background.
 */
function serveVersion(load: VersionLoad, measured: MeasuredVersion): LoadedVersion {
  const { settings, plan, bytes, config } = load;
  const { signature, completed, placement, created } = measured;
  const metrics = settings.metrics.forModel(load.name, load.version);
  const modelExecutors = new ModelExecutors(
    placement,
    created.executors,
    async (next) =>
      next === "inline"
        ? (await createInlineExecutor(bytes, plan, settings.logger)).executors
        : (await createWorkerExecutors(bytes, plan, settings.logger)).executors,
    {
      thresholdMicroseconds:
        load.setting === "auto" ? settings.inlineThresholdMicroseconds : undefined,
      logger: settings.logger,
      label: load.label,
    },
  );
  const policy = queuePolicy(completed.config, settings);
  metrics.queueCapacity(policy.maxQueueSize);
  metrics.maxBatchSize(completed.config.max_batch_size);
  let tuner: TrafficTuner | undefined;
  const scheduler = new Scheduler(load.label, created.executors, policy, metrics, {
    clock: load.clock,
    onExecuted: measured.traffic
      ? (inferMicroseconds, _items, inputs, requests) => {
          modelExecutors.observe(inferMicroseconds);
          tuner?.observe(inputs, requests);
        }
      : modelExecutors.observe,
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
  const loaded: LoadedVersion = {
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
      tuner?.stop();
      await scheduler.close();
      await modelExecutors.close();
    },
  };
  if (measured.traffic) {
    tuner = new TrafficTuner({
      label: load.label,
      inputs: measured.traffic.inputs,
      outputNames: measured.traffic.outputNames,
      scheduler,
      executors: modelExecutors,
      thresholdMicroseconds:
        load.setting === "auto" ? settings.inlineThresholdMicroseconds : undefined,
      sweepLimits: settings.sweepLimits ?? SWEEP_LIMITS,
      limits: measured.traffic.limits,
      clock: load.clock,
      logger: settings.logger,
      apply(decision) {
        Object.assign(loaded.origins, decision.origins);
        if (decision.maxBatchSize === undefined) return;
        loaded.config = { ...loaded.config, max_batch_size: decision.maxBatchSize };
        metrics.maxBatchSize(decision.maxBatchSize);
      },
    });
  }
  return loaded;
}
