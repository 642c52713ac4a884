import { rm, writeFile } from "node:fs/promises";
import path from "node:path";
import type { DemoModel } from "@hybridai/serving-runtime/src/modelgen/demo-models";
import { writeRepository } from "@hybridai/serving-runtime/src/modelgen/write-repository";
import type { RunningServer } from "@hybridai/serving-runtime/src/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { batchedModel, tempRepository } from "../helpers/models";
import { type Exposition, histogramOf, samplesOf, scrape } from "../helpers/prometheus-text";
import { type Json, postJson, startTestServer } from "../helpers/server";
import { seeded } from "./streams";

/** `scorer` version v: x FP32 [batch, 3] → probabilities = Softmax(x · sharpness). */
function scorer(sharpness: number): DemoModel {
  return {
    name: "scorer",
    graph: {
      name: "scorer",
      inputs: [{ name: "x", datatype: "FP32", shape: ["batch", 3] }],
      outputs: [{ name: "probabilities", datatype: "FP32", shape: ["batch", 3] }],
      initializers: [{ name: "k", dims: [], values: [sharpness] }],
      nodes: [
        { op: "Mul", inputs: ["x", "k"], outputs: ["scaled"] },
        { op: "Softmax", inputs: ["scaled"], outputs: ["probabilities"], attributes: { axis: 1 } },
      ],
    },
    config: {
      max_batch_size: 16,
      dynamic_batching: {},
      version_policy: { all: {} },
      output_distribution: [{ name: "probabilities", kind: "top1_score" }],
    },
  };
}

const SCORE_BOUNDS = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99, 1];
let root: string;
let server: RunningServer;

/** Cumulative counts of `values` at each bound (le semantics), then +Inf: computed here, not by the runtime. */
function cumulative(values: number[], bounds: number[]): [number, number][] {
  return [
    ...bounds.map((bound): [number, number] => [bound, values.filter((v) => v <= bound).length]),
    [Number.POSITIVE_INFINITY, values.length],
  ];
}

beforeAll(async () => {
  root = await tempRepository();
  await writeRepository(root, [scorer(1)], 1);
  await writeRepository(root, [scorer(6)], 2);
  await writeRepository(root, [batchedModel("doubler", {})]);
  // The same block in Triton's text format, for the regression model.
  await rm(path.join(root, "doubler", "config.json"));
  await writeFile(
    path.join(root, "doubler", "config.pbtxt"),
    'max_batch_size: 8\ndynamic_batching { }\noutput_distribution [ { name: "y" kind: "value" buckets: [ 0, 1, 2, 5, 10 ] } ]\n',
  );
  await writeRepository(root, [
    {
      ...batchedModel("misnamed", {}),
      config: { output_distribution: [{ name: "z", kind: "top1_score" }] },
    },
    {
      ...batchedModel("unbucketed", {}),
      config: { output_distribution: [{ name: "y", kind: "value" }] },
    },
  ]);
  server = await startTestServer(root, { strictReadiness: false });
});

afterAll(async () => {
  await server?.shutdown(5000);
});

async function top1Scores(version: string, rows: number[][]): Promise<number[]> {
  const response = await postJson(`${server.url}/v2/models/scorer/versions/${version}/infer`, {
    inputs: [{ name: "x", shape: [rows.length, 3], datatype: "FP32", data: rows.flat() }],
  });
  expect(response.status).toBe(200);
  const data: number[] = response.body.outputs[0].data;
  return rows.map((_, r) => Math.max(...data.slice(3 * r, 3 * r + 3)));
}

describe("output distributions over real HTTP", () => {
  let page: Exposition;
  const sent: Record<string, number[]> = { "1": [], "2": [] };

  it("histograms the top-1 score of every row, per version", async () => {
    const random = seeded(9);
    for (let i = 0; i < 40; i++) {
      const rows = Array.from({ length: 1 + (i % 4) }, () =>
        Array.from({ length: 3 }, () => Math.round(random() * 2000) / 1000),
      );
      for (const version of ["1", "2"]) sent[version].push(...(await top1Scores(version, rows)));
    }
    page = await scrape(server.url);
    expect(page.types.get("hybridai_output_top1_score")).toBe("histogram");
    for (const version of ["1", "2"]) {
      const histogram = histogramOf(page, "hybridai_output_top1_score", {
        model: "scorer",
        version,
        output: "probabilities",
      });
      expect(sent[version]).toHaveLength(100);
      expect(histogram.count).toBe(100);
      expect(histogram.buckets).toEqual(cumulative(sent[version], SCORE_BOUNDS));
      expect(histogram.sum).toBeCloseTo(
        sent[version].reduce((a, b) => a + b, 0),
        4,
      );
    }
  });

  it("shows a version whose confidence shifted", () => {
    const mean = (version: string) => {
      const h = histogramOf(page, "hybridai_output_top1_score", {
        model: "scorer",
        version,
        output: "probabilities",
      });
      return h.sum / h.count;
    };
    // Version 2 multiplies the logits by 6: the same inputs give sharper, higher top-1 scores.
    expect(mean("2")).toBeGreaterThan(mean("1") + 0.2);
  });

  it("histograms a regression output's values with the buckets its config.pbtxt gives", async () => {
    const values = [-1, 0, 0.5, 1.5, 1.5, 3, 7, 40]; // doubled: exact in FP32, one on a bucket edge
    const response = await postJson(`${server.url}/v2/models/doubler/infer`, {
      inputs: [{ name: "x", shape: [4, 2], datatype: "FP32", data: values }],
    });
    expect(response.status).toBe(200);
    const doubled = (response.body as Json).outputs[0].data as number[];
    expect(doubled).toEqual(values.map((v) => v * 2));
    const histogram = histogramOf(await scrape(server.url), "hybridai_output_value", {
      model: "doubler",
      version: "1",
      output: "y",
    });
    expect(histogram.buckets).toEqual(cumulative(doubled, [0, 1, 2, 5, 10]));
    expect(histogram.sum).toBeCloseTo(
      doubled.reduce((a, b) => a + b, 0),
      6,
    );
  });

  it("refuses to load a model whose block names an unknown output or leaves value buckets out", async () => {
    const index = (await postJson(`${server.url}/v2/repository/index`, {})).body as Json[];
    const reason = (name: string) => index.find((row) => row.name === name)?.reason;
    expect(reason("misnamed")).toMatch(
      /output_distribution\[0\]\.name: 'z' is not an output of model 'misnamed'; its outputs are 'y'/,
    );
    expect(reason("unbucketed")).toMatch(
      /output_distribution: \[0\]\.buckets: buckets are required for kind value/,
    );
  });

  it("adds nothing for models without the block", () => {
    expect(samplesOf(page, "hybridai_output_value_count", { model: "scorer" })).toEqual([]);
  });
});
