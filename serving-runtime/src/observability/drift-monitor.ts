import type { DecodedInput } from "../protocol/infer-request";
import type { ModelSignature } from "../protocol/tensor-spec";
import type { BaselineInput, BaselineProfile } from "./baseline";
import { BinWindow } from "./bin-window";
import { binCount, binOf, populationStabilityIndex } from "./bins";
import {
  type ElementReader,
  elementReader,
  rowsOf,
  SAMPLES_PER_ROW,
  samplePositions,
} from "./element-reader";

/** Default number of rows the drift window holds (`--drift-window`). */
export const DEFAULT_DRIFT_WINDOW = 1000;

/** One input's drift right now. */
export interface InputDrift {
  /** Input name. */
  input: string;
  /**
   * Population stability index of the window against the baseline: for a `features` input the
   * largest over its features, else that of its one distribution; undefined until the window
   * is full.
   */
  psi?: number;
  /** Rows (features) or sampled values (values, lengths) in the window. */
  observations: number;
}

/** The rolling statistics of one input. */
class InputWindow {
  private readonly windows: BinWindow[];
  private readonly edges: number[][];
  private readonly shares: number[][];
  private readonly read?: ElementReader;
  private positions?: { rowLength: number; positions: Uint32Array };

  constructor(
    private readonly baseline: BaselineInput,
    private readonly index: number,
    rows: number,
  ) {
    const capacity = baseline.kind === "features" ? rows : rows * SAMPLES_PER_ROW;
    this.edges = baseline.distributions.map((d) => d.edges);
    this.shares = baseline.distributions.map((d) => d.shares);
    this.windows = this.edges.map((edges) => new BinWindow(binCount(edges), capacity));
    this.read = elementReader(baseline.datatype as DecodedInput["datatype"]);
  }

  get name(): string {
    return this.baseline.name;
  }

  observe(inputs: readonly DecodedInput[], batched: boolean): void {
    const tensor = inputs[this.index];
    if (!tensor || tensor.name !== this.baseline.name) return;
    const { rows, rowLength } = rowsOf(tensor.shape, batched);
    const data = tensor.data;
    const read = this.read;
    if (this.baseline.kind === "features") {
      if (rowLength !== this.baseline.rowLength || !read) return;
      const windows = this.windows;
      const edges = this.edges;
      for (let row = 0, offset = 0; row < rows; row++) {
        for (let f = 0; f < rowLength; f++, offset++) {
          windows[f].push(binOf(edges[f], read(data, offset)));
        }
      }
      return;
    }
    if (this.positions?.rowLength !== rowLength) {
      this.positions = { rowLength, positions: samplePositions(rowLength) };
    }
    const positions = this.positions.positions;
    const window = this.windows[0];
    const edges = this.edges[0];
    for (let row = 0; row < rows; row++) {
      const start = row * rowLength;
      for (let i = 0; i < positions.length; i++) {
        const value = read
          ? read(data, start + positions[i])
          : (data as Buffer[])[start + positions[i]].length;
        window.push(binOf(edges, value));
      }
    }
  }

  drift(): InputDrift {
    const observations = this.windows[0].filled;
    if (!this.windows[0].full) return { input: this.name, observations };
    let worst = 0;
    for (let i = 0; i < this.windows.length; i++) {
      const window = this.windows[i];
      worst = Math.max(
        worst,
        populationStabilityIndex(this.shares[i], window.counts, window.filled),
      );
    }
    return { input: this.name, psi: worst, observations };
  }
}

/**
 * The drift of a model version's inputs against its baseline: rolling per-feature bin counts
 * over the last `windowRows` rows (sampled values for inputs profiled as `values` or `lengths`),
 * compared with the baseline's shares by the population stability index when asked (at
 * scrape time). Observing a request only finds each value's bin and moves two counters.
 */
export class DriftMonitor {
  private readonly inputs: InputWindow[];
  private readonly batched: boolean;

  /**
   * Checks the baseline against the model version it is to watch. Throws naming the input when
   * the baseline describes an input the version does not have, or with another datatype.
   *
   * @param baseline the version's baseline
   * @param signature the version's signature
   * @param windowRows rows the window holds
   */
  constructor(baseline: BaselineProfile, signature: ModelSignature, windowRows: number) {
    this.batched = signature.maxBatchSize > 0;
    this.inputs = baseline.inputs.map((input) => {
      const index = signature.inputs.findIndex((spec) => spec.name === input.name);
      const spec = signature.inputs[index];
      if (!spec || spec.datatype !== input.datatype) {
        throw new Error(
          `baseline input '${input.name}' (${input.datatype}) is not an input of model '${signature.name}' version ${signature.version} ` +
            `(its inputs: ${signature.inputs.map((i) => `${i.name} ${i.datatype}`).join(", ")}); regenerate the baseline with hybridai-serve profile`,
        );
      }
      return new InputWindow(input, index, windowRows);
    });
  }

  /** Adds a decoded request's rows to the windows (inputs in the model's order, as decoded). */
  observe(inputs: readonly DecodedInput[]): void {
    for (const window of this.inputs) window.observe(inputs, this.batched);
  }

  /** Each input's drift now. */
  drift(): InputDrift[] {
    return this.inputs.map((window) => window.drift());
  }
}
