import { parseCommandLine } from "@hybridai/serving-runtime/src/options";
import {
  parseTuningShapes,
  tuningInputs,
} from "@hybridai/serving-runtime/src/runtime/tuning-shapes";
import type { RunningServer } from "@hybridai/serving-runtime/src/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { repositoryWith, wideModel } from "../helpers/models";
import { startTestServer } from "../helpers/server";

// Issue 27: a model with dynamic dimensions beyond the batch is timed at load on the item shapes
// clients send (config dims or --tuning-shapes), not on generated ones, and its served config
// says which shapes the decision used.

describe("parseTuningShapes", () => {
  it("reads models, inputs and item shapes", () => {
    const shapes = parseTuningShapes(" cls:x=3x48x192 ; ranker:query=128,doc=1x128");
    expect([...shapes.keys()]).toEqual(["cls", "ranker"]);
    expect(shapes.get("cls")?.get("x")).toEqual([3, 48, 192]);
    expect(Object.fromEntries(shapes.get("ranker") ?? [])).toEqual({ query: [128], doc: [1, 128] });
  });

  it("refuses malformed entries, naming them and the form expected", () => {
    expect(() => parseTuningShapes("cls")).toThrow(/'cls' is not <model>:<input>=<d1>x<d2>/);
    expect(() => parseTuningShapes("cls:x=3x-1")).toThrow(
      /'x=3x-1' \(model 'cls'\) is not <input>=/,
    );
    expect(() => parseTuningShapes("cls:x=0")).toThrow(/every dimension must be from 1/);
    expect(() => parseTuningShapes("a:x=1;a:y=2")).toThrow(/model 'a' is given twice/);
    expect(() => parseTuningShapes(" ; ")).toThrow(/names no model/);
  });

  it("is the --tuning-shapes flag, whose errors name it", () => {
    const base = ["--model-repository", "/models"];
    const command = parseCommandLine([...base, "--tuning-shapes", "cls:x=3x48x192"], {});
    expect(command.kind === "serve" && command.options.tuningShapes?.get("cls")?.get("x")).toEqual([
      3, 48, 192,
    ]);
    expect(() => parseCommandLine([...base, "--tuning-shapes", "cls"], {})).toThrow(
      /--tuning-shapes 'cls': 'cls' is not <model>:<input>/,
    );
  });
});

describe("tuningInputs", () => {
  const inputs = [
    { name: "x", datatype: "FP32" as const, shape: [-1, 3, -1, -1] },
    { name: "k", datatype: "INT64" as const, shape: [-1, 4] },
  ];

  it("fixes dynamic dimensions from the given shapes and says where each came from", () => {
    const tuned = tuningInputs("cls", inputs, true, new Map([["x", [3, 48, 192]]]));
    expect(tuned.specs.map((spec) => spec.shape)).toEqual([
      [-1, 3, 48, 192],
      [-1, 4],
    ]);
    expect(tuned.origin).toBe(
      "x: 3x48x192 from --tuning-shapes; k: 4 fixed by the model or its config",
    );
    expect(tuningInputs("cls", inputs, true).origin).toMatch(/^x: 3x1x1 generated \(dynamic/);
  });

  it("refuses shapes that do not fit the model", () => {
    expect(() => tuningInputs("cls", inputs, true, new Map([["x", [4, 48, 192]]]))).toThrow(
      "--tuning-shapes gives input 'x' of model 'cls' the item shape 4x48x192, but the model takes [3,-1,-1] (-1 = any) per item",
    );
    expect(() => tuningInputs("cls", inputs, true, new Map([["y", [1]]]))).toThrow(
      "--tuning-shapes names input 'y' of model 'cls', which has inputs 'x', 'k'",
    );
  });
});

describe("served config of models with dynamic dimensions beyond the batch", () => {
  let server: RunningServer;

  beforeAll(async () => {
    const repository = await repositoryWith([
      wideModel("wide_flag"),
      wideModel("wide_wrong"),
      wideModel("wide_free"),
      wideModel("wide_batcher", { dynamic_batching: {} }),
      wideModel("wide_config", { input: [{ name: "x", data_type: "TYPE_FP32", dims: [300] }] }),
    ]);
    server = await startTestServer(repository, {
      tuningShapes: parseTuningShapes("wide_flag:x=300;wide_wrong:x=7"),
    });
  });

  afterAll(async () => {
    await server.shutdown(5000);
  });

  async function origins(model: string): Promise<Record<string, string>> {
    const response = await fetch(`${server.url}/v2/models/${model}/config`);
    expect(response.status).toBe(200);
    const config = (await response.json()) as {
      parameters: Record<string, { string_value: string }>;
    };
    return Object.fromEntries(
      Object.entries(config.parameters).map(([key, value]) => [key, value.string_value]),
    );
  }

  it("times the model on the --tuning-shapes item shape and says so", async () => {
    const flag = await origins("wide_flag");
    expect(flag["origin.tuning_shapes"]).toBe("x: 300 from --tuning-shapes");
    expect(flag["origin.max_batch_size"]).toMatch(/^measured at load: knee of items\/s/);
  });

  it("really runs the model on that shape: one it cannot take fails the sweep", async () => {
    const wrong = await origins("wide_wrong");
    expect(wrong["origin.tuning_shapes"]).toBe("x: 7 from --tuning-shapes");
    expect(wrong["origin.max_batch_size"]).toMatch(
      /Triton.s default 4; the model could not be timed/,
    );
  });

  it("uses the config's dims, waits for traffic, or says the shapes were generated", async () => {
    expect((await origins("wide_config"))["origin.tuning_shapes"]).toBe(
      "x: 300 fixed by the model or its config",
    );
    // Without config batching the model decides on the shapes its traffic carries
    // (test/serving-runtime/repository/traffic-tuning-served.test.ts); a config that asks for
    // dynamic_batching without a max_batch_size keeps the load-time sweep on generated shapes.
    expect((await origins("wide_free"))["origin.tuning_shapes"]).toMatch(
      /^provisional: waiting for traffic/,
    );
    expect((await origins("wide_batcher"))["origin.tuning_shapes"]).toMatch(
      /^x: 1 generated \(dynamic dimensions taken as 1; give real ones with config dims or --tuning-shapes\)$/,
    );
  });
});
