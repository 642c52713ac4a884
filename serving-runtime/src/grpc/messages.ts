/*
 * The messages of `grpc_service.proto` as @grpc/proto-loader hands them over with
 * {@link LOADER_OPTIONS}: snake_case fields, 64-bit integers as decimal strings, absent scalars
 * undefined, absent repeated and map fields empty. Only the fields the server reads or writes.
 */

/** An inference parameter: one of its fields is set (named by `parameter_choice`). */
export interface InferParameter {
  /** A boolean value. */
  bool_param?: boolean;
  /** A 64-bit signed integer, as a decimal string. */
  int64_param?: string;
  /** A string. */
  string_param?: string;
  /** A double. */
  double_param?: number;
  /** A 64-bit unsigned integer, as a decimal string. */
  uint64_param?: string;
  /** Which field is set. */
  parameter_choice?: string;
}

/** An inference parameter as the server writes it (numbers as they are). */
export interface InferParameterOut {
  /** A boolean value. */
  bool_param?: boolean;
  /** An integer. */
  int64_param?: number;
  /** A string. */
  string_param?: string;
  /** A non-integer number. */
  double_param?: number;
}

/** Typed tensor elements, flattened row-major, in the field matching the datatype. */
export interface InferTensorContents {
  /** BOOL. */
  bool_contents: boolean[];
  /** INT8, INT16, INT32. */
  int_contents: number[];
  /** INT64, as decimal strings. */
  int64_contents: string[];
  /** UINT8, UINT16, UINT32. */
  uint_contents: number[];
  /** UINT64, as decimal strings. */
  uint64_contents: string[];
  /** FP32. */
  fp32_contents: number[];
  /** FP64. */
  fp64_contents: number[];
  /** BYTES. */
  bytes_contents: Buffer[];
}

/** One input tensor of a `ModelInferRequest`. */
export interface InferInputTensor {
  /** Input name. */
  name?: string;
  /** Datatype (`FP32` …). */
  datatype?: string;
  /** Shape, as decimal strings. */
  shape: string[];
  /** Input parameters. */
  parameters: Record<string, InferParameter>;
  /** Typed elements; absent when the request carries raw contents. */
  contents?: InferTensorContents;
}

/** One requested output of a `ModelInferRequest`. */
export interface InferRequestedOutputTensor {
  /** Output name. */
  name?: string;
  /** Output parameters. */
  parameters: Record<string, InferParameter>;
}

/** `inference.ModelInferRequest`. */
export interface ModelInferRequest {
  /** Model name. */
  model_name?: string;
  /** Version; empty for the highest loaded one. */
  model_version?: string;
  /** Request id, echoed in the response. */
  id?: string;
  /** Request parameters (`timeout` …). */
  parameters: Record<string, InferParameter>;
  /** Inputs. */
  inputs: InferInputTensor[];
  /** Requested outputs; empty for all. */
  outputs: InferRequestedOutputTensor[];
  /** One raw buffer per input, in the order of `inputs`, or none. */
  raw_input_contents: Buffer[];
}

/** `inference.ModelInferResponse` as the server writes it. */
export interface ModelInferResponse {
  /** Model name. */
  model_name: string;
  /** Model version. */
  model_version: string;
  /** The request's id. */
  id: string;
  /** Response parameters (`fallback_model` …). */
  parameters: Record<string, InferParameterOut>;
  /** Outputs, without contents: their elements are in `raw_output_contents`. */
  outputs: { name: string; datatype: string; shape: number[] }[];
  /** One raw buffer per output, in the order of `outputs`. */
  raw_output_contents: Buffer[];
}

/** A request naming a model and optionally a version (`ModelReady`, `ModelMetadata` …). */
export interface ModelRequest {
  /** Model name. */
  name?: string;
  /** Version; empty for the server's choice. */
  version?: string;
}

/** `inference.RepositoryIndexRequest`. */
export interface RepositoryIndexRequest {
  /** Ignored: the server has one repository. */
  repository_name?: string;
  /** List only ready models. */
  ready?: boolean;
}

/** A repository parameter: one of its fields is set. */
export interface ModelRepositoryParameter {
  /** A boolean. */
  bool_param?: boolean;
  /** A 64-bit integer, as a decimal string. */
  int64_param?: string;
  /** A string. */
  string_param?: string;
  /** Bytes. */
  bytes_param?: Buffer;
  /** Which field is set. */
  parameter_choice?: string;
}

/** `inference.RepositoryModelLoadRequest` and `RepositoryModelUnloadRequest`. */
export interface RepositoryModelRequest {
  /** Ignored: the server has one repository. */
  repository_name?: string;
  /** Model name. */
  model_name?: string;
  /** Parameters; `config` (string_param) replaces the model's configuration on load. */
  parameters: Record<string, ModelRepositoryParameter>;
}

/** `TraceSettingRequest` (extension trace): settings to change, for one model or globally. */
export interface TraceSettingRequest {
  /** Settings by name; a setting with no values is cleared. */
  settings?: Record<string, { value?: string[] }>;
  /** The model; empty for the global settings. */
  model_name?: string;
}
