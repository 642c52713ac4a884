import type { GraphSpec } from "./onnx-graph";

/** A demo model: its graph and its `config.json`. */
export interface DemoModel {
  /** Model (directory) name. */
  name: string;
  /** The ONNX graph. */
  graph: GraphSpec;
  /** The model configuration written next to the versions. */
  config: Record<string, unknown>;
}

/** Deterministic pseudo-random weights in [-1, 1) (a linear congruential generator). */
function weights(count: number, seed: number): Float32Array {
  const out = new Float32Array(count);
  let state = seed >>> 0;
  for (let i = 0; i < count; i++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    out[i] = Math.round(((state / 2 ** 32) * 2 - 1) * 1000) / 1000;
  }
  return out;
}

/**
 * A tiny classifier: `features` FP32 [batch, 4] → Gemm 4×8 → Relu → Gemm 8×3 → Softmax →
 * `probabilities` FP32 [batch, 3]; batches dynamically up to 64.
 */
export function mlpDemo(): DemoModel {
  return {
    name: "mlp",
    graph: {
      name: "mlp",
      inputs: [{ name: "features", datatype: "FP32", shape: ["batch", 4] }],
      outputs: [{ name: "probabilities", datatype: "FP32", shape: ["batch", 3] }],
      initializers: [
        { name: "w1", dims: [4, 8], values: weights(32, 1) },
        { name: "b1", dims: [8], values: weights(8, 2) },
        { name: "w2", dims: [8, 3], values: weights(24, 3) },
        { name: "b2", dims: [3], values: weights(3, 4) },
      ],
      nodes: [
        { op: "Gemm", inputs: ["features", "w1", "b1"], outputs: ["hidden"] },
        { op: "Relu", inputs: ["hidden"], outputs: ["activated"] },
        { op: "Gemm", inputs: ["activated", "w2", "b2"], outputs: ["logits"] },
        { op: "Softmax", inputs: ["logits"], outputs: ["probabilities"], attributes: { axis: 1 } },
      ],
    },
    config: {
      max_batch_size: 64,
      dynamic_batching: {
        max_queue_delay_microseconds: 0,
        default_queue_policy: { max_queue_size: 256, allow_timeout_override: true },
      },
      instance_group: [{ count: 1, kind: "KIND_CPU" }],
      model_warmup: [
        {
          name: "zeros",
          batch_size: 1,
          inputs: { features: { data_type: "TYPE_FP32", dims: [4], zero_data: true } },
        },
      ],
    },
  };
}

/**
 * Triton's quickstart model `simple`: INT32 `INPUT0` and `INPUT1` [batch, 16] →
 * `OUTPUT0` = sum and `OUTPUT1` = difference, so Triton's example clients work unchanged.
 */
export function simpleDemo(): DemoModel {
  const tensor = (name: string) => ({ name, datatype: "INT32" as const, shape: ["batch", 16] });
  return {
    name: "simple",
    graph: {
      name: "simple",
      inputs: [tensor("INPUT0"), tensor("INPUT1")],
      outputs: [tensor("OUTPUT0"), tensor("OUTPUT1")],
      nodes: [
        { op: "Add", inputs: ["INPUT0", "INPUT1"], outputs: ["OUTPUT0"] },
        { op: "Sub", inputs: ["INPUT0", "INPUT1"], outputs: ["OUTPUT1"] },
      ],
    },
    config: { max_batch_size: 8, dynamic_batching: {} },
  };
}

/** Every demo model shipped in `serving-runtime/models`. */
export function demoModels(): DemoModel[] {
  return [mlpDemo(), simpleDemo()];
}
