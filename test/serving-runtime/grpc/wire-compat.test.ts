import path from "node:path";
import { loadSync, type MessageTypeDefinition } from "@grpc/proto-loader";
import { describe, expect, it } from "vitest";

const PROTO_DIRECTORY = path.resolve(__dirname, "../../../serving-runtime/proto");

/**
 * Triton's `grpc_service.proto` and `model_config.proto` (triton-inference-server/common,
 * protobuf/) and KServe's `open_inference_grpc.proto`, transcribed by hand from the published
 * files: `field=number:type`, `*` for repeated, `map` for a map field. A client generated from
 * those files (tritonclient.grpc, KServe, perf_analyzer) talks to this server only if every name
 * and number here is the server's.
 */
const TRITON: Record<string, string> = {
  ServerLiveResponse: "live=1:bool",
  ServerReadyResponse: "ready=1:bool",
  ModelReadyRequest: "name=1:string version=2:string",
  ModelReadyResponse: "ready=1:bool",
  ServerMetadataResponse: "name=1:string version=2:string extensions=3:*string",
  ModelMetadataRequest: "name=1:string version=2:string",
  ModelMetadataResponse:
    "name=1:string versions=2:*string platform=3:string inputs=4:*message outputs=5:*message",
  "ModelMetadataResponse.TensorMetadata": "name=1:string datatype=2:string shape=3:*int64",
  InferParameter:
    "bool_param=1:bool int64_param=2:int64 string_param=3:string double_param=4:double uint64_param=5:uint64",
  InferTensorContents:
    "bool_contents=1:*bool int_contents=2:*int32 int64_contents=3:*int64 uint_contents=4:*uint32 " +
    "uint64_contents=5:*uint64 fp32_contents=6:*float fp64_contents=7:*double bytes_contents=8:*bytes",
  ModelInferRequest:
    "model_name=1:string model_version=2:string id=3:string parameters=4:map inputs=5:*message " +
    "outputs=6:*message raw_input_contents=7:*bytes",
  "ModelInferRequest.InferInputTensor":
    "name=1:string datatype=2:string shape=3:*int64 parameters=4:map contents=5:message",
  "ModelInferRequest.InferRequestedOutputTensor": "name=1:string parameters=2:map",
  ModelInferResponse:
    "model_name=1:string model_version=2:string id=3:string parameters=4:map outputs=5:*message " +
    "raw_output_contents=6:*bytes",
  "ModelInferResponse.InferOutputTensor":
    "name=1:string datatype=2:string shape=3:*int64 parameters=4:map contents=5:message",
  ModelStreamInferResponse: "error_message=1:string infer_response=2:message",
  ModelConfigRequest: "name=1:string version=2:string",
  ModelConfigResponse: "config=1:message",
  ModelStatisticsRequest: "name=1:string version=2:string",
  StatisticDuration: "count=1:uint64 ns=2:uint64",
  InferStatistics:
    "success=1:message fail=2:message queue=3:message compute_input=4:message " +
    "compute_infer=5:message compute_output=6:message cache_hit=7:message cache_miss=8:message",
  InferBatchStatistics:
    "batch_size=1:uint64 compute_input=2:message compute_infer=3:message compute_output=4:message",
  MemoryUsage: "type=1:string id=2:int64 byte_size=3:uint64",
  ModelStatistics:
    "name=1:string version=2:string last_inference=3:uint64 inference_count=4:uint64 " +
    "execution_count=5:uint64 inference_stats=6:message batch_stats=7:*message memory_usage=8:*message",
  ModelStatisticsResponse: "model_stats=1:*message",
  ModelRepositoryParameter:
    "bool_param=1:bool int64_param=2:int64 string_param=3:string bytes_param=4:bytes",
  RepositoryIndexRequest: "repository_name=1:string ready=2:bool",
  RepositoryIndexResponse: "models=1:*message",
  "RepositoryIndexResponse.ModelIndex":
    "name=1:string version=2:string state=3:string reason=4:string",
  RepositoryModelLoadRequest: "repository_name=1:string model_name=2:string parameters=3:map",
  RepositoryModelUnloadRequest: "repository_name=1:string model_name=2:string parameters=3:map",
  ModelConfig:
    "name=1:string platform=2:string backend=17:string version_policy=3:message " +
    "max_batch_size=4:int32 input=5:*message output=6:*message dynamic_batching=11:message " +
    "instance_group=7:*message default_model_filename=8:string parameters=14:map " +
    "model_warmup=16:*message response_cache=24:message ensemble_scheduling=15:message",
  ModelEnsembling: "step=1:*message max_inflight_requests=2:uint32",
  "ModelEnsembling.Step":
    "model_name=1:string model_version=2:int64 input_map=3:map output_map=4:map " +
    "model_namespace=5:string",
  ModelInput: "name=1:string data_type=2:enum format=3:enum dims=4:*int64",
  ModelOutput: "name=1:string data_type=2:enum dims=3:*int64",
  ModelInstanceGroup: "name=1:string kind=4:enum count=2:int32 gpus=3:*int32",
  ModelDynamicBatching:
    "preferred_batch_size=1:*int32 max_queue_delay_microseconds=2:uint64 " +
    "preserve_ordering=3:bool default_queue_policy=6:message",
  ModelQueuePolicy:
    "timeout_action=1:enum default_timeout_microseconds=2:uint64 allow_timeout_override=3:bool " +
    "max_queue_size=4:uint32",
  ModelParameter: "string_value=1:string",
  ModelResponseCache: "enable=1:bool",
  TraceSettingRequest: "settings=1:map model_name=2:string",
  "TraceSettingRequest.SettingValue": "value=1:*string",
  TraceSettingResponse: "settings=1:map",
  "TraceSettingResponse.SettingValue": "value=1:*string",
};

