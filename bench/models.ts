import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import {
  buildOnnxModel,
  type GraphInitializer,
  type GraphNode,
} from "../serving-runtime/src/modelgen/onnx-graph";

/** A model the benchmark generates: its name, tensors and the per-item input shape. */
export interface BenchModel {
  /** Model name in the repository. */
  name: string;
  /** Input tensor name. */
  input: string;
  /** Output tensor name. */
  output: string;
  /** Input shape of one item (without the batch dimension). */
  itemShape: number[];
  /** ONNX bytes; the first dimension of input and output is dynamic (`batch`). */
  onnx: Uint8Array;
}

/** Deterministic pseudo-random numbers (mulberry32), so every run uses the same weights. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function weights(
  random: () => number,
  name: string,
  dims: number[],
  fanIn: number,
): GraphInitializer {
  const count = dims.reduce((a, b) => a * b, 1);
  const scale = Math.sqrt(2 / fanIn);
  const values = new Float32Array(count);
  for (let i = 0; i < count; i++) values[i] = (random() * 2 - 1) * scale;
  return { name, dims, values };
}

/**
 * A small image classifier: Conv+Relu layers over a 3×64×64 image, global average pooling and a
 * dense layer to 10 classes; a few milliseconds per item on one CPU core.
 * @param channels Output channels of each 3×3 convolution; a stride-2 layer halves the image.
 */
export function cnnModel(name: string, channels = [32, 32, 64, 64]): BenchModel {
  const random = seededRandom(7);
  const nodes: GraphNode[] = [];
  const initializers: GraphInitializer[] = [];
  let previous = "image";
  let inChannels = 3;
  channels.forEach((outChannels, layer) => {
    const w = `conv${layer}_w`;
    const b = `conv${layer}_b`;
    initializers.push(weights(random, w, [outChannels, inChannels, 3, 3], inChannels * 9));
    initializers.push({ name: b, dims: [outChannels], values: new Float32Array(outChannels) });
    nodes.push({
      op: "Conv",
      inputs: [previous, w, b],
      outputs: [`conv${layer}`],
      attributes: {
        kernel_shape: [3, 3],
        pads: [1, 1, 1, 1],
        strides: layer % 2 === 1 ? [2, 2] : [1, 1],
      },
    });
    nodes.push({ op: "Relu", inputs: [`conv${layer}`], outputs: [`relu${layer}`] });
    previous = `relu${layer}`;
    inChannels = outChannels;
  });
  initializers.push(weights(random, "fc_w", [10, inChannels], inChannels));
  initializers.push({ name: "fc_b", dims: [10], values: new Float32Array(10) });
  nodes.push({ op: "GlobalAveragePool", inputs: [previous], outputs: ["pooled"] });
  nodes.push({ op: "Flatten", inputs: ["pooled"], outputs: ["features"], attributes: { axis: 1 } });
  nodes.push({
    op: "Gemm",
    inputs: ["features", "fc_w", "fc_b"],
    outputs: ["logits"],
    attributes: { transB: 1 },
  });
  const onnx = buildOnnxModel({
    name,
    inputs: [{ name: "image", datatype: "FP32", shape: ["batch", 3, 64, 64] }],
    outputs: [{ name: "logits", datatype: "FP32", shape: ["batch", 10] }],
    nodes,
    initializers,
  });
  return { name, input: "image", output: "logits", itemShape: [3, 64, 64], onnx };
}

function dense(name: string, layers: number[], seed: number): Uint8Array {
  const random = seededRandom(seed);
  const nodes: GraphNode[] = [];
  const initializers: GraphInitializer[] = [];
  let previous = "features";
  for (let i = 0; i < layers.length - 1; i++) {
    const last = i === layers.length - 2;
    initializers.push(weights(random, `w${i}`, [layers[i + 1], layers[i]], layers[i]));
    initializers.push({
      name: `b${i}`,
      dims: [layers[i + 1]],
      values: new Float32Array(layers[i + 1]),
    });
    const out = last ? "scores" : `g${i}`;
    nodes.push({
      op: "Gemm",
      inputs: [previous, `w${i}`, `b${i}`],
      outputs: [out],
      attributes: { transB: 1 },
    });
    if (!last) {
      nodes.push({ op: "Relu", inputs: [out], outputs: [`h${i}`] });
      previous = `h${i}`;
    }
  }
  return buildOnnxModel({
    name,
    inputs: [{ name: "features", datatype: "FP32", shape: ["batch", layers[0]] }],
    outputs: [{ name: "scores", datatype: "FP32", shape: ["batch", layers[layers.length - 1]] }],
    nodes,
    initializers,
  });
}

/** The tiny MLP: 64 features → 256 → 256 (Relu) → 10; about 10 µs per item. */
export function mlpModel(name: string): BenchModel {
  return {
    name,
    input: "features",
    output: "scores",
    itemShape: [64],
    onnx: dense(name, [64, 256, 256, 10], 11),
  };
}

/** A 10 MB model (256 → 2048 → 1024 → 16, 2.6 M FP32 weights), for the time to ready. */
export function bigModel(name: string): BenchModel {
  return {
    name,
    input: "features",
    output: "scores",
    itemShape: [256],
    onnx: dense(name, [256, 2048, 1024, 16], 13),
  };
}

/**
 * Writes a Triton-style repository: `<dir>/<model>/1/model.onnx`, and `<dir>/<model>/config.json`
 * only for entries that have a config (the benchmarked models have none, as a Triton user's
 * dropped-in ONNX file would not).
 * @param dir Repository directory (created).
 * @param entries Each model, the name to serve it under, and its JSON config if any.
 */
export function writeRepository(
  dir: string,
  entries: { model: BenchModel; name?: string; config?: Record<string, unknown> }[],
): void {
  for (const { model, name, config } of entries) {
    const modelDir = path.join(dir, name ?? model.name);
    mkdirSync(path.join(modelDir, "1"), { recursive: true });
    writeFileSync(path.join(modelDir, "1", "model.onnx"), model.onnx);
    if (config) {
      writeFileSync(path.join(modelDir, "config.json"), `${JSON.stringify(config, null, 2)}\n`);
    }
  }
}
