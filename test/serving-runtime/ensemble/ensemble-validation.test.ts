import {
  type EnsembleStep,
  parseEnsembleSpec,
} from "@hybridai/serving-runtime/src/ensemble/ensemble-config";
import {
  buildEnsembleGraph,
  stepsFor,
} from "@hybridai/serving-runtime/src/ensemble/ensemble-graph";
import { connectSignatures } from "@hybridai/serving-runtime/src/ensemble/ensemble-signatures";
import type { ModelSignature } from "@hybridai/serving-runtime/src/protocol/tensor-spec";
import { checkConfigOverride } from "@hybridai/serving-runtime/src/repository/config-override";
import { parseModelConfig } from "@hybridai/serving-runtime/src/repository/model-config";
import { parseModelConfigText } from "@hybridai/serving-runtime/src/repository/pbtxt";
import { describe, expect, it } from "vitest";

// Load-time validation of an ensemble, without models: Triton's rules and hybridai's step keys,
// the data flow (cycles, missing inputs, unused tensors), and each step against its model's
// signature (datatype, shape, batch size), every message naming the step and the tensor.

function spec(config: Record<string, unknown>) {
  return parseEnsembleSpec(parseModelConfig(config, "test"), "pipe");
}

const base = {
  platform: "ensemble",
  input: [{ name: "IN", data_type: "TYPE_FP32", dims: [4] }],
  output: [{ name: "OUT", data_type: "TYPE_FP32", dims: [4] }],
};

function steps(...list: Record<string, unknown>[]) {
  return { ...base, ensemble_scheduling: { step: list } };
}

const s = (
  model: string,
  inputs: Record<string, string>,
  outputs: Record<string, string>,
  extra = {},
) => ({
  model_name: model,
  model_version: -1,
  input_map: inputs,
  output_map: outputs,
  ...extra,
});

function graphOf(list: Record<string, unknown>[], outputs = ["OUT"]) {
  return buildEnsembleGraph(["IN"], outputs, spec(steps(...list)).steps);
}

