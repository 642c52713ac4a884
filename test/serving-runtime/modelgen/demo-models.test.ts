import { readFile } from "node:fs/promises";
import path from "node:path";
import { demoModels } from "@hybridai/serving-runtime/src/modelgen/demo-models";
import { buildOnnxModel } from "@hybridai/serving-runtime/src/modelgen/onnx-graph";
import { formatJson } from "@hybridai/serving-runtime/src/modelgen/write-repository";
import type { RunningServer } from "@hybridai/serving-runtime/src/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { postJson, startTestServer } from "../helpers/server";

const MODELS = path.resolve(__dirname, "../../../serving-runtime/models");
let server: RunningServer;

beforeAll(async () => {
  server = await startTestServer(MODELS);
});

afterAll(async () => {
  await server.shutdown(5000);
});

describe("committed demo models", () => {
  it("are exactly what the generator produces, and small", async () => {
    for (const model of demoModels()) {
      const onnx = await readFile(path.join(MODELS, model.name, "1", "model.onnx"));
      expect(Buffer.from(buildOnnxModel(model.graph)).equals(onnx), model.name).toBe(true);
      expect(onnx.length).toBeLessThan(8 * 1024);
      const config = await readFile(path.join(MODELS, model.name, "config.json"), "utf8");
      expect(config).toBe(formatJson(model.config));
    }
  });

  it("serve: the MLP returns a probability distribution per row", async () => {
    const response = await postJson(`${server.url}/v2/models/mlp/infer`, {
      inputs: [
        {
          name: "features",
          shape: [2, 4],
          datatype: "FP32",
          data: [0.1, 0.2, 0.3, 0.4, -1, 2, 0, 5],
        },
      ],
    });
    expect(response.status).toBe(200);
    const data: number[] = response.body.outputs[0].data;
    expect(response.body.outputs[0].shape).toEqual([2, 3]);
    for (const row of [data.slice(0, 3), data.slice(3)]) {
      expect(row.every((p) => p > 0 && p < 1)).toBe(true);
      expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    }
  });

  it("serve: `simple` adds and subtracts like Triton's quickstart model", async () => {
    const a = Array.from({ length: 16 }, (_, i) => i);
    const b = Array.from({ length: 16 }, () => 1);
    const response = await postJson(`${server.url}/v2/models/simple/infer`, {
      inputs: [
        { name: "INPUT0", shape: [1, 16], datatype: "INT32", data: a },
        { name: "INPUT1", shape: [1, 16], datatype: "INT32", data: b },
      ],
    });
    expect(response.body.outputs).toEqual([
      { name: "OUTPUT0", datatype: "INT32", shape: [1, 16], data: a.map((v) => v + 1) },
      { name: "OUTPUT1", datatype: "INT32", shape: [1, 16], data: a.map((v) => v - 1) },
    ]);
  });
});
