import type { InferenceSession } from "onnxruntime-node";
import { datatypeOfOrtType } from "../protocol/datatypes";
import { formatShape, type ModelSignature, type TensorSpec } from "../protocol/tensor-spec";
import type { EffectiveConfig, TensorOverride } from "./model-config";

/** The model file's own spec of one input or output; throws for non-tensors and unknown types. */
export function specOf(kind: string, meta: InferenceSession.ValueMetadata): TensorSpec {
  if (!meta.isTensor)
    throw new Error(`${kind} '${meta.name}' is not a tensor; only tensors are supported`);
  const datatype = datatypeOfOrtType(meta.type);
  if (!datatype)
    throw new Error(`${kind} '${meta.name}' has unsupported element type ${meta.type}`);
  const shape = meta.shape.map((dim) => (typeof dim === "number" && dim >= 0 ? dim : -1));
  return { name: meta.name, datatype, shape };
}

function applyOverride(
  kind: string,
  spec: TensorSpec,
  override: TensorOverride,
  batching: boolean,
): TensorSpec {
  if (override.data_type && override.data_type !== spec.datatype) {
    throw new Error(
      `config ${kind} '${spec.name}': data_type ${override.data_type} does not match the model's ${spec.datatype}`,
    );
  }
  if (!override.dims) return spec;
  const dims = batching ? [-1, ...override.dims] : override.dims;
  const compatible =
    dims.length === spec.shape.length &&
    dims.every((dim, i) => dim < 0 || spec.shape[i] < 0 || dim === spec.shape[i]);
  if (!compatible) {
    throw new Error(
      `config ${kind} '${spec.name}': dims ${formatShape(override.dims)} do not fit the model's ` +
        `shape ${formatShape(spec.shape)}${batching ? " (dims exclude the batch dimension)" : ""}`,
    );
  }
  return { ...spec, shape: dims.map((dim, i) => (dim >= 0 ? dim : spec.shape[i])) };
}

function resolve(
  kind: "input" | "output",
  metadata: readonly InferenceSession.ValueMetadata[],
  overrides: TensorOverride[],
  batching: boolean,
): TensorSpec[] {
  const specs = metadata.map((meta) => specOf(kind, meta));
  for (const override of overrides) {
    if (!specs.some((spec) => spec.name === override.name)) {
      throw new Error(
        `config ${kind} '${override.name}' is not a model ${kind}; the model's ${kind}s are ` +
          specs.map((spec) => `'${spec.name}'`).join(", "),
      );
    }
  }
  return specs.map((spec) => {
    const override = overrides.find((candidate) => candidate.name === spec.name);
    const resolved = override ? applyOverride(kind, spec, override, batching) : spec;
    if (!batching) return resolved;
    if (resolved.shape.length === 0 || resolved.shape[0] >= 0) {
      throw new Error(
        `max_batch_size > 0 needs dimension 0 of every input and output to be dynamic, but ` +
          `${kind} '${spec.name}' has shape ${formatShape(resolved.shape)}; set max_batch_size to 0`,
      );
    }
    return resolved;
  });
}

/**
 * Derives what requests must match from the ONNX model's own inputs and outputs, narrowed by
 * the config's `input`/`output` overrides. Throws when the config contradicts the model.
 *
 * @param name model name
 * @param version model version
 * @param session a session of the model
 * @param config the model configuration
 */
export function buildSignature(
  name: string,
  version: string,
  session: Pick<InferenceSession, "inputMetadata" | "outputMetadata">,
  config: Pick<EffectiveConfig, "max_batch_size" | "input" | "output">,
): ModelSignature {
  const batching = config.max_batch_size > 0;
  return {
    name,
    version,
    inputs: resolve("input", session.inputMetadata, config.input, batching),
    outputs: resolve("output", session.outputMetadata, config.output, batching),
    maxBatchSize: config.max_batch_size,
  };
}
