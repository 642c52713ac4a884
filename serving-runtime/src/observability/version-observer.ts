import path from "node:path";
import type { DecodedInput } from "../protocol/infer-request";
import type { ModelSignature } from "../protocol/tensor-spec";
import type { ModelConfig } from "../repository/model-config";
import type { InferResult } from "../scheduling/scheduler";
import { readBaseline } from "./baseline";
import { DriftMonitor } from "./drift-monitor";
import type { ObservabilityMetrics } from "./observability-metrics";
import { OutputDistributions, parseOutputDistributions } from "./output-distribution";

/** Server-wide observability settings that apply to every model version. */
export interface ObservabilitySettings {
  /** Rows each input's drift window holds; 0 turns drift off even where a baseline exists. */
  driftWindowRows: number;
  /** Where drift and output distributions are exported. */
  metrics: ObservabilityMetrics;
}

/**
 * What a model version's requests feed: its drift monitor (when the version has a baseline) and
 * its output histograms (when its config has `output_distribution`). A version with neither has
 * no observer at all, so the request path pays one property check.
 */
export class VersionObserver {
  /**
   * @param drift the drift monitor, when the version has a baseline
   * @param outputs the output histograms, when configured
   */
  constructor(
    readonly drift: DriftMonitor | undefined,
    readonly outputs: OutputDistributions | undefined,
  ) {}

  /** Feeds a decoded request's inputs to the drift monitor. */
  inputs(inputs: readonly DecodedInput[]): void {
    this.drift?.observe(inputs);
  }

  /** Feeds a response's outputs to the output histograms. */
  results(result: InferResult): void {
    this.outputs?.observe(result);
  }
}

/** The parts of a loaded model version an observer is set up on. */
export interface ObservableVersion {
  /** What requests must match (its version names the baseline's directory). */
  signature: ModelSignature;
  /** Set to the version's observer when there is something to observe. */
  observer?: VersionObserver;
  /** Releases the version; wrapped to stop exporting its drift too. */
  close(): Promise<void>;
}

/**
 * Sets up a loaded version's observer from its baseline (`<version>/baseline.json`) and its
 * config's `output_distribution`, and returns the version with it (its `close` then also stops
 * exporting the version's drift). Returns the version unchanged when there is nothing to
 * observe. Throws, failing the load with the reason, when the baseline or the config block does
 * not fit the version.
 *
 * @param version the loaded version
 * @param modelDirectory the model's directory
 * @param config the model's configuration
 * @param settings server-wide observability settings
 */
export async function observeVersion<Version extends ObservableVersion>(
  version: Version,
  modelDirectory: string,
  config: ModelConfig,
  settings: ObservabilitySettings,
): Promise<Version> {
  const { signature } = version;
  const baseline =
    settings.driftWindowRows > 0
      ? await readBaseline(path.join(modelDirectory, signature.version))
      : undefined;
  const drift = baseline
    ? new DriftMonitor(baseline, signature, settings.driftWindowRows)
    : undefined;
  const outputs =
    config.output_distribution === undefined
      ? undefined
      : new OutputDistributions(
          parseOutputDistributions(config.output_distribution, signature),
          signature,
          settings.metrics,
        );
  if (!drift && !outputs) return version;
  const labels = { model: signature.name, version: signature.version };
  if (drift) settings.metrics.watch(drift, labels);
  const close = version.close;
  return Object.assign(version, {
    observer: new VersionObserver(drift, outputs),
    async close() {
      await close();
      if (drift) settings.metrics.forget(drift);
      outputs?.release();
    },
  });
}
