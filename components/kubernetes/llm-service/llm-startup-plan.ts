import type { LlmAccelerator } from "./llm-accelerator-plan";

/**
 * The cold-start model every LlmService budget is derived from (docs/llm-serving.md, "Startup
 * budgets", tabulates it per model size). Conservative assumptions, not measurements: a first
 * deploy pulls a 10–20 GB image onto a node that may not exist yet, then reads every weight
 * and compiles (CUDA graphs and torch.compile on GPUs; XLA for every batch shape on TPUs).
 */
export const COLD_START = {
  /** Weight read rate assumed from a model store or the Hugging Face Hub, MiB/s. */
  weightsMiBPerSecond: 100,
  /** Engine start after the weights are in: profiling, KV-cache allocation, compilation. */
  engineInitSeconds: { nvidia: 600, tpu: 1800 },
  /** Pulling the vLLM image onto a fresh node. */
  imagePullSeconds: 900,
  /** A node from zero: a GPU instance, or a whole TPU slice. */
  nodeProvisionSeconds: { nvidia: 900, tpu: 1200 },
} as const;

/** Seconds between startup probes. */
export const STARTUP_PROBE_PERIOD_SECONDS = 10;

/** The waits of one replica's first start. */
export interface StartupBudget {
  /** Size of the weights assumed, GiB. */
  weightsGiB: number;
  /** Seconds from container start to `/health` answering: weights plus engine start. */
  coldStartSeconds: number;
  /** `failureThreshold` of the startup probe (every {@link STARTUP_PROBE_PERIOD_SECONDS}). */
  startupFailureThreshold: number;
  /**
   * Seconds `pulumi up` and the Deployment's progress deadline allow a rollout: a node, the image
   * and the cold start. Services waiting for ready endpoints get the same.
   */
  rolloutSeconds: number;
}

/**
 * The cold start of a replica serving `weightsGiB` on `accelerator` (see {@link COLD_START}),
 * and the probe and rollout budgets that fit it.
 */
export function startupBudget(accelerator: LlmAccelerator, weightsGiB: number): StartupBudget {
  const family = accelerator.family;
  const coldStartSeconds = Math.ceil(
    (weightsGiB * 1024) / COLD_START.weightsMiBPerSecond + COLD_START.engineInitSeconds[family],
  );
  const startupFailureThreshold = Math.ceil(coldStartSeconds / STARTUP_PROBE_PERIOD_SECONDS);
  const rolloutSeconds =
    Math.ceil(
      (COLD_START.nodeProvisionSeconds[family] +
        COLD_START.imagePullSeconds +
        startupFailureThreshold * STARTUP_PROBE_PERIOD_SECONDS) /
        60,
    ) * 60;
  return { weightsGiB, coldStartSeconds, startupFailureThreshold, rolloutSeconds };
}
