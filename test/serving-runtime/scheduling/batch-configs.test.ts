import type { DemoModel } from "@hybridai/serving-runtime/src/modelgen/demo-models";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "../helpers/free-port";
import { TestGrpcClient } from "../helpers/grpc-client";
import { batchedModel, repositoryWith } from "../helpers/models";
import type { Json } from "../helpers/server";
import { type SourceServer, startSourceServer } from "../helpers/source-server";

// Issue 24, finding 0: `max_batch_size: 8` without `dynamic_batching` (the most common
// hand-written Triton config) hung the whole server on a request of batch 2. Every combination
// of max_batch_size, dynamic_batching and request batch must be answered or refused. A request
// that gets no answer within HANG_MS counts as hung: the budget detects a hang on a shared,
// loaded test machine; it is not a speed target (those live in `npm run bench`). The server runs
// in a child process, so a request that spins its event loop fails the test instead of freezing
// the test's own process.
const HANG_MS = 5_000;
const COLS = 4;
const MAX_BATCH_SIZES = [0, 1, 8] as const;
const BATCHING = {
  absent: undefined,
  empty: {},
  preferred: (max: number) => ({ preferred_batch_size: max >= 4 ? [2, 4] : [1] }),
} as const;
type Batching = keyof typeof BATCHING;
const REQUEST_BATCHES = [1, 2, 8, 9] as const;

function modelName(max: number, batching: Batching): string {
  return `mbs${max}_${batching}`;
}

function configOf(max: number, batching: Batching): Record<string, unknown> {
  const block = BATCHING[batching];
  const dynamic = typeof block === "function" ? block(max) : block;
  return { max_batch_size: max, ...(dynamic === undefined ? {} : { dynamic_batching: dynamic }) };
}

/**
 * What each combination must get: 200 with the doubled input; 400 for a batch above
 * max_batch_size; 503 (model not ready) when the config cannot load (dynamic_batching with
 * max_batch_size 0 is refused at load, as Triton refuses it).
 */
function expectedStatus(max: number, batching: Batching, batch: number): number {
  if (max === 0) return batching === "absent" ? 200 : 503;
  return batch <= max ? 200 : 400;
}

const models: DemoModel[] = MAX_BATCH_SIZES.flatMap((max) =>
  (Object.keys(BATCHING) as Batching[]).map((batching) =>
    batchedModel(modelName(max, batching), configOf(max, batching)),
  ),
);

let server: SourceServer;
let client: TestGrpcClient;

beforeAll(async () => {
  server = await startSourceServer([
    "--model-repository",
    await repositoryWith(models),
    "--strict-readiness",
    "false",
    "--grpc-port",
    String(await freePort()),
  ]);
  client = new TestGrpcClient(server.grpcAddress ?? "");
});

afterAll(async () => {
  client?.close();
  await server?.stop();
});

const combinations = MAX_BATCH_SIZES.flatMap((max) =>
  (Object.keys(BATCHING) as Batching[]).flatMap((batching) =>
    REQUEST_BATCHES.map((batch) => ({ max, batching, batch })),
  ),
);

function values(batch: number): number[] {
  return Array.from({ length: batch * COLS }, (_, i) => i + 1);
}

describe("every max_batch_size × dynamic_batching × request batch", () => {
  it("is answered or refused over HTTP, and health answers throughout", async () => {
    for (const { max, batching, batch } of combinations) {
      const label = `${modelName(max, batching)} batch ${batch}`;
      const response = await fetch(`${server.url}/v2/models/${modelName(max, batching)}/infer`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({
          inputs: [{ name: "x", shape: [batch, COLS], datatype: "FP32", data: values(batch) }],
        }),
        signal: AbortSignal.timeout(HANG_MS),
      }).catch((error: Error) => {
        throw new Error(`${label}: no answer within ${HANG_MS} ms (${error.message})`);
      });
      const body = (await response.json()) as Json;
      expect({ label, status: response.status }).toEqual({
        label,
        status: expectedStatus(max, batching, batch),
      });
      if (response.status === 200) {
        expect(body.outputs[0].data).toEqual(values(batch).map((v) => v * 2));
      } else if (response.status === 400) {
        expect(body.error).toMatch(
          new RegExp(
            `batch size ${batch} \\(dimension 0\\) must be from 1 to the model's max_batch_size ${max}`,
          ),
        );
      }
      const live = await fetch(`${server.url}/v2/health/live`, {
        signal: AbortSignal.timeout(HANG_MS),
      });
      expect(live.status).toBe(200);
    }
  });

  it("is answered or refused over gRPC with the same outcome", async () => {
    const grpcStatus: Record<number, number> = { 200: 0, 400: 3, 503: 14 };
    for (const { max, batching, batch } of combinations) {
      const label = `${modelName(max, batching)} batch ${batch}`;
      const result = await client.call(
        "ModelInfer",
        {
          model_name: modelName(max, batching),
          inputs: [
            {
              name: "x",
              datatype: "FP32",
              shape: [batch, COLS],
              contents: { fp32_contents: values(batch) },
            },
          ],
        },
        {},
        { deadline: Date.now() + HANG_MS },
      );
      const code = result.ok ? 0 : result.error.code;
      expect({ label, code }).toEqual({
        label,
        code: grpcStatus[expectedStatus(max, batching, batch)],
      });
      if (result.ok) {
        const doubled = new Float32Array(values(batch).map((v) => v * 2));
        expect(Buffer.from(result.value.raw_output_contents[0])).toEqual(
          Buffer.from(doubled.buffer),
        );
      }
    }
  });
});
