import { ensembleMetadata, servedEnsembleConfig } from "../ensemble/ensemble-views";
import type { LoadedVersion } from "./loaded-version";
import type { EffectiveConfig } from "./model-config";
import { type ModelMetadata, ORIGIN_PREFIX } from "./model-metadata";

/**
 * The metadata of a loaded model version.
 *
 * @param target the version addressed
 * @param versions every loaded version of the model
 */
export function modelMetadata(target: LoadedVersion, versions: string[]): ModelMetadata {
  if (target.ensemble) return ensembleMetadata(target, target.ensemble.spec, versions);
  const { signature } = target;
  const parameters: Record<string, string | number> = {
    execution_provider: target.executionProvider,
    execution_placement: target.placement(),
    instance_count: target.instanceCount(),
    intra_op_thread_count: target.intraOpThreads,
    max_batch_size: target.config.max_batch_size,
  };
  if (target.executionProviderFallbackReason) {
    parameters.execution_provider_fallback_reason = target.executionProviderFallbackReason;
  }
  return {
    name: signature.name,
    versions,
    platform: "onnxruntime_onnx",
    inputs: signature.inputs,
    outputs: signature.outputs,
    parameters,
  };
}

/**
 * The `instance_group` a version runs with now: as configured, or, when the server chose it (no
 * `instance_group` in the config), with the count of instances in use, which follows the
 * placement (one on the event loop, the default worker instances in threads) as the metadata's
 * `instance_count` does.
 */
function instanceGroupInUse(target: LoadedVersion): EffectiveConfig["instance_group"] {
  const { config, origins } = target;
  if (origins.instance_group === "config") return config.instance_group;
  return config.instance_group.map((group) => ({ ...group, count: target.instanceCount() }));
}

/**
 * The effective configuration of a loaded model version in Triton's form (`ModelConfig`),
 * auto-completed values included, with one `parameters["origin.<field>"]` entry per field saying
 * where its value came from (so it stays a valid Triton `ModelConfig`).
 */
export function servedModelConfig(target: LoadedVersion): Record<string, unknown> {
  if (target.ensemble) return servedEnsembleConfig(target, target.ensemble.spec);
  const { signature, config, origins } = target;
  const dims = (shape: number[]) => (signature.maxBatchSize > 0 ? shape.slice(1) : shape);
  const parameters: Record<string, { string_value: string }> = {
    ...config.parameters,
    execution_placement: { string_value: target.placement() },
  };
  for (const [field, origin] of Object.entries(origins)) {
    parameters[`${ORIGIN_PREFIX}${field}`] = { string_value: origin };
  }
  return {
    ...config,
    instance_group: instanceGroupInUse(target),
    parameters,
    name: signature.name,
    platform: "onnxruntime_onnx",
    backend: "onnxruntime",
    input: signature.inputs.map((i) => ({
      name: i.name,
      data_type: `TYPE_${i.datatype === "BYTES" ? "STRING" : i.datatype}`,
      dims: dims(i.shape),
    })),
    output: signature.outputs.map((o) => ({
      name: o.name,
      data_type: `TYPE_${o.datatype === "BYTES" ? "STRING" : o.datatype}`,
      dims: dims(o.shape),
    })),
  };
}
