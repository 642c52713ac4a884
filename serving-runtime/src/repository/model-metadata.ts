import type { TensorSpec } from "../protocol/tensor-spec";

/** Prefix of the `parameters` entries of a served config that say where each value came from. */
export const ORIGIN_PREFIX = "origin.";

/** A model's metadata as the protocol serves it (`GET /v2/models/{m}`, gRPC `ModelMetadata`). */
export interface ModelMetadata {
  /** Model name. */
  name: string;
  /** Loaded versions, ascending. */
  versions: string[];
  /** `onnxruntime_onnx`, or `ensemble` for an ensemble. */
  platform: string;
  /** Inputs, -1 for dimensions of any size. */
  inputs: TensorSpec[];
  /** Outputs. */
  outputs: TensorSpec[];
  /** Where and how the model runs (HTTP only: gRPC's metadata message has no parameters). */
  parameters: Record<string, string | number>;
}
