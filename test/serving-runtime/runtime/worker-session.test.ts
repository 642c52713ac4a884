import { describe, expect, it } from "vitest";
import { buildOnnxModel } from "../../../serving-runtime/src/modelgen/onnx-graph";
import { WorkerSession } from "../../../serving-runtime/src/runtime/worker-session";

const SIZE = 1024;
const LAYERS = 12;

/** A model slow enough (a chain of 1024×1024 matrix products) to watch the event loop meanwhile. */
function slowModel(): Uint8Array {
  const weights = new Float32Array(SIZE * SIZE).fill(1 / SIZE);
  return buildOnnxModel({
    name: "slow",
    inputs: [{ name: "x", datatype: "FP32", shape: [SIZE, SIZE] }],
    outputs: [{ name: `h${LAYERS}`, datatype: "FP32", shape: [SIZE, SIZE] }],
    initializers: [{ name: "w", dims: [SIZE, SIZE], values: weights }],
    nodes: Array.from({ length: LAYERS }, (_, i) => ({
      op: "MatMul",
      inputs: [i === 0 ? "x" : `h${i}`, "w"],
      outputs: [`h${i + 1}`],
    })),
  });
}

describe("WorkerSession", () => {
  it("runs inference off the event loop: the loop keeps turning while the model computes", async () => {
    const session = await WorkerSession.create(slowModel(), { intraOpNumThreads: 1 });
    // Counts event-loop turns until the run settles: a run that blocked the loop would leave
    // none (its promise settles before the first turn), however long it took.
    let ticks = 0;
    let running = true;
    const turn = () => {
      if (!running) return;
      ticks++;
      setImmediate(turn);
    };
    setImmediate(turn);
    const { outputs } = await session
      .run(
        { x: { type: "float32", dims: [SIZE, SIZE], data: new Float32Array(SIZE * SIZE).fill(1) } },
        [`h${LAYERS}`],
      )
      .finally(() => {
        running = false;
      });
    await session.release();
    const result = outputs[`h${LAYERS}`];
    expect(result.dims).toEqual([SIZE, SIZE]);
    expect((result.data as Float32Array)[0]).toBeCloseTo(1, 4);
    expect(ticks).toBeGreaterThan(10);
  });

  it("reports the model's metadata and onnxruntime's own error for a bad request", async () => {
    const session = await WorkerSession.create(slowModel(), {});
    expect(session.inputMetadata.map((m) => m.name)).toEqual(["x"]);
    await expect(
      session.run({ x: { type: "float32", dims: [2, 2], data: new Float32Array(4) } }, [
        `h${LAYERS}`,
      ]),
    ).rejects.toThrow(/Got invalid dimensions for input: x/);
    await session.release();
    await expect(
      session.run({ x: { type: "float32", dims: [1], data: new Float32Array(1) } }, ["h1"]),
    ).rejects.toThrow(/released/);
  });

  it("rejects a model onnxruntime cannot load, with its reason", async () => {
    await expect(WorkerSession.create(new Uint8Array([1, 2, 3]), {})).rejects.toThrow(
      /protobuf|parse|model/i,
    );
  });
});
