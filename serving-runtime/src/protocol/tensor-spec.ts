import type { Datatype } from "./datatypes";

/** Name, datatype and shape of a model input or output; -1 marks a dimension of any size. */
export interface TensorSpec {
  /** Tensor name. */
  name: string;
  /** Protocol datatype. */
  datatype: Datatype;
  /** Full shape as reported in metadata, batch dimension included; -1 = any size. */
  shape: number[];
}

/** What a request must match: a model version's inputs, outputs and batching limit. */
export interface ModelSignature {
  /** Model name. */
  name: string;
  /** Version, as a decimal string. */
  version: string;
  /** Inputs the model requires, all of them. */
  inputs: TensorSpec[];
  /** Outputs the model produces. */
  outputs: TensorSpec[];
  /** Largest batch (dimension 0) a request may carry; 0 when the model does not batch. */
  maxBatchSize: number;
}

/** Formats a shape as `[2,3]`. */
export function formatShape(shape: readonly number[]): string {
  return `[${shape.join(",")}]`;
}