describe("ensemble configuration", () => {
  it("reads Triton's ensemble config.pbtxt, model_version -1 and maps included", () => {
    const text = `name: "pipe"
platform: "ensemble"
max_batch_size: 4
input [ { name: "IN" data_type: TYPE_FP32 dims: [ 4 ] } ]
output [ { name: "OUT" data_type: TYPE_FP32 dims: [ 4 ] } ]
ensemble_scheduling {
  step [ { model_name: "a" model_version: -1 input_map { key: "x" value: "IN" } output_map { key: "y" value: "OUT" } on_failure: "skip" } ]
  max_inflight_requests: 3
}`;
    const parsed = spec(parseModelConfigText(text));
    expect(parsed.max_inflight_requests).toBe(3);
    expect(parsed.steps).toEqual([
      {
        index: 0,
        label: "a",
        model_name: "a",
        model_version: -1,
        input_map: { x: "IN" },
        output_map: { y: "OUT" },
        on_failure: "skip",
        fallback_model: undefined,
        remote: undefined,
      },
    ]);
  });

  it("defaults model_version to 0 as Triton's proto3 does, and on_failure to fail", () => {
    const parsed = spec(
      steps({ model_name: "a", input_map: { x: "IN" }, output_map: { y: "OUT" } }),
    );
    expect(parsed.steps[0]).toMatchObject({ model_version: 0, on_failure: "fail" });
  });

  it.each([
    [{ ...base }, "platform 'ensemble' needs ensemble_scheduling"],
    [
      { ...steps(s("a", { x: "IN" }, { y: "OUT" })), platform: "onnxruntime_onnx" },
      "whose platform is not ensemble",
    ],
    [
      { ...steps(s("a", { x: "IN" }, { y: "OUT" })), instance_group: [{ count: 1 }] },
      "instance_group: an ensemble has no instances",
    ],
    [{ ...steps(s("a", { x: "IN" }, { y: "OUT" })), dynamic_batching: {} }, "dynamic_batching"],
    [{ ...steps(), input: [] }, "must declare its inputs"],
    [steps(), "must specify 'step' for ensemble 'pipe'"],
    [steps(s("", { x: "IN" }, { y: "OUT" })), "step[0]: must specify 'model_name'"],
    [steps(s("a", {}, { y: "OUT" })), "step[0] (model 'a'): must specify 'input_map'"],
    [steps(s("a", { x: "IN" }, {})), "step[0] (model 'a'): must specify 'output_map'"],
    [
      steps(s("a", { x: "IN" }, { y: "OUT" }, { on_failure: "retry" })),
      "step[0].on_failure: on_failure must be one of fail, fallback_model, skip",
    ],
    [
      steps(s("a", { x: "IN" }, { y: "OUT" }, { on_failure: "fallback_model" })),
      "step[0].fallback_model: on_failure: fallback_model needs fallback_model",
    ],
    [
      steps(s("a", { x: "IN" }, { y: "OUT" }, { fallback_model: "b" })),
      "is used only with on_failure: fallback_model",
    ],
    [steps(s("pipe", { x: "IN" }, { y: "OUT" })), "an ensemble cannot run itself as a step"],
    [
      steps(s("a", { x: "IN" }, { y: "OUT" }, { remote: { url: "ftp://x" } })),
      "step[0].remote.url: url must start with http:// or https://",
    ],
    [
      steps({
        ...s("a", { x: "IN" }, { y: "OUT" }, { remote: { url: "https://cloud.example" } }),
        model_version: 2,
      }),
      "step[0].model_version: a remote step runs the endpoint's latest version",
    ],
  ])("refuses %#: %s", (config, message) => {
    expect(() => spec(config as Record<string, unknown>)).toThrow(message);
  });

  it("refuses a remote step's url or token_file from a load request (checkConfigOverride), naming the field", () => {
    const remote = steps(
      s("a", { x: "IN" }, { y: "OUT" }, { remote: { url: "https://cloud.example" } }),
    );
    expect(() => checkConfigOverride("pipe", remote)).toThrow(
      /ensemble_scheduling\.step\[0\]\.remote\.url names a file or a URL/,
    );
    const token = steps(
      s("a", { x: "IN" }, { y: "OUT" }, { remote: { token_file: "/etc/passwd" } }),
    );
    expect(() => checkConfigOverride("pipe", token)).toThrow(
      /step\[0\]\.remote\.token_file names a file or a URL/,
    );
    expect(spec(remote).steps[0].remote?.url).toBe("https://cloud.example");
  });

  it("labels steps by model, with the index when a model runs in several steps", () => {
    const parsed = spec(
      steps(
        s("a", { x: "IN" }, { y: "T" }),
        s("a", { x: "T" }, { y: "U" }),
        s("b", { x: "U" }, { y: "OUT" }),
      ),
    );
    expect(parsed.steps.map((step) => step.label)).toEqual(["a#0", "a#1", "b"]);
  });
});

