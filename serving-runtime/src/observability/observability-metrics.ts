import { Gauge, type Registry } from "prom-client";
import { BucketHistogram } from "./bucket-histogram";
import type { DriftMonitor } from "./drift-monitor";
import { DEFAULT_SCORE_BUCKETS } from "./score-buckets";

/** Default bounds of `hybridai_output_value` (each output's config gives its own). */
const DEFAULT_VALUE_BUCKETS: readonly number[] = [0, 1, 10, 100, 1000];

/**
 * The metrics of the runtime's AI observability: input drift against each model version's
 * baseline, output distributions, and the audit log's counts. Drift is computed at scrape time
 * from the monitors' windows.
 */
export class ObservabilityMetrics {
  /** Population stability index of each input's window against its baseline. */
  readonly driftPsi: Gauge<"model" | "version" | "input">;
  /** Observations each input's drift window holds. */
  readonly driftObservations: Gauge<"model" | "version" | "input">;
  /** Top-1 score of class-score outputs. */
  readonly top1Score: BucketHistogram;
  /** Values of regression outputs. */
  readonly outputValue: BucketHistogram;
  private readonly monitors = new Map<DriftMonitor, { model: string; version: string }>();

  /** @param registry the server's registry */
  constructor(registry: Registry) {
    const registers = [registry];
    const collect = () => this.collectDrift();
    this.driftPsi = new Gauge({
      name: "hybridai_input_drift_psi",
      help: "Population stability index of the input's last rows against its baseline (largest over its features); present once the window is full",
      labelNames: ["model", "version", "input"],
      registers,
      collect,
    });
    this.driftObservations = new Gauge({
      name: "hybridai_input_drift_window_observations",
      help: "Observations in the input's drift window (rows, or sampled values for non-feature inputs)",
      labelNames: ["model", "version", "input"],
      registers,
      collect,
    });
    this.top1Score = new BucketHistogram(
      "hybridai_output_top1_score",
      "Largest score of each row of a class-score output (output_distribution kind top1_score)",
      DEFAULT_SCORE_BUCKETS,
      registry,
    );
    this.outputValue = new BucketHistogram(
      "hybridai_output_value",
      "Values of a regression output (output_distribution kind value)",
      DEFAULT_VALUE_BUCKETS,
      registry,
    );
  }

  /** Exports a version's drift until {@link forget} is called. */
  watch(monitor: DriftMonitor, labels: { model: string; version: string }): void {
    this.monitors.set(monitor, labels);
  }

  /** Stops exporting a version's drift and removes its series (the version was unloaded). */
  forget(monitor: DriftMonitor): void {
    const labels = this.monitors.get(monitor);
    this.monitors.delete(monitor);
    if (!labels) return;
    for (const { input } of monitor.drift()) {
      this.driftPsi.remove({ ...labels, input });
      this.driftObservations.remove({ ...labels, input });
    }
  }

  private collectDrift(): void {
    for (const [monitor, labels] of this.monitors) {
      for (const drift of monitor.drift()) {
        const series = { ...labels, input: drift.input };
        this.driftObservations.set(series, drift.observations);
        if (drift.psi !== undefined) this.driftPsi.set(series, drift.psi);
      }
    }
  }
}