const TRITON_METHODS = [
  "ServerLive",
  "ServerReady",
  "ModelReady",
  "ServerMetadata",
  "ModelMetadata",
  "ModelInfer",
  "ModelConfig",
  "ModelStatistics",
  "RepositoryIndex",
  "RepositoryModelLoad",
  "RepositoryModelUnload",
  "TraceSetting",
];

interface FieldDescriptor {
  name: string;
  number: number;
  label: string;
  type: string;
  typeName: string;
}

interface MessageDescriptor {
  name: string;
  field: FieldDescriptor[];
  nestedType: MessageDescriptor[];
  options: { mapEntry?: boolean } | null;
}

const definition = loadSync("grpc_service.proto", {
  includeDirs: [PROTO_DIRECTORY],
  keepCase: true,
});

/** The descriptor of `Outer` or `Outer.Inner` in package `inference`. */
function messageNamed(name: string): MessageDescriptor | undefined {
  const [outer, ...inner] = name.split(".");
  const top = definition[`inference.${outer}`] as MessageTypeDefinition<object, object> | undefined;
  let message = top?.type as unknown as MessageDescriptor | undefined;
  for (const part of inner) message = message?.nestedType.find((n) => n.name === part);
  return message;
}

function describeField(message: MessageDescriptor, field: FieldDescriptor): string {
  const entry = message.nestedType.find((n) => n.name === field.typeName);
  if (entry?.options?.mapEntry) return `${field.name}=${field.number}:map`;
  const type = field.type.replace("TYPE_", "").toLowerCase();
  return `${field.name}=${field.number}:${field.label === "LABEL_REPEATED" ? "*" : ""}${type}`;
}

describe("wire compatibility with Triton's and KServe's .proto files", () => {
  it.each(Object.entries(TRITON))("message inference.%s", (name, expected) => {
    const message = messageNamed(name);
    expect(message, name).toBeDefined();
    const fields = (message as MessageDescriptor).field
      .filter((field) => field.number < 1001)
      .map((field) => describeField(message as MessageDescriptor, field))
      .sort();
    expect(fields).toEqual(expected.split(" ").sort());
  });

  it("serves each RPC at Triton's path, unary except ModelStreamInfer (streams both ways)", () => {
    const service = definition["inference.GRPCInferenceService"] as Record<
      string,
      { path: string; requestStream: boolean; responseStream: boolean }
    >;
    expect(Object.keys(service).sort()).toEqual([...TRITON_METHODS, "ModelStreamInfer"].sort());
    for (const method of TRITON_METHODS) {
      expect(service[method].path).toBe(`/inference.GRPCInferenceService/${method}`);
      expect(service[method].requestStream || service[method].responseStream).toBe(false);
    }
    expect(service.ModelStreamInfer.path).toBe("/inference.GRPCInferenceService/ModelStreamInfer");
    expect([
      service.ModelStreamInfer.requestStream,
      service.ModelStreamInfer.responseStream,
    ]).toEqual([true, true]);
  });

  it("numbers the DataType enum as Triton does", () => {
    const dataType = definition["inference.DataType"] as unknown as {
      type: { value: { name: string; number: number }[] };
    };
    const names = [
      "TYPE_INVALID",
      "TYPE_BOOL",
      "TYPE_UINT8",
      "TYPE_UINT16",
      "TYPE_UINT32",
      "TYPE_UINT64",
      "TYPE_INT8",
      "TYPE_INT16",
      "TYPE_INT32",
      "TYPE_INT64",
      "TYPE_FP16",
      "TYPE_FP32",
      "TYPE_FP64",
      "TYPE_STRING",
      "TYPE_BF16",
    ];
    expect(dataType.type.value.map((v) => `${v.name}=${v.number}`)).toEqual(
      names.map((n, i) => `${n}=${i}`),
    );
  });
});