describe("ensemble data flow", () => {
  it("orders the steps by data flow and keeps only those a request's outputs need", () => {
    const graph = buildEnsembleGraph(
      ["IN"],
      ["A_OUT", "B_OUT"],
      spec({
        ...base,
        output: [
          { name: "A_OUT", data_type: "TYPE_FP32", dims: [4] },
          { name: "B_OUT", data_type: "TYPE_FP32", dims: [4] },
        ],
        ensemble_scheduling: {
          step: [
            s("b", { x: "T" }, { y: "B_OUT" }),
            s("pre", { x: "IN" }, { y: "T" }),
            s("a", { x: "T" }, { y: "A_OUT" }),
          ],
        },
      }).steps,
    );
    expect(graph.order.map((step) => step.model_name)).toEqual(["pre", "b", "a"]);
    expect(stepsFor(graph, ["A_OUT"]).map((step) => step.model_name)).toEqual(["pre", "a"]);
  });

  it("names the steps of a cycle and the tensors between them", () => {
    expect(() =>
      graphOf([
        s("a", { x: "IN", z: "V" }, { y: "U" }),
        s("b", { x: "U" }, { y: "V" }),
        s("c", { x: "U" }, { y: "OUT" }),
      ]),
    ).toThrow(
      "the steps form a cycle: step 0 (model 'a') needs 'V' from step 1 (model 'b'), which step 1 (model 'b') needs 'U' from step 0 (model 'a')",
    );
  });

  it("names a step input that nothing writes", () => {
    expect(() =>
      graphOf([s("a", { x: "IN" }, { y: "T" }), s("b", { x: "TT" }, { y: "OUT" })]),
    ).toThrow(
      "step 1 (model 'b') input 'x' reads ensemble tensor 'TT', which is neither an ensemble input (IN) nor written by any step",
    );
  });

  it("names an output nothing writes, an unused input or tensor, and a tensor written twice", () => {
    expect(() => graphOf([s("a", { x: "IN" }, { y: "T" })])).toThrow(
      "ensemble output 'OUT' is not written",
    );
    expect(() =>
      buildEnsembleGraph(
        ["IN", "EXTRA"],
        ["OUT"],
        spec(steps(s("a", { x: "IN" }, { y: "OUT" }))).steps,
      ),
    ).toThrow("ensemble input 'EXTRA' is not used");
    expect(() => graphOf([s("a", { x: "IN" }, { y: "OUT", z: "LOOSE" })])).toThrow(
      "ensemble tensor 'LOOSE' written by step 0 (model 'a') is unused",
    );
    expect(() =>
      graphOf([s("a", { x: "IN" }, { y: "OUT" }), s("b", { x: "IN" }, { y: "OUT" })]),
    ).toThrow(
      "ensemble tensor 'OUT' can appear in an output map only once: step 0 (model 'a') and step 1 (model 'b') both write it",
    );
  });

  it("refuses a required step that reads what an optional step may leave out", () => {
    expect(() =>
      graphOf([
        s("a", { x: "IN" }, { y: "T" }, { on_failure: "skip" }),
        s("b", { x: "T" }, { y: "OUT" }),
      ]),
    ).toThrow(
      "step 1 (model 'b') reads 'T' from step 0 (model 'a'), which is on_failure: skip, so 'T' may be missing",
    );
  });
});

