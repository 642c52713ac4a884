import type { ChildServer } from "./child-server";
import { decodeFirstOutput, type InferPayload } from "./payloads";

/**
 * Throws unless `values` equal `reference` within 1e-3 (absolute plus relative): a benchmark
 * measures only servers that answer correctly.
 */
export function checkValues(label: string, values: number[], reference: number[]): void {
  const wrong = reference.findIndex(
    (expected, i) => !(Math.abs(values[i] - expected) <= 1e-3 + 1e-3 * Math.abs(expected)),
  );
  if (values.length !== reference.length || wrong >= 0) {
    throw new Error(
      `${label} gave a wrong answer: got ${values.length} values ` +
        `[${values.slice(0, 4).join(", ")}…], expected ${reference.length} [${reference.slice(0, 4).join(", ")}…]`,
    );
  }
}

/** Sends one request of `payload` to `server` and checks its first output against `reference`. */
export async function verifyAnswer(
  server: ChildServer,
  payload: InferPayload,
  reference: number[],
): Promise<void> {
  const response = await fetch(server.url + payload.path, {
    method: "POST",
    headers: payload.headers,
    body: payload.body,
    signal: AbortSignal.timeout(10_000),
  });
  const body = Buffer.from(await response.arrayBuffer());
  if (response.status !== 200) {
    throw new Error(
      `${server.label} answered ${response.status} to ${payload.path}: ${body.toString("utf8").slice(0, 300)}`,
    );
  }
  checkValues(
    `${server.label} on ${payload.path}`,
    decodeFirstOutput(response.headers, body).values,
    reference,
  );
}
