import { buildOnnxModel } from "@hybridai/serving-runtime/src/modelgen/onnx-graph";
import { InferenceError } from "@hybridai/serving-runtime/src/protocol/errors";
import type { DecodedInput } from "@hybridai/serving-runtime/src/protocol/infer-request";
import {
  type CreatedExecutors,
  createInlineExecutor,
  createWorkerExecutors,
  type SessionPlan,
} from "@hybridai/serving-runtime/src/runtime/sessions";
import * as ort from "onnxruntime-node";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fixedModel } from "../helpers/models";

// Issue 24, finding 3: inputs onnxruntime refuses before running any node are the client's
// problem (400, not counted by a circuit breaker). Both executors classify alike, on real
// sessions. A node failing while the model runs stays the model's own failure: that case makes
// onnxruntime log natively, so it runs in a server process (onnxruntime-stderr.test.ts, whose
// breaker opens on such failures).

const THREADS = { intraOpThreads: 1, interOpThreads: 1, allowSpinning: false };
const PLAN: SessionPlan = {
  executionProviders: ["cpu"],
  count: 1,
  worker: THREADS,
  inline: THREADS,
};
const logger = pino({ level: "silent" });
const created: CreatedExecutors[] = [];

beforeAll(() => {
  ort.env.logLevel = "fatal";
});

afterAll(async () => {
  for (const { executors } of created) {
    await Promise.allSettled(executors.map((executor) => executor.release()));
  }
});

const x = (shape: number[]): DecodedInput[] => [
  { name: "x", datatype: "FP32", shape, data: new Float32Array(shape.reduce((a, b) => a * b, 1)) },
];

async function failure(run: () => Promise<unknown>): Promise<unknown> {
  try {
    await run();
  } catch (error) {
    return error;
  }
  throw new Error("the execution succeeded");
}

for (const [where, create] of [
  ["on the event loop", createInlineExecutor],
  ["in a worker thread", createWorkerExecutors],
] as const) {
  describe(`an executor ${where}`, () => {
    it("answers inputs onnxruntime refuses as INVALID_ARGUMENT, naming onnxruntime's reason", async () => {
      const executors = await create(buildOnnxModel(fixedModel().graph), PLAN, logger);
      created.push(executors);
      const error = await failure(() => executors.executors[0].execute(x([2, 4]), ["y"]));
      expect(error).toBeInstanceOf(InferenceError);
      expect((error as InferenceError).kind).toBe("INVALID_ARGUMENT");
      expect((error as InferenceError).message).toMatch(
        /^onnxruntime refused the inputs: Got invalid dimensions for input: x/,
      );
    });
  });
}
