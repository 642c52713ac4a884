import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import type { DemoModel } from "@hybridai/serving-runtime/src/modelgen/demo-models";
import type { GraphDatatype } from "@hybridai/serving-runtime/src/modelgen/onnx-graph";

/** An ensemble's `config.json` as a test writes it. */
export type EnsembleConfig = Record<string, unknown>;

/**
 * Writes an ensemble into a repository as Triton lays it out: `<name>/config.json` and an empty
 * version directory `<name>/1/`.
 */
export async function writeEnsemble(
  root: string,
  name: string,
  config: EnsembleConfig,
): Promise<void> {
  await mkdir(path.join(root, name, "1"), { recursive: true });
  await writeFile(path.join(root, name, "config.json"), JSON.stringify({ name, ...config }));
}

/** One step of an ensemble config: model, maps, and any of hybridai's step keys. */
export function step(
  model: string,
  inputMap: Record<string, string>,
  outputMap: Record<string, string>,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    model_name: model,
    model_version: -1,
    input_map: inputMap,
    output_map: outputMap,
    ...extra,
  };
}

/** A tensor declaration of an ensemble config. */
export function tensor(name: string, dims: number[], dataType = "TYPE_FP32") {
  return { name, data_type: dataType, dims };
}

/**
 * `name`: x FP32 [n, 4] → y = x · factor, not batching (so it takes any number of rows).
 */
export function scaleModel(
  name: string,
  factor: number,
  config: Record<string, unknown> = {},
): DemoModel {
  return {
    name,
    graph: {
      name,
      inputs: [{ name: "x", datatype: "FP32", shape: ["n", 4] }],
      outputs: [{ name: "y", datatype: "FP32", shape: ["n", 4] }],
      initializers: [{ name: "factor", dims: [], values: [factor] }],
      nodes: [{ op: "Mul", inputs: ["x", "factor"], outputs: ["y"] }],
    },
    config: { max_batch_size: 0, ...config },
  };
}

/** `name`: a, b FP32 [n, 4] → y = a + b, not batching. */
export function addModel(name: string): DemoModel {
  const t = (tensorName: string) => ({
    name: tensorName,
    datatype: "FP32" as const,
    shape: ["n", 4],
  });
  return {
    name,
    graph: {
      name,
      inputs: [t("a"), t("b")],
      outputs: [t("y")],
      nodes: [{ op: "Add", inputs: ["a", "b"], outputs: ["y"] }],
    },
    config: { max_batch_size: 0 },
  };
}

/** `name`: x FP32 [n, 4] → y FP32 [4], the column sums; answers any n (a flaky model's stand-in). */
export function columnSumModel(name: string): DemoModel {
  return {
    name,
    graph: {
      name,
      inputs: [{ name: "x", datatype: "FP32", shape: ["n", 4] }],
      outputs: [{ name: "y", datatype: "FP32", shape: [4] }],
      initializers: [{ name: "axes", dims: [1], values: [0], datatype: "INT64" }],
      nodes: [
        { op: "ReduceSum", inputs: ["x", "axes"], outputs: ["y"], attributes: { keepdims: 0 } },
      ],
    },
    config: { max_batch_size: 0 },
  };
}

/** `name`: x [n, 3] of `datatype` → y = x (Identity), not batching. */
export function passModel(
  name: string,
  datatype: GraphDatatype,
  config: Record<string, unknown> = {},
): DemoModel {
  return {
    name,
    graph: {
      name,
      inputs: [{ name: "x", datatype, shape: ["n", 3] }],
      outputs: [{ name: "y", datatype, shape: ["n", 3] }],
      nodes: [{ op: "Identity", inputs: ["x"], outputs: ["y"] }],
    },
    config: { max_batch_size: 0, ...config },
  };
}
