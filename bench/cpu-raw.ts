import * as ort from "onnxruntime-node";
import type { BenchModel } from "./models";
import { itemValues } from "./payloads";

/** Raw onnxruntime's CPU cost per item at one batch size. */
export interface RawCpuPoint {
  /** Items per `session.run`. */
  batch: number;
  /** CPU microseconds (user + system of this process, every thread) per item. */
  cpuMicrosPerItem: number;
  /** Items per second of back-to-back runs (secondary). */
  itemsPerSecond: number;
}

/** Session options of the raw baseline: one intra-op thread that sleeps instead of spinning. */
export const RAW_CPU_SESSION_OPTIONS: ort.InferenceSession.SessionOptions = {
  executionProviders: ["cpu"],
  intraOpNumThreads: 1,
  interOpNumThreads: 1,
  executionMode: "sequential",
  graphOptimizationLevel: "all",
  extra: { session: { intra_op: { allow_spinning: "0" } } },
};

/** An in-process onnxruntime session measured for CPU per item, kept open across rounds. */
export class RawCpuSession {
  private constructor(
    private readonly model: BenchModel,
    private readonly session: ort.InferenceSession,
  ) {}

  /** Opens `model` with {@link RAW_CPU_SESSION_OPTIONS}. */
  static async open(model: BenchModel): Promise<RawCpuSession> {
    return new RawCpuSession(
      model,
      await ort.InferenceSession.create(model.onnx, RAW_CPU_SESSION_OPTIONS),
    );
  }

  /**
   * CPU per item of back-to-back `session.run` calls at each batch size, each for about
   * `seconds` after two unmeasured runs.
   * @param batches Batch sizes to try (the best is the baseline).
   */
  async sweep(batches: readonly number[], seconds: number): Promise<RawCpuPoint[]> {
    const item = itemValues(this.model);
    const points: RawCpuPoint[] = [];
    for (const batch of batches) {
      const data = new Float32Array(item.length * batch);
      for (let i = 0; i < batch; i++) data.set(item, i * item.length);
      const feeds = {
        [this.model.input]: new ort.Tensor("float32", data, [batch, ...this.model.itemShape]),
      };
      for (let i = 0; i < 2; i++) await this.session.run(feeds);
      let runs = 0;
      const cpuBefore = process.cpuUsage();
      const start = performance.now();
      while (performance.now() - start < seconds * 1000 || runs < 3) {
        await this.session.run(feeds);
        runs++;
      }
      const wall = (performance.now() - start) / 1000;
      const cpu = process.cpuUsage(cpuBefore);
      points.push({
        batch,
        cpuMicrosPerItem: (cpu.user + cpu.system) / (runs * batch),
        itemsPerSecond: (runs * batch) / wall,
      });
    }
    return points;
  }

  /** The model's output for the benchmark's item: what every server must answer. */
  async reference(): Promise<number[]> {
    const item = itemValues(this.model);
    const feeds = {
      [this.model.input]: new ort.Tensor("float32", item, [1, ...this.model.itemShape]),
    };
    const result = await this.session.run(feeds);
    return Array.from(result[this.model.output].data as Float32Array);
  }

  /** Releases the session. */
  release(): Promise<void> {
    return this.session.release();
  }
}
