import { InferenceError, invalidArgument } from "../protocol/errors";
import type { DecodedInput, InferRequest } from "../protocol/infer-request";
import { formatShape, type ModelSignature, type TensorSpec } from "../protocol/tensor-spec";
import type { LoadedVersion } from "../repository/loaded-version";
import { blamesModel, failureReason, outcomeOf } from "../scheduling/failure-outcome";
import {
  type ClientLink,
  type InferResult,
  type RequestTiming,
  SchedulingError,
} from "../scheduling/scheduler";
import type { OutputData } from "../scheduling/tensor-batch";
import type { RequestTrace } from "../tracing/request-trace";
import type { StepModels } from "./step-models";

/** One call of a step: the tensors it gets and what it must give back. */
export interface StepCall {
  /** Who is called, for messages: `ensemble 'e' step 1 (model 'cls')`. */
  who: string;
  /** Inputs by the called model's input names. */
  inputs: ReadonlyMap<string, OutputData>;
  /** The called model's outputs the ensemble needs. */
  outputs: readonly string[];
  /** The ensemble request (its id and timeout are passed on). */
  request: InferRequest;
  /** Gone once the client left or the ensemble request failed: a queued call leaves its queue. */
  link: ClientLink;
  /** Receives the phases of the call's execution. */
  onExecuted(timing: RequestTiming): void;
  /** The ensemble request's trace (tracing on): the step's queue, batch and call become its spans. */
  trace?: RequestTrace;
}

/** Checks one tensor against the input it feeds, as a request's input is checked. */
function checkInput(
  call: StepCall,
  spec: TensorSpec,
  value: OutputData | undefined,
  model: ModelSignature,
): DecodedInput {
  if (!value) {
    throw new InferenceError(
      "INTERNAL",
      `${call.who}: model '${model.name}' has input '${spec.name}', which the step does not map; reload the ensemble`,
    );
  }
  if (value.datatype !== spec.datatype) {
    throw invalidArgument(
      `${call.who}: input '${spec.name}' gets ${value.datatype}, but model '${model.name}' takes ${spec.datatype}`,
    );
  }
  const shape = [...value.shape];
  const fits =
    shape.length === spec.shape.length && spec.shape.every((dim, i) => dim < 0 || dim === shape[i]);
  if (!fits) {
    throw invalidArgument(
      `${call.who}: input '${spec.name}' gets shape ${formatShape(shape)}, which does not match model '${model.name}''s ${formatShape(spec.shape)} (-1 = any size)`,
    );
  }
  if (model.maxBatchSize > 0 && (shape[0] < 1 || shape[0] > model.maxBatchSize)) {
    throw invalidArgument(
      `${call.who}: input '${spec.name}' has batch size ${shape[0]}, but model '${model.name}' takes 1 to ${model.maxBatchSize}`,
    );
  }
  return { name: spec.name, datatype: spec.datatype, shape, data: value.data };
}

function stepRequest(call: StepCall, model: ModelSignature): InferRequest {
  const inputs = model.inputs.map((spec) =>
    checkInput(call, spec, call.inputs.get(spec.name), model),
  );
  for (const output of call.outputs) {
    if (!model.outputs.some((spec) => spec.name === output)) {
      throw new InferenceError(
        "INTERNAL",
        `${call.who}: model '${model.name}' no longer has output '${output}'; reload the ensemble`,
      );
    }
  }
  return {
    id: call.request.id,
    inputs,
    outputs: call.outputs.map((name) => ({ name, binary: false })),
    batchSize: model.maxBatchSize > 0 && inputs.length > 0 ? inputs[0].shape[0] : 1,
    timeoutMicroseconds: call.request.timeoutMicroseconds,
    forwarded: call.request.forwarded,
  };
}

/** The same error under a message naming the step. */
function named(call: StepCall, error: unknown): Error {
  const message = `${call.who}: ${(error as Error).message}`;
  if (error instanceof SchedulingError)
    return new SchedulingError(error.kind, message, error.failure);
  if (error instanceof InferenceError) return new InferenceError(error.kind, message);
  return new InferenceError("INTERNAL", message);
}

/**
 * Runs a step on a model of this server through the model's own breaker, scheduler and batcher,
 * as a request for that model would: its breaker may refuse the call, its queue bounds it, its
 * batcher may merge it with other requests, and its metrics, statistics and drift monitor count
 * it. The tensors are handed over as they are, without encoding. Throws the model's error under
 * a message naming the step.
 *
 * @param repository the models
 * @param model the model's name
 * @param version its version; -1 = the highest loaded version
 * @param call the step's inputs, outputs and request
 */
export async function runLocalStep(
  repository: StepModels,
  model: string,
  version: number,
  call: StepCall,
): Promise<InferResult> {
  let target: LoadedVersion;
  let request: InferRequest;
  try {
    target = repository.resolve(model, version < 0 ? undefined : String(version));
    request = stepRequest(call, target.signature);
  } catch (error) {
    throw named(call, error);
  }
  const started = performance.now();
  const elapsedUs = () => (performance.now() - started) * 1000;
  const permit = target.breaker?.tryAcquire();
  if (target.breaker && !permit) {
    target.metrics.failure("REJECTED", elapsedUs());
    throw new SchedulingError(
      "UNAVAILABLE",
      `${call.who}: the circuit breaker of model '${model}' is open after repeated failures or slow responses`,
      "overload",
    );
  }
  target.observer?.inputs(request.inputs);
  try {
    const result = await target.scheduler.submit(request, call.link, {
      onExecuted: call.onExecuted,
      trace: call.trace,
    });
    permit?.success();
    target.metrics.success(elapsedUs());
    target.observer?.results(result);
    return result;
  } catch (error) {
    const outcome = outcomeOf(error);
    if (blamesModel(error, outcome)) permit?.failure();
    else permit?.release();
    target.metrics.failure(failureReason(error), elapsedUs());
    throw named(call, error);
  }
}