describe("ensemble steps against their models", () => {
  const model = (
    name: string,
    input: [string, string, number[]],
    output: [string, string, number[]],
    maxBatchSize = 8,
  ): ModelSignature => ({
    name,
    version: "1",
    maxBatchSize,
    inputs: [{ name: input[0], datatype: input[1] as "FP32", shape: input[2] }],
    outputs: [{ name: output[0], datatype: output[1] as "FP32", shape: output[2] }],
  });
  const ensemble: ModelSignature = {
    name: "pipe",
    version: "1",
    maxBatchSize: 4,
    inputs: [{ name: "IN", datatype: "UINT8", shape: [-1, -1, 3] }],
    outputs: [{ name: "OUT", datatype: "FP32", shape: [-1, 2] }],
  };
  const list = (extra: Record<string, unknown> = {}) =>
    spec({
      ...base,
      ensemble_scheduling: {
        step: [
          s("pre", { image: "IN" }, { normalized: "T" }),
          s("cls", { x: "T" }, { p: "OUT" }, extra),
        ],
      },
    }).steps;
  const connect = (models: Record<string, ModelSignature>, stepList: EnsembleStep[] = list()) =>
    connectSignatures(
      ensemble,
      stepList,
      (step) => (step.remote ? undefined : models[step.model_name]),
      (step) => (step.fallback_model ? models[step.fallback_model] : undefined),
    );
  const pre = model(
    "pre",
    ["image", "UINT8", [-1, -1, 3]],
    ["normalized", "FP32", [-1, 3, 48, 192]],
  );
  const cls = model("cls", ["x", "FP32", [-1, 3, 48, 192]], ["p", "FP32", [-1, 2]]);

  it("connects matching steps and knows every tensor's datatype and shape", () => {
    const tensors = connect({ pre, cls });
    expect(tensors.get("T")).toMatchObject({ datatype: "FP32", shape: [-1, 3, 48, 192] });
  });

  it("names the step and tensor of a datatype mismatch", () => {
    const half = model("cls", ["x", "FP16", [-1, 3, 48, 192]], ["p", "FP32", [-1, 2]]);
    expect(() => connect({ pre, cls: half })).toThrow(
      "ensemble tensor 'T': inconsistent data type: FP16 in step 1 (model 'cls') input 'x' but FP32 in step 0 (model 'pre') output 'normalized'",
    );
  });

  it("names the step and tensor of a shape mismatch", () => {
    const small = model("cls", ["x", "FP32", [-1, 3, 32, 100]], ["p", "FP32", [-1, 2]]);
    expect(() => connect({ pre, cls: small })).toThrow(
      "ensemble tensor 'T': inconsistent shape: [-1,3,32,100] in step 1 (model 'cls') input 'x' but [-1,3,48,192] in step 0 (model 'pre') output 'normalized'",
    );
  });

  it("names an input the step leaves unmapped and a mapped name the model lacks", () => {
    const two: ModelSignature = {
      ...cls,
      inputs: [...cls.inputs, { name: "mask", datatype: "FP32", shape: [-1, 4] }],
    };
    expect(() => connect({ pre, cls: two })).toThrow(
      "step 1 (model 'cls'): input 'mask' of model 'cls' is not mapped to any ensemble tensor",
    );
    const renamed = model("cls", ["pixels", "FP32", [-1, 3, 48, 192]], ["p", "FP32", [-1, 2]]);
    expect(() => connect({ pre, cls: renamed })).toThrow(
      "step 1 (model 'cls'): input_map reads ensemble tensor 'T' into 'x', which is not an input of model 'cls'; its inputs are 'pixels'",
    );
  });

  it("refuses a step model whose max_batch_size is below the ensemble's (Triton's rule)", () => {
    const narrow = model("cls", ["x", "FP32", [-1, 3, 48, 192]], ["p", "FP32", [-1, 2]], 2);
    expect(() => connect({ pre, cls: narrow })).toThrow(
      "the ensemble allows max_batch_size 4, but step 1 (model 'cls') runs model 'cls', which allows only 2",
    );
  });

  it("checks a step's fallback model like the step's own", () => {
    const wrong = model("cls_small", ["x", "FP32", [-1, 3, 48, 192]], ["p", "INT64", [-1, 2]]);
    const stepList = list({ on_failure: "fallback_model", fallback_model: "cls_small" });
    expect(() => connect({ pre, cls, cls_small: wrong }, stepList)).toThrow(
      "inconsistent data type: INT64 in step 1 (model 'cls') fallback model 'cls_small' output 'p'",
    );
  });

  it("wants a remote step's outputs declared elsewhere, and takes them from there", () => {
    const remote = list({ remote: { url: "https://cloud.example" } });
    expect(connect({ pre }, remote).get("OUT")).toMatchObject({ datatype: "FP32", shape: [-1, 2] });
    const remoteFirst = spec({
      ...base,
      ensemble_scheduling: {
        step: [
          s(
            "pre",
            { image: "IN" },
            { normalized: "T" },
            { remote: { url: "https://cloud.example" } },
          ),
          s("cls", { x: "T" }, { p: "OUT" }),
        ],
      },
    }).steps;
    expect(connect({ cls }, remoteFirst).get("T")).toMatchObject({
      source: "step 1 (model 'cls') input 'x'",
    });
    const loose = spec({
      ...base,
      ensemble_scheduling: {
        step: [
          s(
            "pre",
            { image: "IN" },
            { normalized: "T" },
            { remote: { url: "https://cloud.example" } },
          ),
          s("cls", { x: "T" }, { p: "OUT" }, { remote: { url: "https://cloud.example" } }),
        ],
      },
    }).steps;
    expect(() => connect({}, loose)).toThrow(
      "ensemble tensor 'T' written by remote step 0 (model 'pre') has no declared datatype and shape",
    );
  });
});
