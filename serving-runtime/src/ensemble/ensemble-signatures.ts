import type { Datatype } from "../protocol/datatypes";
import { formatShape, type ModelSignature, type TensorSpec } from "../protocol/tensor-spec";
import { describeStep, type EnsembleStep } from "./ensemble-config";

/** What is known of one ensemble tensor: its datatype and shape, and where they come from. */
export interface EnsembleTensorSpec {
  /** Datatype. */
  datatype: Datatype;
  /** Shape without the batch dimension (Triton's `dims`). */
  dims: readonly number[];
  /** Shape as requests carry it: `[-1, …dims]` when its source batches, else `dims`. */
  shape: readonly number[];
  /** Who declared it, for messages: `ensemble 'e'` or a step. */
  source: string;
}

/** Triton's `CompareDimsWithWildcard`: same rank, each pair equal or one of them -1. */
function fits(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((dim, i) => dim === -1 || b[i] === -1 || dim === b[i]);
}

function specOf(tensor: TensorSpec, batching: boolean, source: string): EnsembleTensorSpec {
  return {
    datatype: tensor.datatype,
    dims: batching ? tensor.shape.slice(1) : tensor.shape,
    shape: tensor.shape,
    source,
  };
}

/**
 * Records what a tensor must be, or checks it against what was recorded first (Triton's rule:
 * datatypes equal; shapes equal where neither is -1, compared without the batch dimension or,
 * for a tensor shared by a batching and a non-batching model, with it).
 */
function connect(
  tensors: Map<string, EnsembleTensorSpec>,
  name: string,
  spec: EnsembleTensorSpec,
  where: string,
): void {
  const known = tensors.get(name);
  if (!known) {
    tensors.set(name, spec);
    return;
  }
  if (known.datatype !== spec.datatype) {
    throw new Error(
      `${where}: inconsistent data type: ${spec.datatype} in ${spec.source} but ${known.datatype} in ${known.source}`,
    );
  }
  if (!fits(known.dims, spec.dims) && !fits(known.shape, spec.shape)) {
    throw new Error(
      `${where}: inconsistent shape: ${formatShape(spec.shape)} in ${spec.source} but ${formatShape(known.shape)} in ${known.source}`,
    );
  }
}

function names(tensors: readonly TensorSpec[]): string {
  return tensors.map((tensor) => `'${tensor.name}'`).join(", ");
}

/** Checks one step's maps against the model that runs it (the step's or its fallback). */
function connectModel(
  tensors: Map<string, EnsembleTensorSpec>,
  step: EnsembleStep,
  model: ModelSignature,
  role: string,
  ensembleMaxBatch: number,
): void {
  const who = `${describeStep(step)}${role}`;
  const batching = model.maxBatchSize > 0;
  if (batching && model.maxBatchSize < ensembleMaxBatch) {
    throw new Error(
      `the ensemble allows max_batch_size ${ensembleMaxBatch}, but ${who} runs model '${model.name}', which allows only ${model.maxBatchSize}`,
    );
  }
  for (const [input, tensor] of Object.entries(step.input_map)) {
    if (!model.inputs.some((spec) => spec.name === input)) {
      throw new Error(
        `${who}: input_map reads ensemble tensor '${tensor}' into '${input}', which is not an input of model '${model.name}'; its inputs are ${names(model.inputs)}`,
      );
    }
  }
  for (const input of model.inputs) {
    const tensor = step.input_map[input.name];
    if (tensor === undefined) {
      throw new Error(
        `${who}: input '${input.name}' of model '${model.name}' is not mapped to any ensemble tensor`,
      );
    }
    const source = `${who} input '${input.name}'`;
    connect(tensors, tensor, specOf(input, batching, source), `ensemble tensor '${tensor}'`);
  }
  for (const [output, tensor] of Object.entries(step.output_map)) {
    const spec = model.outputs.find((candidate) => candidate.name === output);
    if (!spec) {
      throw new Error(
        `${who}: output_map writes ensemble tensor '${tensor}' from '${output}', which is not an output of model '${model.name}'; its outputs are ${names(model.outputs)}`,
      );
    }
    const source = `${who} output '${output}'`;
    connect(tensors, tensor, specOf(spec, batching, source), `ensemble tensor '${tensor}'`);
  }
}

/**
 * Checks every step against the model that runs it, as Triton does at load, and returns what is
 * known of each ensemble tensor. Throws an Error naming the step and the tensor: an input_map or
 * output_map naming a tensor the model does not have, a model input left unmapped, a datatype or
 * shape that does not match between a step and the ensemble or another step, a step model whose
 * max_batch_size is below the ensemble's, or a tensor written by a remote step whose datatype
 * and shape nothing declares.
 *
 * @param ensemble the ensemble's own inputs, outputs and max_batch_size
 * @param steps the validated steps
 * @param modelOf the signature of the model a local step runs (`undefined` for a remote step)
 * @param fallbackOf the signature of a step's fallback model, if it has one
 */
export function connectSignatures(
  ensemble: ModelSignature,
  steps: readonly EnsembleStep[],
  modelOf: (step: EnsembleStep) => ModelSignature | undefined,
  fallbackOf: (step: EnsembleStep) => ModelSignature | undefined,
): Map<string, EnsembleTensorSpec> {
  const tensors = new Map<string, EnsembleTensorSpec>();
  const batching = ensemble.maxBatchSize > 0;
  const own = `ensemble '${ensemble.name}'`;
  for (const input of ensemble.inputs) {
    tensors.set(input.name, specOf(input, batching, `${own} input '${input.name}'`));
  }
  for (const output of ensemble.outputs) {
    const spec = specOf(output, batching, `${own} output '${output.name}'`);
    connect(tensors, output.name, spec, `ensemble output '${output.name}'`);
  }
  for (const step of steps) {
    const model = modelOf(step);
    if (model) connectModel(tensors, step, model, "", ensemble.maxBatchSize);
    const fallback = fallbackOf(step);
    if (fallback) {
      connectModel(
        tensors,
        step,
        fallback,
        ` fallback model '${fallback.name}'`,
        ensemble.maxBatchSize,
      );
    }
  }
  for (const step of steps) {
    for (const tensor of Object.values(step.output_map)) {
      if (!tensors.has(tensor)) {
        throw new Error(
          `ensemble tensor '${tensor}' written by remote ${describeStep(step)} has no declared datatype and shape: map it to an ensemble output or to an input of a local step`,
        );
      }
    }
  }
  return tensors;
}
