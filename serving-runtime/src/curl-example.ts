import type { TensorSpec } from "./protocol/tensor-spec";

/** Longest inline `curl` command the banner prints; longer requests go through `example`. */
export const INLINE_EXAMPLE_MAX_CHARS = 300;

function sampleValue(datatype: string, index: number): unknown {
  if (datatype === "BOOL") return index % 2 === 0;
  if (datatype === "BYTES") return `text ${index}`;
  if (datatype.startsWith("FP")) return Math.round((index + 1) * 10) / 100;
  return index + 1;
}

/**
 * A small valid JSON inference request body for a model's inputs: each input with dynamic
 * dimensions set to 1 and simple sample values.
 *
 * @param inputs the model's inputs as its metadata lists them (-1 for dynamic dimensions)
 */
export function exampleRequest(inputs: readonly TensorSpec[]): {
  inputs: { name: string; shape: number[]; datatype: string; data: unknown[] }[];
} {
  return {
    inputs: inputs.map((input) => {
      const shape = input.shape.map((dim) => (dim < 0 ? 1 : dim));
      const count = shape.reduce((product, dim) => product * dim, 1);
      return {
        name: input.name,
        shape,
        datatype: input.datatype,
        data: Array.from({ length: count }, (_, i) => sampleValue(input.datatype, i)),
      };
    }),
  };
}

/** A word as a POSIX shell reads it: as it is when it is plain, else single-quoted. */
export function shellWord(text: string): string {
  return /^[\w./:@%+=,-]+$/.test(text) ? text : `'${text.replaceAll("'", "'\\''")}'`;
}

/**
 * A ready-to-paste command that sends a shape-correct JSON inference request to a model: a
 * `curl` with the body inline when that stays within {@link INLINE_EXAMPLE_MAX_CHARS}, else
 * `<command> example MODEL | curl … --data-binary @-`, which builds the body from the running
 * server's metadata (a model with 2,400 input values still gets a one-line command).
 *
 * @param baseUrl the server's base URL
 * @param model the model's name and inputs
 * @param command how to start this CLI, e.g. `hybridai-serve` or `node dist/cli.js`
 */
export function curlExample(
  baseUrl: string,
  model: { name: string; inputs: readonly TensorSpec[] },
  command = "hybridai-serve",
): string {
  const endpoint = shellWord(`${baseUrl}/v2/models/${encodeURIComponent(model.name)}/infer`);
  const post = `curl -s -X POST ${endpoint} -H 'Content-Type: application/json'`;
  const inline = `${post} -d ${shellWord(JSON.stringify(exampleRequest(model.inputs)))}`;
  if (inline.length <= INLINE_EXAMPLE_MAX_CHARS) return inline;
  return `${command} example ${shellWord(model.name)} --url ${shellWord(baseUrl)} | ${post} --data-binary @-`;
}
