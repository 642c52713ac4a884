import { HybridAiConfigError } from "../../errors";
import { assertOneOf, assertWholeNumber } from "../../validate";
import type { LlmEngine } from "./llm-service-args";

/**
 * Quantisation methods vLLM's `--quantization` accepts in the pinned release and the releases
 * around it (`vllm/model_executor/layers/quantization/__init__.py`, `QuantizationMethods`; the
 * names present in every version we read).
 */
export const VLLM_QUANTIZATIONS = [
  "awq",
  "awq_marlin",
  "bitsandbytes",
  "compressed-tensors",
  "experts_int8",
  "fp8",
  "gguf",
  "gptq",
  "gptq_marlin",
  "inc",
  "modelopt",
  "modelopt_fp4",
  "moe_wna16",
  "mxfp4",
  "quark",
  "torchao",
] as const;

/** LoRA ranks vLLM's `--max-lora-rank` accepts. */
export const VLLM_LORA_RANKS = [8, 16, 32, 64, 128, 256] as const;

/** Flags LlmService sets itself; `engine.extraArgs` may not repeat them. */
export const MANAGED_VLLM_FLAGS = [
  "--model",
  "--served-model-name",
  "--host",
  "--port",
  "--tensor-parallel-size",
  "--load-format",
  "--max-model-len",
  "--gpu-memory-utilization",
  "--quantization",
  "--max-num-seqs",
  "--enable-lora",
  "--lora-modules",
  "--max-lora-rank",
  "--api-key",
  "--revision",
  "--download-dir",
] as const;

/** Default share of accelerator memory vLLM takes. */
export const DEFAULT_GPU_MEMORY_UTILIZATION = 0.9;

const ADAPTER_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;
const ADAPTER_SOURCE = /^([A-Za-z0-9][\w.-]*\/[\w.-]+|\/[\w./-]+)$/;

/** The engine settings after validation. */
export interface ResolvedEngine {
  /** The vLLM flags they become. */
  flags: string[];
  /** `--gpu-memory-utilization`. */
  gpuMemoryUtilization: number;
}

function checkAdapters(component: string, engine: LlmEngine): string[] {
  const adapters = engine.loraAdapters ?? [];
  if (!Array.isArray(adapters)) {
    throw new HybridAiConfigError(
      component,
      "engine.loraAdapters",
      adapters,
      "a list of { name, source }",
    );
  }
  const names = new Set<string>();
  adapters.forEach((adapter, i) => {
    if (
      typeof adapter?.name !== "string" ||
      !ADAPTER_NAME.test(adapter.name) ||
      names.has(adapter.name)
    ) {
      throw new HybridAiConfigError(
        component,
        `engine.loraAdapters[${i}].name`,
        adapter?.name,
        "a unique name of letters, digits, '_', '.', '-' (at most 128 characters)",
      );
    }
    names.add(adapter.name);
    if (typeof adapter.source !== "string" || !ADAPTER_SOURCE.test(adapter.source)) {
      throw new HybridAiConfigError(
        component,
        `engine.loraAdapters[${i}].source`,
        adapter.source,
        "a Hugging Face Hub id such as org/adapter, or an absolute path inside the pod",
      );
    }
  });
  if (engine.maxLoraRank !== undefined) {
    if (adapters.length === 0) {
      throw new HybridAiConfigError(
        component,
        "engine.maxLoraRank",
        engine.maxLoraRank,
        "set only with engine.loraAdapters",
      );
    }
    assertOneOf(component, "engine.maxLoraRank", engine.maxLoraRank, VLLM_LORA_RANKS);
  }
  if (adapters.length === 0) return [];
  return [
    "--enable-lora",
    "--lora-modules",
    ...adapters.map((a) => `${a.name}=${a.source}`),
    ...(engine.maxLoraRank !== undefined ? ["--max-lora-rank", String(engine.maxLoraRank)] : []),
  ];
}

function checkExtraArgs(component: string, extraArgs: unknown): string[] {
  if (extraArgs === undefined) return [];
  if (!Array.isArray(extraArgs) || extraArgs.some((a) => typeof a !== "string")) {
    throw new HybridAiConfigError(component, "engine.extraArgs", extraArgs, "a list of strings");
  }
  extraArgs.forEach((arg: string, i) => {
    const flag = arg.split("=")[0] as string;
    if ((MANAGED_VLLM_FLAGS as readonly string[]).includes(flag)) {
      throw new HybridAiConfigError(
        component,
        `engine.extraArgs[${i}]`,
        arg,
        `a flag LlmService does not set itself (not ${MANAGED_VLLM_FLAGS.join(", ")}); use the engine, model and port fields`,
      );
    }
  });
  return extraArgs as string[];
}

/**
 * Validates the engine settings and turns them into `vllm serve` flags (context length, memory
 * share, quantisation, batch size, LoRA adapters, extra flags). Throws
 * {@link HybridAiConfigError} naming the field.
 */
export function planEngine(component: string, engine: LlmEngine = {}): ResolvedEngine {
  const flags: string[] = [];
  if (engine.maxModelLen !== undefined) {
    assertWholeNumber(component, "engine.maxModelLen", engine.maxModelLen, 128, 1_048_576);
    flags.push("--max-model-len", String(engine.maxModelLen));
  }
  const utilization = engine.gpuMemoryUtilization ?? DEFAULT_GPU_MEMORY_UTILIZATION;
  if (
    typeof utilization !== "number" ||
    !Number.isFinite(utilization) ||
    utilization <= 0.1 ||
    utilization > 0.99
  ) {
    throw new HybridAiConfigError(
      component,
      "engine.gpuMemoryUtilization",
      utilization,
      "a share above 0.1 and at most 0.99, e.g. 0.9",
    );
  }
  flags.push("--gpu-memory-utilization", String(utilization));
  if (engine.quantization !== undefined) {
    assertOneOf(component, "engine.quantization", engine.quantization, VLLM_QUANTIZATIONS);
    flags.push("--quantization", engine.quantization);
  }
  if (engine.maxNumSeqs !== undefined) {
    assertWholeNumber(component, "engine.maxNumSeqs", engine.maxNumSeqs, 1, 4096);
    flags.push("--max-num-seqs", String(engine.maxNumSeqs));
  }
  flags.push(...checkAdapters(component, engine), ...checkExtraArgs(component, engine.extraArgs));
  return { flags, gpuMemoryUtilization: utilization };
}
