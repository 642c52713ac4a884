import type { TensorSpec } from "../protocol/tensor-spec";
import type { LoadedVersion } from "../repository/loaded-version";
import { type ModelMetadata, ORIGIN_PREFIX } from "../repository/model-metadata";
import { ENSEMBLE_PLATFORM, type EnsembleSpec } from "./ensemble-config";

/**
 * An ensemble version's metadata as Triton reports it: platform `ensemble`, the ensemble's
 * declared inputs and outputs (-1 for the batch dimension); `parameters` (HTTP only) give its
 * `max_batch_size` and its steps' labels in order.
 *
 * @param target the ensemble version
 * @param spec its steps
 * @param versions every loaded version of the ensemble
 */
export function ensembleMetadata(
  target: LoadedVersion,
  spec: EnsembleSpec,
  versions: string[],
): ModelMetadata {
  const { signature } = target;
  return {
    name: signature.name,
    versions,
    platform: ENSEMBLE_PLATFORM,
    inputs: signature.inputs,
    outputs: signature.outputs,
    parameters: {
      max_batch_size: signature.maxBatchSize,
      steps: spec.steps.map((step) => step.label).join(","),
    },
  };
}

function typeName(tensor: TensorSpec): string {
  return `TYPE_${tensor.datatype === "BYTES" ? "STRING" : tensor.datatype}`;
}

/**
 * An ensemble version's effective configuration in Triton's form: its `ensemble_scheduling` with
 * defaults filled in (`model_version`, and hybridai's `on_failure`), and one
 * `parameters["origin.<field>"]` entry per field saying where its value came from.
 *
 * @param target the ensemble version
 * @param spec its steps
 */
export function servedEnsembleConfig(
  target: LoadedVersion,
  spec: EnsembleSpec,
): Record<string, unknown> {
  const { signature, config, origins } = target;
  const dims = (tensor: TensorSpec) =>
    signature.maxBatchSize > 0 ? tensor.shape.slice(1) : tensor.shape;
  const parameters: Record<string, { string_value: string }> = { ...config.parameters };
  for (const [field, origin] of Object.entries(origins)) {
    parameters[`${ORIGIN_PREFIX}${field}`] = { string_value: origin };
  }
  return {
    ...config,
    name: signature.name,
    platform: ENSEMBLE_PLATFORM,
    parameters,
    input: signature.inputs.map((i) => ({ name: i.name, data_type: typeName(i), dims: dims(i) })),
    output: signature.outputs.map((o) => ({ name: o.name, data_type: typeName(o), dims: dims(o) })),
    ensemble_scheduling: {
      step: spec.steps.map((step) => ({
        model_name: step.model_name,
        model_version: step.model_version,
        input_map: step.input_map,
        output_map: step.output_map,
        on_failure: step.on_failure,
        ...(step.fallback_model ? { fallback_model: step.fallback_model } : {}),
        ...(step.remote ? { remote: step.remote } : {}),
      })),
      max_inflight_requests: spec.max_inflight_requests,
    },
  };
}
