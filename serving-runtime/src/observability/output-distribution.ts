import { z } from "zod";
import type { ModelSignature } from "../protocol/tensor-spec";
import { formatZodIssues } from "../protocol/zod-issues";
import type { InferResult } from "../scheduling/scheduler";
import type { BucketHistogram, HistogramCell } from "./bucket-histogram";
import { type ElementReader, elementReader, samplePositions } from "./element-reader";
import type { ObservabilityMetrics } from "./observability-metrics";
import { DEFAULT_SCORE_BUCKETS } from "./score-buckets";

const buckets = z
  .array(z.number().refine(Number.isFinite, { error: "bucket bounds must be finite numbers" }))
  .min(1, { error: "give at least one bucket bound" })
  .max(64, { error: "at most 64 bucket bounds" })
  .refine((bounds) => bounds.every((b, i) => i === 0 || b > bounds[i - 1]), {
    error: "bucket bounds must be strictly increasing",
  });

const entry = z
  .strictObject({
    /** Output name. */
    name: z.string().min(1),
    /**
     * `top1_score`: the largest element along the last dimension of each row (a class-score
     * output); `value`: the output's elements (a regression).
     */
    kind: z.enum(["top1_score", "value"], { error: "kind must be top1_score or value" }),
    /** Histogram bucket upper bounds. */
    buckets: buckets.optional(),
  })
  .refine((e) => e.kind !== "value" || e.buckets !== undefined, {
    error:
      "buckets are required for kind value (the output's range is the model's own): give upper bounds such as [0, 10, 50, 100, 500]",
    path: ["buckets"],
  });

/** One output's histogram as a model's `output_distribution` config asks for it. */
export type OutputDistributionConfig = z.infer<typeof entry>;

/**
 * Validates a model's `output_distribution` block against its signature: every output named
 * must exist, be numeric and be named once. Throws naming the key, the value and what is
 * allowed.
 *
 * @param value the block as parsed from `config.pbtxt` / `config.json`
 * @param signature the model version's signature
 */
export function parseOutputDistributions(
  value: unknown,
  signature: ModelSignature,
): OutputDistributionConfig[] {
  const parsed = z.array(entry).safeParse(value);
  if (!parsed.success) {
    throw new Error(`output_distribution: ${formatZodIssues(parsed.error)}`);
  }
  const seen = new Set<string>();
  parsed.data.forEach((config, i) => {
    const output = signature.outputs.find((o) => o.name === config.name);
    if (!output) {
      throw new Error(
        `output_distribution[${i}].name: '${config.name}' is not an output of model '${signature.name}'; its outputs are ${signature.outputs.map((o) => `'${o.name}'`).join(", ")}`,
      );
    }
    if (output.datatype === "BYTES") {
      throw new Error(
        `output_distribution[${i}].name: output '${config.name}' is BYTES; histograms need a numeric output`,
      );
    }
    if (seen.has(config.name)) {
      throw new Error(`output_distribution[${i}].name: output '${config.name}' is listed twice`);
    }
    seen.add(config.name);
  });
  return parsed.data;
}

interface Watched {
  name: string;
  kind: OutputDistributionConfig["kind"];
  histogram: BucketHistogram;
  cell: HistogramCell;
  read: ElementReader;
}

/**
 * Histograms of a model version's outputs, as its config asks: the top-1 score of each row of a
 * class-score output (`hybridai_output_top1_score`), or the values of a regression output
 * (`hybridai_output_value`, at most 256 evenly spaced elements a response), labelled by model,
 * version and output.
 */
export class OutputDistributions {
  private readonly watched: Watched[];

  /**
   * @param configs the validated `output_distribution` entries
   * @param signature the model version's signature
   * @param metrics where the histograms are exported
   */
  constructor(
    configs: readonly OutputDistributionConfig[],
    signature: ModelSignature,
    metrics: ObservabilityMetrics,
  ) {
    this.watched = configs.map((config) => {
      const output = signature.outputs.find((o) => o.name === config.name);
      const labels = { model: signature.name, version: signature.version, output: config.name };
      const histogram = config.kind === "top1_score" ? metrics.top1Score : metrics.outputValue;
      return {
        name: config.name,
        kind: config.kind,
        histogram,
        cell: histogram.cell(labels, config.buckets ?? DEFAULT_SCORE_BUCKETS),
        read: elementReader(output?.datatype ?? "FP32") as ElementReader,
      };
    });
  }

  /** Removes the version's series from the histograms (the version was unloaded). */
  release(): void {
    for (const watched of this.watched) watched.histogram.remove(watched.cell);
  }

  /** Adds one response's outputs to the histograms. */
  observe(result: InferResult): void {
    for (const watched of this.watched) {
      const output = result.get(watched.name);
      if (!output) continue;
      const { data, shape } = output;
      const { read, cell } = watched;
      if (watched.kind === "value") {
        for (const position of samplePositions(data.length)) cell.observe(read(data, position));
        continue;
      }
      const classes = shape.length === 0 ? 1 : shape[shape.length - 1];
      if (classes === 0) continue;
      for (let start = 0; start < data.length; start += classes) {
        let top = read(data, start);
        for (let i = 1; i < classes; i++) {
          const value = read(data, start + i);
          if (value > top) top = value;
        }
        cell.observe(top);
      }
    }
  }
}
