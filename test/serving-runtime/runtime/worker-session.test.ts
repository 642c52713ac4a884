import { buildOnnxModel } from "@hybridai/serving-runtime/src/modelgen/onnx-graph";
import { WorkerSession } from "@hybridai/serving-runtime/src/runtime/worker-session";
import { describe, expect, it } from "vitest";
import { identityModel } from "../helpers/models";

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
    const session = await WorkerSession.create(slowModel(), { intraOpNumThreads: 1 });
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

  it("transfers an input owning its whole buffer, copies a view into a larger or shared one", async () => {
    const session = await WorkerSession.create(buildOnnxModel(identityModel("FP32").graph), {
      intraOpNumThreads: 1,
    });
    const whole = new Float32Array([1, 2, 3]);
    const first = await session.run({ x: { type: "float32", dims: [1, 3], data: whole } }, ["y"]);
    expect([...(first.outputs.y.data as Float32Array)]).toEqual([1, 2, 3]);
    // Transferred: the caller's buffer is detached, as the run's contract says.
    expect(whole.buffer.byteLength).toBe(0);

    const body = new Float32Array([9, 4, 5, 6, 9]);
    const view = body.subarray(1, 4);
    const second = await session.run({ x: { type: "float32", dims: [1, 3], data: view } }, ["y"]);
    expect([...(second.outputs.y.data as Float32Array)]).toEqual([4, 5, 6]);
    expect([...body]).toEqual([9, 4, 5, 6, 9]);

    const head = new Float32Array([7, 8, 9, 0]).subarray(0, 3);
    const third = await session.run({ x: { type: "float32", dims: [1, 3], data: head } }, ["y"]);
    expect([...(third.outputs.y.data as Float32Array)]).toEqual([7, 8, 9]);
    expect(head.buffer.byteLength).toBe(16);

    const shared = new Float32Array(new SharedArrayBuffer(12));
    shared.set([3, 2, 1]);
    const fourth = await session.run({ x: { type: "float32", dims: [1, 3], data: shared } }, ["y"]);
    expect([...(fourth.outputs.y.data as Float32Array)]).toEqual([3, 2, 1]);
    expect([...shared]).toEqual([3, 2, 1]);
    await session.release();
  });

  it("assembles batches in reusable buffers that come back from the thread after each run", async () => {
    const session = await WorkerSession.create(buildOnnxModel(identityModel("FP32").graph), {
      intraOpNumThreads: 1,
    });
    const batch = session.inputArray(Float32Array, 6);
    batch.set([1, 2, 3, 4, 5, 6]);
    const sent = batch.buffer;
    const run = await session.run({ x: { type: "float32", dims: [2, 3], data: batch } }, ["y"]);
    expect([...(run.outputs.y.data as Float32Array)]).toEqual([1, 2, 3, 4, 5, 6]);
    expect(sent.byteLength).toBe(0);
    expect(session.pool.size).toBe(1);
    // The next batch takes the buffer that came back instead of allocating one.
    const next = session.inputArray(Float32Array, 3);
    expect(session.pool.size).toBe(0);
    expect(next.buffer.byteLength).toBe(4096);

    // A view into a request body is copied into a pooled buffer: the body stays as it was.
    const body = new Float32Array([9, 4, 5, 6, 9]);
    const copied = await session.run(
      { x: { type: "float32", dims: [1, 3], data: body.subarray(1, 4) } },
      ["y"],
    );
    expect([...(copied.outputs.y.data as Float32Array)]).toEqual([4, 5, 6]);
    expect([...body]).toEqual([9, 4, 5, 6, 9]);
    expect(session.pool.size).toBe(1);

    // A failed run gives its buffers back too.
    await expect(
      session.run(
        { x: { type: "float32", dims: [2, 2], data: session.inputArray(Float32Array, 4) } },
        ["y"],
      ),
    ).rejects.toThrow(/invalid dimensions/i);
    expect(session.pool.size).toBe(1);
    await session.release();
  });

  it("gives concurrent runs buffers of their own, and a larger batch a larger buffer", async () => {
    const session = await WorkerSession.create(buildOnnxModel(identityModel("FP32").graph), {
      intraOpNumThreads: 1,
    });
    const rows = (count: number, start: number) => {
      const data = session.inputArray(Float32Array, count * 3);
      data.forEach((_, i) => {
        data[i] = start + i;
      });
      return data;
    };
    const small = rows(1, 0);
    const large = rows(2000, 100);
    expect(large.buffer.byteLength).toBe(32_768);
    const runs = await Promise.all([
      session.run({ x: { type: "float32", dims: [1, 3], data: small } }, ["y"]),
      session.run({ x: { type: "float32", dims: [2000, 3], data: large } }, ["y"]),
      session.run({ x: { type: "float32", dims: [2, 3], data: rows(2, 50) } }, ["y"]),
    ]);
    expect([...(runs[0].outputs.y.data as Float32Array)]).toEqual([0, 1, 2]);
    const second = runs[1].outputs.y.data as Float32Array;
    expect([second[0], second[5999]]).toEqual([100, 6099]);
    expect([...(runs[2].outputs.y.data as Float32Array)]).toEqual([50, 51, 52, 53, 54, 55]);
    expect(session.pool.size).toBe(3);
    // The largest batch yet takes the large buffer back; one larger still gets a new one.
    expect(session.inputArray(Float32Array, 6000).buffer.byteLength).toBe(32_768);
    expect(session.inputArray(Float32Array, 9000).buffer.byteLength).toBe(65_536);
    expect(session.pool.size).toBe(2);
    await session.release();
  });

  it("passes string tensors, which have no buffer to transfer", async () => {
    const session = await WorkerSession.create(buildOnnxModel(identityModel("BYTES").graph), {
      intraOpNumThreads: 1,
    });
    const run = await session.run({ x: { type: "string", dims: [1, 3], data: ["a", "bc", ""] } }, [
      "y",
    ]);
    expect(run.outputs.y.data).toEqual(["a", "bc", ""]);
    await session.release();
  });

  it("releases once: a second release resolves at once", async () => {
    const session = await WorkerSession.create(buildOnnxModel(identityModel("FP32").graph), {
      intraOpNumThreads: 1,
    });
    await session.release();
    await session.release();
    await expect(
      session.run({ x: { type: "float32", dims: [1, 3], data: new Float32Array(3) } }, ["y"]),
    ).rejects.toThrow("the session was released");
  });

  it("fails the runs in flight, and every later one, when its thread dies", async () => {
    const session = await WorkerSession.create(slowModel(), { intraOpNumThreads: 1 });
    const thread = (session as unknown as { worker: { terminate(): Promise<number> } }).worker;
    // The thread dies (as it would on a native crash) while idle: terminated inside
    // onnxruntime's native run, it would take the whole process down (onnxruntime-node throws a
    // C++ exception from a terminating thread: std::terminate, SIGABRT). A run posted after the
    // termination began is in flight when the thread's exit arrives.
    const exited = thread.terminate();
    const running = session.run(
      { x: { type: "float32", dims: [SIZE, SIZE], data: new Float32Array(SIZE * SIZE) } },
      [`h${LAYERS}`],
    );
    await expect(running).rejects.toThrow("inference thread exited with code 1");
    expect(await exited).toBe(1);
    await expect(
      session.run({ x: { type: "float32", dims: [SIZE, SIZE], data: new Float32Array(1) } }, [
        "h1",
      ]),
    ).rejects.toThrow("inference thread exited with code 1");
  });

  it("loses only the buffers of runs its dead thread held: the pool still serves new batches", async () => {
    const session = await WorkerSession.create(slowModel(), { intraOpNumThreads: 1 });
    const kept = session.inputArray(Float32Array, 4);
    const thread = (session as unknown as { worker: { terminate(): Promise<number> } }).worker;
    const exited = thread.terminate();
    const running = session.run(
      {
        x: {
          type: "float32",
          dims: [SIZE, SIZE],
          data: session.inputArray(Float32Array, SIZE * SIZE),
        },
      },
      [`h${LAYERS}`],
    );
    await expect(running).rejects.toThrow("inference thread exited with code 1");
    await exited;
    expect(session.pool.size).toBe(0);
    session.pool.give(kept.buffer as ArrayBuffer);
    expect(session.inputArray(Float32Array, 4).buffer).toBe(kept.buffer);
  });
});
