import * as ort from "onnxruntime-node";
import type { Logger } from "pino";
import type { BatchExecutor } from "../scheduling/scheduler";
import { InlineExecutor } from "./inline-executor";
import { WorkerExecutor } from "./worker-executor";
import { WorkerSession } from "./worker-session";

/** An execution provider a model config may ask for. */
export type ExecutionProvider = "cuda" | "cpu";

/** Thread settings of one session. */
export interface ThreadPlan {
  /** Threads each session uses inside an operator (the calling thread included). */
  intraOpThreads: number;
  /** Threads each session uses across operators. */
  interOpThreads: number;
  /**
   * Whether idle intra-op threads spin waiting for work (onnxruntime's own default) rather than
   * sleep; spinning can shave latency off large models but burns cores the HTTP side needs.
   */
  allowSpinning: boolean;
}

/** How to create a model's sessions. */
export interface SessionPlan {
  /** Providers to try, in order; CPU is always the last resort. */
  executionProviders: ExecutionProvider[];
  /** Sessions to create in worker threads (model instances). */
  count: number;
  /** Threads of each worker-thread session. */
  worker: ThreadPlan;
  /** Threads of the session on the event loop. */
  inline: ThreadPlan;
}

/** An executor the loader created and must release. */
export interface OwnedExecutor extends BatchExecutor {
  /** Frees its session (and stops its thread). */
  release(): Promise<void>;
}

/** Executors created for one model version, and which provider they run on. */
export interface CreatedExecutors {
  /** One executor per instance (one for the event loop). */
  executors: OwnedExecutor[];
  /** The model's inputs and outputs as onnxruntime reports them. */
  metadata: Pick<ort.InferenceSession, "inputMetadata" | "outputMetadata">;
  /** The provider that worked. */
  executionProvider: ExecutionProvider;
  /** Why a preferred provider was not used, when it was not. */
  fallbackReason?: string;
}

/**
 * onnxruntime's log severity for a server logging at `level`: errors (3) as a rule, warnings too
 * (2) at debug and trace, nothing (4, fatal only) when the server itself is silent or logs only
 * fatal events. onnxruntime writes straight to stderr, past the server's logger; a silent server
 * stays silent.
 */
export function onnxruntimeSeverity(level: string): 2 | 3 | 4 {
  if (level === "silent" || level === "fatal") return 4;
  return level === "debug" || level === "trace" ? 2 : 3;
}

function options(
  threads: ThreadPlan,
  provider: ExecutionProvider,
  logger: Logger,
): ort.InferenceSession.SessionOptions {
  return {
    executionProviders: provider === "cuda" ? ["cuda", "cpu"] : ["cpu"],
    intraOpNumThreads: threads.intraOpThreads,
    interOpNumThreads: threads.interOpThreads,
    executionMode: "sequential",
    graphOptimizationLevel: "all",
    logSeverityLevel: onnxruntimeSeverity(logger.level),
    extra: { session: { intra_op: { allow_spinning: threads.allowSpinning ? "1" : "0" } } },
  };
}

class WorkerInstance extends WorkerExecutor implements OwnedExecutor {
  release(): Promise<void> {
    return this.session.release();
  }
}

type Created = Pick<CreatedExecutors, "executors" | "metadata">;

async function withFallback(
  plan: SessionPlan,
  logger: Logger,
  create: (provider: ExecutionProvider) => Promise<Created>,
): Promise<CreatedExecutors> {
  const providers: ExecutionProvider[] = [
    ...plan.executionProviders.filter((p) => p !== "cpu"),
    "cpu",
  ];
  const reasons: string[] = [];
  for (const provider of providers) {
    try {
      const created = await create(provider);
      const fallbackReason = reasons.length > 0 ? reasons.join("; ") : undefined;
      return { ...created, executionProvider: provider, fallbackReason };
    } catch (error) {
      if (provider === "cpu") throw error;
      const reason = `${provider} unavailable: ${(error as Error).message.split("\n")[0]}`;
      logger.warn({ provider, reason }, "execution provider unavailable, falling back");
      reasons.push(reason);
    }
  }
  throw new Error("no execution provider available");
}

/**
 * Creates one session of the model on the event loop, trying each execution provider in order
 * and falling back to CPU with a logged warning (the reason is returned for model metadata).
 *
 * @param model the ONNX model bytes
 * @param plan providers and thread settings
 * @param logger where fallback warnings go
 */
export function createInlineExecutor(
  model: Uint8Array,
  plan: SessionPlan,
  logger: Logger,
): Promise<CreatedExecutors> {
  return withFallback(plan, logger, async (provider) => {
    const session = await ort.InferenceSession.create(
      model,
      options(plan.inline, provider, logger),
    );
    return { executors: [new InlineExecutor(session)], metadata: session };
  });
}

/**
 * Creates `plan.count` sessions of the model, each in a worker thread of its own, with the same
 * provider fallback as {@link createInlineExecutor}.
 *
 * @param model the ONNX model bytes
 * @param plan providers, instance count and thread settings
 * @param logger where fallback warnings go
 */
export function createWorkerExecutors(
  model: Uint8Array,
  plan: SessionPlan,
  logger: Logger,
): Promise<CreatedExecutors> {
  return withFallback(plan, logger, async (provider) => {
    const created = await Promise.allSettled(
      Array.from({ length: plan.count }, () =>
        WorkerSession.create(model, options(plan.worker, provider, logger)),
      ),
    );
    const sessions = created.flatMap((result) =>
      result.status === "fulfilled" ? [result.value] : [],
    );
    const failed = created.find((result) => result.status === "rejected");
    if (failed) {
      await Promise.allSettled(sessions.map((session) => session.release()));
      throw failed.reason;
    }
    return {
      executors: sessions.map((session) => new WorkerInstance(session)),
      metadata: sessions[0],
    };
  });
}
