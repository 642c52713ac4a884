import { InferenceError, invalidArgument } from "../protocol/errors";

/**
 * The messages with which onnxruntime refuses a run's inputs before executing any node (its
 * input validation, and onnxruntime-node's tensor checks), as opposed to a node failing while
 * the model runs.
 */
const INPUT_REFUSALS = [
  /^Got invalid dimensions for input/,
  /^Invalid rank for input/,
  /^Unexpected input data type/,
  /^Tensor\.(dims|data|type)/,
  /^dims\[\d+\] must be/,
];

/**
 * A failed execution as the client's problem when onnxruntime refused the inputs themselves
 * (400: a circuit breaker does not count it), otherwise the error unchanged (the model failed).
 *
 * @param error what the execution threw
 */
export function classifyExecutionError(error: unknown): unknown {
  if (error instanceof InferenceError || !(error instanceof Error)) return error;
  const message = error.message.trim();
  if (!INPUT_REFUSALS.some((pattern) => pattern.test(message))) return error;
  return invalidArgument(`onnxruntime refused the inputs: ${message.replace(/\s+/g, " ")}`);
}
