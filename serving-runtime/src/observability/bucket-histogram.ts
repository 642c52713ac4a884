import type { Registry } from "prom-client";

/** One sample as prom-client's registry renders it. */
interface RenderedSample {
  metricName: string;
  labels: Record<string, string | number>;
  value: number;
}

/** A metric family as prom-client's registry renders it (`Registry.getMetricsAsString`). */
export interface RenderedHistogram {
  /** Metric name. */
  name: string;
  /** Help text. */
  help: string;
  /** Always `histogram`. */
  type: "histogram";
  /** Samples: cumulative buckets, sum and count of every series. */
  values: RenderedSample[];
  /** How prom-client's cluster mode would merge it. */
  aggregator: "sum";
}

/**
 * The counts of one labelled series of a {@link BucketHistogram}. The request path calls
 * {@link observe}, which only finds the bucket and adds to plain numbers (no label hashing, no
 * allocation); the registry reads the counts when `/metrics` is scraped.
 */
export class HistogramCell {
  /** Observations per bucket, not cumulative; the last slot counts values above every bound. */
  readonly counts: Float64Array;
  /** Sum of every observed value. */
  sum = 0;
  /** Number of observations. */
  count = 0;

  /**
   * @param bounds upper bounds of the buckets, ascending
   * @param labels the series' labels
   */
  constructor(
    readonly bounds: readonly number[],
    readonly labels: Readonly<Record<string, string>>,
  ) {
    this.counts = new Float64Array(bounds.length + 1);
  }

  /** Counts one value (NaN is ignored: it has no bucket and would poison the sum). */
  observe(value: number): void {
    if (Number.isNaN(value)) return;
    const bounds = this.bounds;
    let low = 0;
    let high = bounds.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (value <= bounds[middle]) high = middle;
      else low = middle + 1;
    }
    this.counts[low]++;
    this.sum += value;
    this.count++;
  }
}

/**
 * A Prometheus histogram whose series are {@link HistogramCell}s the caller owns and updates
 * without locking or hashing; rendered by prom-client's registry as any histogram
 * (`_bucket{le}`, `_sum`, `_count`). prom-client's own `Histogram.observe` hashes the label set
 * on every call, which the request path should not pay.
 */
export class BucketHistogram {
  /** prom-client reads the type to render `# TYPE`. */
  readonly type = "histogram";
  /** How prom-client's cluster mode would merge it. */
  readonly aggregator = "sum";
  private readonly cells: HistogramCell[] = [];

  /**
   * @param name metric name
   * @param help help text
   * @param defaultBounds bucket upper bounds of cells created without their own
   * @param registry where it is rendered
   */
  constructor(
    readonly name: string,
    readonly help: string,
    readonly defaultBounds: readonly number[],
    registry: Registry,
  ) {
    checkBounds(name, defaultBounds);
    registry.registerMetric(this as never);
  }

  /**
   * A new series with these labels (and these bucket bounds, when given).
   *
   * @param labels label values
   * @param bounds ascending bucket upper bounds; the metric's defaults when absent
   */
  cell(
    labels: Record<string, string>,
    bounds: readonly number[] = this.defaultBounds,
  ): HistogramCell {
    checkBounds(this.name, bounds);
    const cell = new HistogramCell(bounds, labels);
    this.cells.push(cell);
    return cell;
  }

  /** Forgets a series (e.g. of a model version that was unloaded). */
  remove(cell: HistogramCell): void {
    const index = this.cells.indexOf(cell);
    if (index >= 0) this.cells.splice(index, 1);
  }

  /** The series as prom-client renders them; called at scrape time. */
  async get(): Promise<RenderedHistogram> {
    const values: RenderedSample[] = [];
    for (const cell of this.cells) {
      const bounds = cell.bounds;
      let cumulative = 0;
      for (let i = 0; i < bounds.length; i++) {
        cumulative += cell.counts[i];
        values.push({
          metricName: `${this.name}_bucket`,
          labels: { ...cell.labels, le: bounds[i] },
          value: cumulative,
        });
      }
      values.push({
        metricName: `${this.name}_bucket`,
        labels: { ...cell.labels, le: "+Inf" },
        value: cell.count,
      });
      values.push({ metricName: `${this.name}_sum`, labels: { ...cell.labels }, value: cell.sum });
      values.push({
        metricName: `${this.name}_count`,
        labels: { ...cell.labels },
        value: cell.count,
      });
    }
    return { name: this.name, help: this.help, type: "histogram", values, aggregator: "sum" };
  }
}

function checkBounds(name: string, bounds: readonly number[]): void {
  if (bounds.length === 0) throw new Error(`${name}: a histogram needs at least one bucket bound`);
  for (let i = 0; i < bounds.length; i++) {
    if (!Number.isFinite(bounds[i]) || (i > 0 && bounds[i] <= bounds[i - 1])) {
      throw new Error(
        `${name}: bucket bounds must be finite and strictly increasing, got [${bounds.join(", ")}]`,
      );
    }
  }
}
