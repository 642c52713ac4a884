import type { TensorSpec } from "../protocol/tensor-spec";

/** Item shapes (without the batch dimension) to tune models on: model → input → dimensions. */
export type TuningShapes = ReadonlyMap<string, ReadonlyMap<string, readonly number[]>>;

const ENTRY = /^([^:;=,]+):(.+)$/;
const INPUT = /^([^=,]+)=(\d+(?:x\d+)*)$/;

/**
 * Parses `--tuning-shapes`: `<model>:<input>=<d1>x<d2>…[,<input>=…][;<model>:…]`, the shape of
 * one item (no batch dimension) clients send to each named input, e.g.
 * `cls:x=3x48x192;ranker:query=1x128,doc=1x128`.
 *
 * @param text the flag's value
 * @throws Error naming the entry that is wrong and the form expected
 */
export function parseTuningShapes(text: string): TuningShapes {
  const shapes = new Map<string, Map<string, number[]>>();
  for (const entry of text.split(";").map((part) => part.trim())) {
    if (entry === "") continue;
    const match = ENTRY.exec(entry);
    if (!match) {
      throw new Error(
        `'${entry}' is not <model>:<input>=<d1>x<d2>… (e.g. cls:x=3x48x192; several models separated by ';')`,
      );
    }
    const model = match[1].trim();
    if (shapes.has(model)) throw new Error(`model '${model}' is given twice`);
    const inputs = new Map<string, number[]>();
    for (const part of match[2].split(",").map((item) => item.trim())) {
      const input = INPUT.exec(part);
      if (!input) {
        throw new Error(
          `'${part}' (model '${model}') is not <input>=<d1>x<d2>…: dimensions are positive integers joined by 'x', e.g. x=3x48x192`,
        );
      }
      const dims = input[2].split("x").map(Number);
      if (dims.some((dim) => dim < 1 || dim > 1 << 20)) {
        throw new Error(`'${part}' (model '${model}'): every dimension must be from 1 to 1048576`);
      }
      inputs.set(input[1].trim(), dims);
    }
    shapes.set(model, inputs);
  }
  if (shapes.size === 0) throw new Error("names no model; e.g. cls:x=3x48x192");
  return shapes;
}

/** The inputs a model is timed with at load, and where their item shapes came from. */
export interface TuningInputs {
  /** The inputs with every dimension after the batch fixed (the batch dimension stays dynamic). */
  specs: TensorSpec[];
  /** Which shapes the decision used and why, for `GET /v2/models/{m}/config`. */
  origin: string;
  /** Whether some input's item shape was generated (dynamic dimensions taken as 1). */
  generated: boolean;
}

const formatDims = (dims: readonly number[]) => dims.join("x") || "scalar";

/**
 * Fixes the dimensions after the batch of every input for the load-time timing: as the model or
 * its config gives them when they are fixed, else from `--tuning-shapes`, else 1 (generated: a
 * model with dynamic dimensions beyond the batch is then timed on shapes no client may send, and
 * the origin says so).
 *
 * @param model model name, for messages
 * @param inputs the model's inputs (dimension 0 is the batch when `batched`)
 * @param batched whether dimension 0 is the batch dimension
 * @param given `--tuning-shapes` for this model, if any
 * @throws Error when a given shape does not fit the input (rank or a fixed dimension)
 */
export function tuningInputs(
  model: string,
  inputs: readonly TensorSpec[],
  batched: boolean,
  given?: ReadonlyMap<string, readonly number[]>,
): TuningInputs {
  for (const name of given?.keys() ?? []) {
    if (!inputs.some((spec) => spec.name === name)) {
      throw new Error(
        `--tuning-shapes names input '${name}' of model '${model}', which has inputs ${inputs.map((spec) => `'${spec.name}'`).join(", ")}`,
      );
    }
  }
  const parts: string[] = [];
  let generated = false;
  const specs = inputs.map((spec): TensorSpec => {
    const head = batched ? spec.shape.slice(0, 1) : [];
    const item = batched ? spec.shape.slice(1) : spec.shape;
    const shape = given?.get(spec.name);
    if (shape) {
      const fits =
        shape.length === item.length && item.every((dim, i) => dim < 0 || dim === shape[i]);
      if (!fits) {
        throw new Error(
          `--tuning-shapes gives input '${spec.name}' of model '${model}' the item shape ${formatDims(shape)}, ` +
            `but the model takes [${item.join(",")}] (-1 = any) per item`,
        );
      }
      parts.push(`${spec.name}: ${formatDims(shape)} from --tuning-shapes`);
      return { ...spec, shape: [...head, ...shape] };
    }
    if (item.every((dim) => dim >= 0)) {
      parts.push(`${spec.name}: ${formatDims(item)} fixed by the model or its config`);
      return spec;
    }
    const ones = item.map((dim) => (dim < 0 ? 1 : dim));
    generated = true;
    parts.push(
      `${spec.name}: ${formatDims(ones)} generated (dynamic dimensions taken as 1; give real ones with config dims or --tuning-shapes)`,
    );
    return { ...spec, shape: [...head, ...ones] };
  });
  return { specs, origin: parts.join("; "), generated };
}

/**
 * A batched model's inputs with every dimension after the batch fixed to the item shapes clients
 * were observed to send (the batch dimension stays dynamic).
 *
 * @param inputs the model's inputs, batch dimension first
 * @param items item dimensions by input, in the same order
 */
export function observedInputs(
  inputs: readonly TensorSpec[],
  items: readonly (readonly number[])[],
): TensorSpec[] {
  return inputs.map((spec, i) => ({ ...spec, shape: [spec.shape[0], ...items[i]] }));
}
