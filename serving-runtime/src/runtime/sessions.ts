import type * as ort from "onnxruntime-node";
import type { Logger } from "pino";
import { WorkerSession } from "./worker-session";

/** An execution provider a model config may ask for. */
export type ExecutionProvider = "cuda" | "cpu";

/** How to create a model's sessions. */
export interface SessionPlan {
  /** Providers to try, in order; CPU is always the last resort. */
  executionProviders: ExecutionProvider[];
  /** Sessions to create (model instances). */
  count: number;
  /** Threads each session uses inside an operator. */
  intraOpThreads: number;
  /** Threads each session uses across operators. */
  interOpThreads: number;
  /**
   * Whether idle intra-op threads spin waiting for work (onnxruntime's own default) rather than
   * sleep; spinning can shave latency off large models but burns cores the HTTP side needs.
   */
  allowSpinning: boolean;
}

/** Sessions created for one model version, and which provider they run on. */
export interface CreatedSessions {
  /** One session per instance, each in its own thread. */
  sessions: WorkerSession[];
  /** The provider that worked. */
  executionProvider: ExecutionProvider;
  /** Why a preferred provider was not used, when it was not. */
  fallbackReason?: string;
}

function options(
  plan: SessionPlan,
  provider: ExecutionProvider,
): ort.InferenceSession.SessionOptions {
  return {
    executionProviders: provider === "cuda" ? ["cuda", "cpu"] : ["cpu"],
    intraOpNumThreads: plan.intraOpThreads,
    interOpNumThreads: plan.interOpThreads,
    executionMode: "sequential",
    graphOptimizationLevel: "all",
    logSeverityLevel: 3,
    extra: { session: { intra_op: { allow_spinning: plan.allowSpinning ? "1" : "0" } } },
  };
}

/**
 * Creates `plan.count` sessions of one model, trying each execution provider in order and
 * falling back to CPU with a logged warning (the reason is returned for model metadata).
 *
 * @param model the ONNX model bytes
 * @param plan providers, instance count and thread settings
 * @param logger where fallback warnings go
 */
export async function createSessions(
  model: Uint8Array,
  plan: SessionPlan,
  logger: Logger,
): Promise<CreatedSessions> {
  const providers: ExecutionProvider[] = [
    ...plan.executionProviders.filter((p) => p !== "cpu"),
    "cpu",
  ];
  const reasons: string[] = [];
  for (const provider of providers) {
    try {
      const first = await WorkerSession.create(model, options(plan, provider));
      const sessions = [first];
      for (let i = 1; i < plan.count; i++) {
        sessions.push(await WorkerSession.create(model, options(plan, provider)));
      }
      const fallbackReason = reasons.length > 0 ? reasons.join("; ") : undefined;
      return { sessions, executionProvider: provider, fallbackReason };
    } catch (error) {
      if (provider === "cpu") throw error;
      const reason = `${provider} unavailable: ${(error as Error).message.split("\n")[0]}`;
      logger.warn({ provider, reason }, "execution provider unavailable, falling back");
      reasons.push(reason);
    }
  }
  throw new Error("no execution provider available");
}
