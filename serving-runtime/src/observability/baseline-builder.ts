import type { DecodedInput, InferRequest } from "../protocol/infer-request";
import type { ModelSignature, TensorSpec } from "../protocol/tensor-spec";
import {
  BASELINE_FORMAT,
  type BaselineDistribution,
  type BaselineInput,
  type BaselineProfile,
} from "./baseline";
import { binShares, quantileEdges } from "./bins";
import { elementReader, rowsOf, SAMPLES_PER_ROW, samplePositions } from "./element-reader";

/**
 * Most elements a row may have for its input to be profiled feature by feature (rows this short
 * are sampled whole).
 */
export const MAX_FEATURES = SAMPLES_PER_ROW;

/** Default number of quantile bins per distribution. */
export const DEFAULT_BINS = 10;

/** Sample rows needed per bin: fewer make the baseline's shares themselves noise. */
export const ROWS_PER_BIN = 10;

function distributionOf(values: ArrayLike<number>, bins: number): BaselineDistribution {
  const edges = quantileEdges(values, bins);
  const shares = binShares(edges, values);
  let count = 0;
  let sum = 0;
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    if (Number.isNaN(value)) continue;
    count++;
    sum += value;
    if (value < min) min = value;
    if (value > max) max = value;
  }
  if (count === 0 || !Number.isFinite(min) || !Number.isFinite(max)) return { edges, shares };
  const mean = sum / count;
  let squares = 0;
  for (let i = 0; i < values.length; i++) {
    if (!Number.isNaN(values[i])) squares += (values[i] - mean) ** 2;
  }
  return { edges, shares, min, max, mean, std: Math.sqrt(squares / count) };
}

/** What one input of the sample looked like, kept as it is read. */
class InputSample {
  /** Sampled values (or BYTES lengths) of each row; all of a row up to 256 elements. */
  readonly rows: Float64Array[] = [];
  /** Every row length seen. */
  readonly rowLengths = new Set<number>();
  private readonly dims: { min: number; max: number; sum: number }[] = [];
  private tensors = 0;

  constructor(
    readonly spec: TensorSpec,
    private readonly batched: boolean,
  ) {}

  add(tensor: DecodedInput): void {
    this.tensors++;
    tensor.shape.forEach((size, i) => {
      this.dims[i] ??= { min: size, max: size, sum: 0 };
      const dim = this.dims[i];
      dim.min = Math.min(dim.min, size);
      dim.max = Math.max(dim.max, size);
      dim.sum += size;
    });
    const { rows, rowLength } = rowsOf(tensor.shape, this.batched);
    this.rowLengths.add(rowLength);
    const positions = samplePositions(rowLength);
    const read = elementReader(tensor.datatype);
    for (let row = 0; row < rows; row++) {
      const start = row * rowLength;
      const values = new Float64Array(positions.length);
      for (let i = 0; i < positions.length; i++) {
        values[i] = read
          ? read(tensor.data, start + positions[i])
          : (tensor.data as Buffer[])[start + positions[i]].length;
      }
      this.rows.push(values);
    }
  }

  shape(): BaselineInput["shape"] {
    return this.dims.map((dim) => ({ min: dim.min, max: dim.max, mean: dim.sum / this.tensors }));
  }
}

function concatenated(rows: readonly Float64Array[]): Float64Array {
  const all = new Float64Array(rows.reduce((sum, row) => sum + row.length, 0));
  let offset = 0;
  for (const row of rows) {
    all.set(row, offset);
    offset += row.length;
  }
  return all;
}

function profileInput(sample: InputSample, bins: number): BaselineInput {
  const { spec, rows } = sample;
  const base = { name: spec.name, datatype: spec.datatype, shape: sample.shape() };
  if (spec.datatype === "BYTES") {
    return { ...base, kind: "lengths", distributions: [distributionOf(concatenated(rows), bins)] };
  }
  const [rowLength] = sample.rowLengths;
  if (sample.rowLengths.size !== 1 || rowLength === 0 || rowLength > MAX_FEATURES) {
    return { ...base, kind: "values", distributions: [distributionOf(concatenated(rows), bins)] };
  }
  const distributions = Array.from({ length: rowLength }, (_, f) =>
    distributionOf(
      Float64Array.from(rows, (row) => row[f]),
      bins,
    ),
  );
  return { ...base, kind: "features", rowLength, distributions };
}

/**
 * Collects sample requests one at a time, keeping only what the profile needs (at most
 * {@link SAMPLES_PER_ROW} values a row), then builds the baseline: for each input, quantile
 * bins per feature (numeric inputs whose rows all have the same length, at most
 * {@link MAX_FEATURES}), or over sampled element values (other numeric inputs) or element byte
 * lengths (BYTES), and shape statistics.
 */
export class BaselineBuilder {
  private readonly inputs: InputSample[];
  private requests = 0;
  private rowCount = 0;

  /**
   * @param signature the model version the requests are decoded against
   * @param bins bins each distribution aims for (at least 2)
   */
  constructor(
    private readonly signature: ModelSignature,
    private readonly bins: number,
  ) {
    const batched = signature.maxBatchSize > 0;
    this.inputs = signature.inputs.map((spec) => new InputSample(spec, batched));
  }

  /** Rows seen so far. */
  get rows(): number {
    return this.rowCount;
  }

  /** Adds one decoded request (decoded against the same signature). */
  add(request: InferRequest): void {
    this.requests++;
    this.rowCount += request.batchSize;
    for (const sample of this.inputs) {
      const tensor = request.inputs.find((input) => input.name === sample.spec.name);
      if (tensor) sample.add(tensor);
    }
  }

  /**
   * The baseline. Throws when the sample has fewer than {@link ROWS_PER_BIN} rows a bin.
   *
   * @param sourceFile sample file name, recorded in the profile
   * @param created creation time, ISO 8601
   */
  build(sourceFile: string, created: string): BaselineProfile {
    const needed = this.bins * ROWS_PER_BIN;
    if (this.rowCount < needed) {
      throw new Error(
        `${this.rowCount} sample row(s) in ${this.requests} request(s); ${this.bins} bins need at least ${needed} (${ROWS_PER_BIN} a bin): add sample requests or lower --bins`,
      );
    }
    return {
      format: BASELINE_FORMAT,
      model: this.signature.name,
      version: this.signature.version,
      created,
      source: { file: sourceFile, requests: this.requests, rows: this.rowCount },
      bins: this.bins,
      inputs: this.inputs.map((sample) => profileInput(sample, this.bins)),
    };
  }
}
