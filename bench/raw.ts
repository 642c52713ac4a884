import * as ort from "onnxruntime-node";
import type { BenchModel } from "./models";
import { itemValues } from "./payloads";
import { type LatencySummary, summarizeLatencies } from "./stats";

/** Throughput of in-process `session.run` at one batch size. */
export interface RawBatchPoint {
  /** Items per run. */
  batch: number;
  /** Items per second. */
  itemsPerSecond: number;
  /** Runs measured. */
  runs: number;
}

/** What onnxruntime-node achieves in-process, without any server. */
export interface RawResult {
  /** One point per batch size swept. */
  sweep: RawBatchPoint[];
  /** The batch size with the most items per second. */
  best: RawBatchPoint;
  /** Latency of a single-item `session.run`. */
  singleRun: LatencySummary;
  /** CPU seconds this process used during the phase (ORT threads included). */
  cpuSeconds: number;
  /** Wall-clock seconds of the phase. */
  seconds: number;
}

function batchTensor(model: BenchModel, item: Float32Array, batch: number): ort.Tensor {
  const data = new Float32Array(item.length * batch);
  for (let i = 0; i < batch; i++) data.set(item, i * item.length);
  return new ort.Tensor("float32", data, [batch, ...model.itemShape]);
}

/**
 * Measures `session.run` in this process: items/s for each batch size (each bounded by
 * `secondsPerPoint`), and the latency of single-item runs for `latencySeconds`.
 * @param model The model.
 * @param batches Batch sizes to sweep.
 */
export async function measureRaw(
  model: BenchModel,
  batches: number[],
  secondsPerPoint: number,
  latencySeconds: number,
): Promise<RawResult> {
  const cpuBefore = process.cpuUsage();
  const phaseStart = performance.now();
  const session = await ort.InferenceSession.create(model.onnx);
  try {
    const item = itemValues(model);
    const sweep: RawBatchPoint[] = [];
    for (const batch of batches) {
      const feeds = { [model.input]: batchTensor(model, item, batch) };
      await session.run(feeds);
      let runs = 0;
      const start = performance.now();
      const end = start + secondsPerPoint * 1000;
      while (performance.now() < end || runs < 3) {
        await session.run(feeds);
        runs++;
      }
      const seconds = (performance.now() - start) / 1000;
      sweep.push({ batch, runs, itemsPerSecond: (runs * batch) / seconds });
    }
    const single = { [model.input]: batchTensor(model, item, 1) };
    const latencies: number[] = [];
    const end = performance.now() + latencySeconds * 1000;
    while (performance.now() < end || latencies.length < 20) {
      const start = performance.now();
      await session.run(single);
      latencies.push(performance.now() - start);
    }
    const best = sweep.reduce((a, b) => (b.itemsPerSecond > a.itemsPerSecond ? b : a));
    const cpu = process.cpuUsage(cpuBefore);
    return {
      sweep,
      best,
      singleRun: summarizeLatencies(latencies),
      cpuSeconds: (cpu.user + cpu.system) / 1e6,
      seconds: (performance.now() - phaseStart) / 1000,
    };
  } finally {
    await session.release();
  }
}

/**
 * Items per second of back-to-back `session.run` calls at one batch size in this process, over
 * `seconds` (after three unmeasured runs), with default session options.
 * @param model The model.
 * @param batch Batch size.
 */
export async function measureRawAt(
  model: BenchModel,
  batch: number,
  seconds: number,
): Promise<number> {
  const session = await ort.InferenceSession.create(model.onnx);
  try {
    const feeds = { [model.input]: batchTensor(model, itemValues(model), batch) };
    for (let i = 0; i < 3; i++) await session.run(feeds);
    let runs = 0;
    const start = performance.now();
    while (performance.now() - start < seconds * 1000 || runs < 3) {
      await session.run(feeds);
      runs++;
    }
    return (runs * batch) / ((performance.now() - start) / 1000);
  } finally {
    await session.release();
  }
}

/**
 * The model's output for the benchmark's item, computed in-process: what every server must answer.
 * @param model The model.
 */
export async function referenceOutput(model: BenchModel): Promise<number[]> {
  const session = await ort.InferenceSession.create(model.onnx);
  try {
    const result = await session.run({ [model.input]: batchTensor(model, itemValues(model), 1) });
    return Array.from(result[model.output].data as Float32Array);
  } finally {
    await session.release();
  }
}
