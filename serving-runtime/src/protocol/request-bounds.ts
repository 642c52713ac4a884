import type { Datatype } from "./datatypes";
import { invalidArgument } from "./errors";
import type { ModelSignature } from "./tensor-spec";

/** Parameters one `parameters` block may hold (request, input or output). */
export const MAX_PARAMETERS = 64;

/** Largest value of one dimension: onnxruntime's and Triton's 32-bit limit. */
export const MAX_DIMENSION = 2 ** 31 - 1;

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? "" : "s"}`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function checkParameterCount(parameters: unknown, where: string): void {
  if (!isRecord(parameters)) return;
  let count = 0;
  for (const _key in parameters) {
    if (++count > MAX_PARAMETERS) {
      throw invalidArgument(`${where}parameters holds more than ${MAX_PARAMETERS} parameters`);
    }
  }
}

/**
 * Checks the sizes of a parsed request header against the model before anything walks it
 * element by element (the schema check would otherwise build one issue per bad element): at
 * most as many inputs and outputs as the model has, shapes no longer than the model's highest
 * rank, at most {@link MAX_PARAMETERS} parameters a block. Throws 400 naming the count and the
 * model's.
 *
 * @param value a parsed JSON header, or a transport's request in the same shape
 * @param model the model version the request targets
 */
export function checkHeaderBounds(value: unknown, model: ModelSignature): void {
  if (!isRecord(value)) return;
  const { inputs, outputs } = value;
  checkParameterCount(value.parameters, "");
  if (Array.isArray(inputs)) {
    checkTensorCount(inputs.length, "input", model);
    const rank = Math.max(0, ...model.inputs.map((input) => input.shape.length));
    for (const input of inputs) {
      if (!isRecord(input)) continue;
      const name = typeof input.name === "string" ? input.name : "";
      if (Array.isArray(input.shape) && input.shape.length > rank) {
        throw invalidArgument(
          `input '${name}': shape has ${input.shape.length} dimensions; the model's has ${rank} at most`,
        );
      }
      checkParameterCount(input.parameters, `input '${name}': `);
    }
  }
  if (Array.isArray(outputs)) {
    checkTensorCount(outputs.length, "output", model);
    for (const output of outputs) {
      if (!isRecord(output)) continue;
      const name = typeof output.name === "string" ? output.name : "";
      checkParameterCount(output.parameters, `output '${name}': `);
    }
  }
}

/** Tensor names listed in a count error, at most. */
const NAMES_LISTED = 8;

/**
 * Refuses a request naming more inputs or outputs than the model has, listing the model's
 * (up to {@link NAMES_LISTED} names).
 *
 * @param count the request's inputs (or outputs)
 * @param kind `input` or `output`
 * @param model the model version the request targets
 */
function checkTensorCount(count: number, kind: "input" | "output", model: ModelSignature): void {
  const specs = kind === "input" ? model.inputs : model.outputs;
  if (count <= specs.length) return;
  const names = specs.slice(0, NAMES_LISTED).map((spec) => `'${spec.name}'`);
  if (specs.length > NAMES_LISTED) names.push("…");
  throw invalidArgument(
    `the request has ${plural(count, kind)}; model '${model.name}' has ${specs.length}` +
      (names.length > 0 ? ` (${names.join(", ")})` : ""),
  );
}

/**
 * The number of elements of a shape whose dimensions are each at most {@link MAX_DIMENSION},
 * after checking that the request could carry them: every element takes at least one byte of
 * it, in JSON (a digit), in the binary extension (at least one byte; four for a BYTES length)
 * and in gRPC alike, so a valid request is never refused and a shape calling for more elements
 * than its request has bytes is, before anything is allocated or walked for them. A
 * zero-element shape passes whatever its other dimensions. Throws 400 naming the input.
 *
 * @param name the input's name
 * @param shape its shape as sent, non-negative integers
 * @param datatype its datatype
 * @param carriedBytes the size of the request (body or message) that carries the elements
 */
export function boundedElementCount(
  name: string,
  shape: readonly number[],
  datatype: Datatype,
  carriedBytes: number,
): number {
  let count = 1;
  for (const [i, dim] of shape.entries()) {
    if (dim > MAX_DIMENSION) {
      throw invalidArgument(
        `input '${name}': dimension ${i} is ${dim}; dimensions are at most ${MAX_DIMENSION} (2^31-1)`,
      );
    }
    count *= dim;
  }
  if (shape.includes(0)) return 0;
  if (count > carriedBytes) {
    throw invalidArgument(
      `input '${name}': its shape [${shape.join(",")}] has ${count} ${datatype} elements, more ` +
        `than this request of ${carriedBytes} bytes can carry`,
    );
  }
  return count;
}
