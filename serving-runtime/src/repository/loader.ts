import { readFile } from "node:fs/promises";
import path from "node:path";
import type { Logger } from "pino";
import type { ModelMetrics, ServerMetrics } from "../metrics";
import type { ModelSignature } from "../protocol/tensor-spec";
import type { CircuitBreaker, FallbackConfig } from "../resilience";
import { SessionExecutor } from "../runtime/session-executor";
import { createSessions, type ExecutionProvider } from "../runtime/sessions";
import { runWarmup } from "../runtime/warmup";
import type { WorkerSession } from "../runtime/worker-session";
import type { QueuePolicy } from "../scheduling/queue-policy";
import { Scheduler } from "../scheduling/scheduler";
import { type ModelConfig, parseModelConfig } from "./model-config";
import { CONFIG_FILE, listVersions, MODEL_FILE, selectVersions } from "./scan";
import { buildSignature } from "./signature";

/** Server-wide settings that shape how models load. */
export interface LoadSettings {
  /** Cores available to the process. */
  cores: number;
  /** Intra-op threads per session; default: cores / instances, at least 1. */
  intraOpThreads?: number;
  /** Inter-op threads per session. */
  interOpThreads: number;
  /** Queue bound for models whose config leaves `max_queue_size` at 0 (unbounded in Triton). */
  defaultMaxQueueSize: number;
  /** Logger. */
  logger: Logger;
  /** Server metrics. */
  metrics: ServerMetrics;
  /** Called when a model's versions are replaced or removed (e.g. to drop cached responses). */
  onModelChanged?: (name: string) => void;
}

/** One loaded, ready model version. */
export interface LoadedVersion {
  /** What requests must match. */
  signature: ModelSignature;
  /** The model's configuration. */
  config: ModelConfig;
  /** The queue and batcher. */
  scheduler: Scheduler;
  /** This version's metrics. */
  metrics: ModelMetrics;
  /** Provider the sessions run on. */
  executionProvider: ExecutionProvider;
  /** Why a preferred provider was not used. */
  executionProviderFallbackReason?: string;
  /** Instances (sessions). */
  instanceCount: number;
  /** Intra-op threads per session. */
  intraOpThreads: number;
  /** The model's circuit breaker, when its config has a `circuit_breaker` block. */
  breaker?: CircuitBreaker;
  /** The model's fallback, when its config has a `fallback` block. */
  fallback?: FallbackConfig;
  /** Waits for queued and running work, then releases the sessions. */
  close(): Promise<void>;
}

/**
 * Reads and validates a model's configuration: `config` when given (a load request's
 * `parameters.config`), else `config.json` when present, else an empty config derived from the
 * ONNX file later.
 */
export async function readModelConfig(
  directory: string,
  name: string,
  override?: unknown,
): Promise<ModelConfig> {
  let raw: unknown = {};
  const source =
    override === undefined ? `${name}/${CONFIG_FILE}` : `load parameters.config of '${name}'`;
  if (override !== undefined) {
    raw = override;
  } else {
    const text = await readFile(path.join(directory, CONFIG_FILE), "utf8").catch((error) => {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
      throw error;
    });
    if (text !== undefined) {
      try {
        raw = JSON.parse(text);
      } catch (error) {
        throw new Error(`${source}: invalid JSON: ${(error as Error).message}`);
      }
    }
  }
  const config = parseModelConfig(raw, source);
  if (config.name !== undefined && config.name !== name) {
    throw new Error(`${source}: name '${config.name}' must equal the directory name '${name}'`);
  }
  if (config.dynamic_batching && config.max_batch_size === 0) {
    throw new Error(`${source}: dynamic_batching needs max_batch_size > 0`);
  }
  const tooLarge = config.dynamic_batching?.preferred_batch_size.find(
    (s) => s > config.max_batch_size,
  );
  if (tooLarge !== undefined) {
    throw new Error(
      `${source}: preferred_batch_size ${tooLarge} exceeds max_batch_size ${config.max_batch_size}`,
    );
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

function queuePolicy(config: ModelConfig, settings: LoadSettings): QueuePolicy {
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

/**
 * Loads one version of a model: creates its sessions (one per instance, with explicit thread
 * settings and execution-provider fallback), derives its signature, runs warmup and sets up
 * its scheduler.
 *
 * @param directory the model's directory
 * @param name model name
 * @param version version number
 * @param config the model's configuration
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
  const instanceCount = config.instance_group.reduce((sum, group) => sum + group.count, 0) || 1;
  const wantsGpu = config.instance_group.some((group) => group.kind === "KIND_GPU");
  const intraOpThreads =
    threadSetting(config, "intra_op_thread_count") ??
    settings.intraOpThreads ??
    Math.max(1, Math.floor(settings.cores / instanceCount));
  const created = await createSessions(
    bytes,
    {
      executionProviders: config.execution_providers ?? (wantsGpu ? ["cuda", "cpu"] : ["cpu"]),
      count: instanceCount,
      intraOpThreads,
      interOpThreads: threadSetting(config, "inter_op_thread_count") ?? settings.interOpThreads,
      allowSpinning: spinning(config),
    },
    settings.logger,
  );
  const release = (sessions: WorkerSession[]) =>
    Promise.allSettled(sessions.map((session) => session.release()));
  try {
    const signature = buildSignature(name, String(version), created.sessions[0], config);
    const executors = created.sessions.map((session) => new SessionExecutor(session));
    await runWarmup(config.model_warmup, signature, executors);
    const metrics = settings.metrics.forModel(name, String(version));
    const scheduler = new Scheduler(
      `model '${name}' version ${version}`,
      executors,
      queuePolicy(config, settings),
      metrics,
    );
    return {
      signature,
      config,
      scheduler,
      metrics,
      executionProvider: created.executionProvider,
      executionProviderFallbackReason: created.fallbackReason,
      instanceCount,
      intraOpThreads,
      async close() {
        await scheduler.close();
        await release(created.sessions);
      },
    };
  } catch (error) {
    await release(created.sessions);
    throw error;
  }
}
