import { parseModelConfig } from "@hybridai/serving-runtime/src/repository/model-config";
import { parseModelConfigText } from "@hybridai/serving-runtime/src/repository/pbtxt";
import { describe, expect, it } from "vitest";

/** A Triton config.pbtxt as Triton's docs write them: list and block syntax, maps, comments. */
const TRITON_CONFIG = `
name: "densenet_onnx"
platform: "onnxruntime_onnx"
max_batch_size: 8
input [
  {
    name: "data_0"
    data_type: TYPE_FP32
    format: FORMAT_NCHW
    dims: [ 3, 224, 224 ]
  }
]
output { name: "fc6_1", data_type: TYPE_FP32, dims: [ 1000 ] }
instance_group [ { count: 2 kind: KIND_CPU } ]
dynamic_batching {
  preferred_batch_size: [ 4, 8 ]
  max_queue_delay_microseconds: 100
  default_queue_policy { max_queue_size: 10 default_timeout_microseconds: 5000000 }
}
# Triton's ONNX Runtime backend reads these parameters too.
parameters { key: "intra_op_thread_count" value: { string_value: "1" } }
model_warmup [
  {
    name: "zeros"
    batch_size: 2
    inputs { key: "data_0" value: { data_type: TYPE_FP32 dims: [ 3, 224, 224 ] zero_data: true } }
  }
]
version_policy: { specific: { versions: [ 1, 3 ] } }
response_cache { enable: true }
`;

describe("config.pbtxt", () => {
  it("reads Triton's text format into the JSON form of the same config", () => {
    expect(parseModelConfigText(TRITON_CONFIG)).toEqual({
      name: "densenet_onnx",
      platform: "onnxruntime_onnx",
      max_batch_size: 8,
      input: [
        { name: "data_0", data_type: "TYPE_FP32", format: "FORMAT_NCHW", dims: [3, 224, 224] },
      ],
      output: [{ name: "fc6_1", data_type: "TYPE_FP32", dims: [1000] }],
      instance_group: [{ count: 2, kind: "KIND_CPU" }],
      dynamic_batching: {
        preferred_batch_size: [4, 8],
        max_queue_delay_microseconds: 100,
        default_queue_policy: { max_queue_size: 10, default_timeout_microseconds: 5000000 },
      },
      parameters: { intra_op_thread_count: { string_value: "1" } },
      model_warmup: [
        {
          name: "zeros",
          batch_size: 2,
          inputs: { data_0: { data_type: "TYPE_FP32", dims: [3, 224, 224], zero_data: true } },
        },
      ],
      version_policy: { specific: { versions: [1, 3] } },
      response_cache: { enable: true },
    });
  });

  it("tells an explicit max_batch_size: 0 from none", () => {
    expect(parseModelConfigText("max_batch_size: 0")).toEqual({ max_batch_size: 0 });
    expect(parseModelConfigText('name: "m"')).toEqual({ name: "m" });
  });

  it("goes through the same validation as config.json, with the same messages", () => {
    const fromText = () =>
      parseModelConfig(parseModelConfigText("instance_group [ { count: 0 } ]"), "m/config.pbtxt");
    const fromJson = () => parseModelConfig({ instance_group: [{ count: 0 }] }, "m/config.pbtxt");
    expect(fromText).toThrow(
      "m/config.pbtxt: instance_group[0].count: Too small: expected number to be >=1",
    );
    expect(fromJson).toThrow(
      "m/config.pbtxt: instance_group[0].count: Too small: expected number to be >=1",
    );
  });

  it("names a Triton field this runtime does not support, and its line", () => {
    expect(() =>
      parseModelConfigText(
        'name: "m"\nsequence_batching { max_sequence_idle_microseconds: 5000000 }',
      ),
    ).toThrow(
      "field 'sequence_batching' of ModelConfig (line 2) is part of Triton's model configuration but not supported by hybridai-serve; remove it",
    );
    expect(() =>
      parseModelConfigText('input [ { name: "x"\n  reshape { shape: [ 1 ] } } ]'),
    ).toThrow(/field 'reshape' of ModelInput \(line 2\)/);
  });

  it("names a misspelt field, and reports malformed text", () => {
    expect(() => parseModelConfigText("max_batch_sise: 4")).toThrow(
      "unknown field 'max_batch_sise' in ModelConfig (line 1); check its spelling against Triton's model configuration",
    );
    expect(() => parseModelConfigText("max_batch_size: 1 max_batch_size: 2")).toThrow(
      /non-repeated field "max_batch_size" is repeated/,
    );
    expect(() => parseModelConfigText('input { name: "x" ')).toThrow(/unexpected end of input/);
  });

  it("reads hybridai's own fallback and circuit_breaker blocks", () => {
    expect(
      parseModelConfigText(
        'fallback { model: "small" on: [ "error", "timeout" ] }\ncircuit_breaker { window_size: 8 minimum_requests: 4 }',
      ),
    ).toEqual({
      fallback: { model: "small", on: ["error", "timeout"] },
      circuit_breaker: { window_size: 8, minimum_requests: 4 },
    });
  });
});
