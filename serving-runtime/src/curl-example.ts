import type { ModelSignature } from "./protocol/tensor-spec";

function sampleValue(datatype: string, index: number): unknown {
  if (datatype === "BOOL") return index % 2 === 0;
  if (datatype === "BYTES") return `text ${index}`;
  if (datatype.startsWith("FP")) return Math.round((index + 1) * 10) / 100;
  return index + 1;
}

/**
 * A ready-to-paste `curl` command that sends a small valid JSON inference request to a model:
 * each input with dynamic dimensions set to 1 and simple sample values.
 *
 * @param baseUrl the server's base URL
 * @param model the model's signature
 */
export function curlExample(baseUrl: string, model: ModelSignature): string {
  const inputs = model.inputs.map((input) => {
    const shape = input.shape.map((dim) => (dim < 0 ? 1 : dim));
    const count = shape.reduce((product, dim) => product * dim, 1);
    return {
      name: input.name,
      shape,
      datatype: input.datatype,
      data: Array.from({ length: count }, (_, i) => sampleValue(input.datatype, i)),
    };
  });
  const body = JSON.stringify({ inputs }).replaceAll("'", "'\\''");
  return (
    `curl -s -X POST ${baseUrl}/v2/models/${model.name}/infer ` +
    `-H 'Content-Type: application/json' -d '${body}'`
  );
}
