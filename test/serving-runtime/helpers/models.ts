import { mkdir, mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { DemoModel } from "@hybridai/serving-runtime/src/modelgen/demo-models";
import type { GraphDatatype, GraphSpec } from "@hybridai/serving-runtime/src/modelgen/onnx-graph";
import { writeRepository } from "@hybridai/serving-runtime/src/modelgen/write-repository";

/** Every datatype the protocol supports. */
export const ALL_DATATYPES: GraphDatatype[] = [
  "BOOL",
  "UINT8",
  "UINT16",
  "UINT32",
  "UINT64",
  "INT8",
  "INT16",
  "INT32",
  "INT64",
  "FP16",
  "FP32",
  "FP64",
  "BYTES",
];

/** `identity_<dtype>`: x [n, 3] → y = x, no config (derived from the ONNX file). */
export function identityModel(datatype: GraphDatatype): DemoModel {
  const graph: GraphSpec = {
    name: `identity_${datatype.toLowerCase()}`,
    inputs: [{ name: "x", datatype, shape: ["n", 3] }],
    outputs: [{ name: "y", datatype, shape: ["n", 3] }],
    nodes: [{ op: "Identity", inputs: ["x"], outputs: ["y"] }],
  };
  return { name: graph.name, graph, config: {} };
}

/** `multi`: a, b FP32 [n, 2] → sum, product FP32 and a_negated FP32. */
export function multiModel(): DemoModel {
  const t = (name: string) => ({ name, datatype: "FP32" as const, shape: ["n", 2] });
  return {
    name: "multi",
    graph: {
      name: "multi",
      inputs: [t("a"), t("b")],
      outputs: [t("sum"), t("product"), t("a_negated")],
      nodes: [
        { op: "Add", inputs: ["a", "b"], outputs: ["sum"] },
        { op: "Mul", inputs: ["a", "b"], outputs: ["product"] },
        { op: "Neg", inputs: ["a"], outputs: ["a_negated"] },
      ],
    },
    config: {},
  };
}

/** `dynamic`: x FP32 [rows, cols] (both dims dynamic) → y = Relu(x). */
export function dynamicModel(): DemoModel {
  return {
    name: "dynamic",
    graph: {
      name: "dynamic",
      inputs: [{ name: "x", datatype: "FP32", shape: ["rows", "cols"] }],
      outputs: [{ name: "y", datatype: "FP32", shape: ["rows", "cols"] }],
      nodes: [{ op: "Relu", inputs: ["x"], outputs: ["y"] }],
    },
    config: {},
  };
}

/** `fixed`: x FP32 [2, 3] (static) → y = x + x. */
export function fixedModel(): DemoModel {
  return {
    name: "fixed",
    graph: {
      name: "fixed",
      inputs: [{ name: "x", datatype: "FP32", shape: [2, 3] }],
      outputs: [{ name: "y", datatype: "FP32", shape: [2, 3] }],
      nodes: [{ op: "Add", inputs: ["x", "x"], outputs: ["y"] }],
    },
    config: {},
  };
}

/**
 * `name`: x FP32 [batch, cols] → y = x * 2, batching with the given config (max_batch_size,
 * dynamic_batching, instance_group …).
 */
export function batchedModel(name: string, config: Record<string, unknown>): DemoModel {
  return {
    name,
    graph: {
      name,
      inputs: [{ name: "x", datatype: "FP32", shape: ["batch", "cols"] }],
      outputs: [{ name: "y", datatype: "FP32", shape: ["batch", "cols"] }],
      initializers: [{ name: "two", dims: [], values: [2] }],
      nodes: [{ op: "Mul", inputs: ["x", "two"], outputs: ["y"] }],
    },
    config,
  };
}

/**
 * `name`: a deliberately slow model — x FP32 [batch, 256] through `depth` 256×256 MatMuls —
 * for warmup and in-flight tests.
 */
export function slowModel(name: string, depth: number, config: Record<string, unknown>): DemoModel {
  const weights = new Float32Array(256 * 256).fill(1 / 256);
  const nodes = Array.from({ length: depth }, (_, i) => ({
    op: "MatMul",
    inputs: [i === 0 ? "x" : `h${i}`, "w"],
    outputs: [i === depth - 1 ? "y" : `h${i + 1}`],
  }));
  return {
    name,
    graph: {
      name,
      inputs: [{ name: "x", datatype: "FP32", shape: ["batch", 256] }],
      outputs: [{ name: "y", datatype: "FP32", shape: ["batch", 256] }],
      initializers: [{ name: "w", dims: [256, 256], values: weights }],
      nodes,
    },
    config,
  };
}

/** Creates an empty temporary model repository directory. */
export function tempRepository(): Promise<string> {
  return mkdtemp(path.join(tmpdir(), "hybridai-models-"));
}

/** Writes a repository holding the given models and returns its directory. */
export async function repositoryWith(models: DemoModel[]): Promise<string> {
  const root = await tempRepository();
  await writeRepository(root, models);
  return root;
}

/** Adds a model directory whose `model.onnx` is not an ONNX file. */
export async function writeBrokenModel(root: string, name: string): Promise<void> {
  await mkdir(path.join(root, name, "1"), { recursive: true });
  await writeFile(path.join(root, name, "1", "model.onnx"), "this is not an onnx model");
}

/**
 * `name`: x FP32 [n, 4] reshaped to y FP32 [4]. Validation accepts any n, but onnxruntime fails
 * at run time unless n = 1: a model whose executions fail on demand.
 */
export function flakyModel(name: string, config: Record<string, unknown>): DemoModel {
  return {
    name,
    graph: {
      name,
      inputs: [{ name: "x", datatype: "FP32", shape: ["n", 4] }],
      outputs: [{ name: "y", datatype: "FP32", shape: [4] }],
      initializers: [{ name: "flat", dims: [1], values: [4], datatype: "INT64" }],
      nodes: [{ op: "Reshape", inputs: ["x", "flat"], outputs: ["y"] }],
    },
    config,
  };
}

/** `name`: x FP32 [n, 4] → y = -x; answers differently from the models it stands in for. */
export function negateModel(name: string): DemoModel {
  return {
    name,
    graph: {
      name,
      inputs: [{ name: "x", datatype: "FP32", shape: ["n", 4] }],
      outputs: [{ name: "y", datatype: "FP32", shape: ["n", 4] }],
      nodes: [{ op: "Neg", inputs: ["x"], outputs: ["y"] }],
    },
    config: {},
  };
}

/** `name`: no inputs; a Constant node gives `y` FP32 [3] = [1, 2, 3]. */
export function constantModel(name: string): DemoModel {
  return {
    name,
    graph: {
      name,
      inputs: [],
      outputs: [{ name: "y", datatype: "FP32", shape: [3] }],
      nodes: [
        {
          op: "Constant",
          inputs: [],
          outputs: ["y"],
          attributes: { value_floats: { floats: [1, 2, 3] } },
        },
      ],
    },
    config: {},
  };
}

/**
 * x FP32 [n, d] + w [300] → y FP32 [n, 300]: a model with a dynamic dimension beyond the batch
 * that runs for d = 1 (broadcast) or d = 300 and fails for any other d.
 *
 * @param name model name
 * @param config its config (none by default)
 */
export function wideModel(name: string, config: DemoModel["config"] = {}): DemoModel {
  return {
    name,
    config,
    graph: {
      name,
      inputs: [{ name: "x", datatype: "FP32", shape: ["n", "d"] }],
      outputs: [{ name: "y", datatype: "FP32", shape: ["n", 300] }],
      nodes: [{ op: "Add", inputs: ["x", "w"], outputs: ["y"] }],
      initializers: [{ name: "w", dims: [300], values: new Float32Array(300).fill(0.5) }],
    },
  };
}
