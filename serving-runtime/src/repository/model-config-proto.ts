import { createFileRegistry, type DescMessage, fromJson } from "@bufbuild/protobuf";
import {
  type DescriptorProtoJson,
  type EnumDescriptorProtoJson,
  type FieldDescriptorProtoJson,
  FileDescriptorProtoSchema,
} from "@bufbuild/protobuf/wkt";

/*
 * The schema of Triton's `ModelConfig` (triton-inference-server/common,
 * `protobuf/model_config.proto`, package `inference`) as far as this runtime supports it, with
 * Triton's field names and numbers, plus hybridai's own `execution_providers`, `fallback`,
 * `circuit_breaker`, `shadow` (numbers from 1001) and `output_distribution` (1020), and the
 * ensemble step's `on_failure`, `fallback_model` and `remote` (1001–1003 of `Step`). The
 * protobuf text format is not self-describing, so `config.pbtxt` is read against it. Fields of Triton's schema that are left out (sequence
 * batching, optimization, reshape …) are not supported: the parser rejects them by
 * name. Declared as proto2 so that an explicit `max_batch_size: 0` is told apart from none.
 */
type Scalar = "string" | "bool" | "int32" | "uint32" | "int64" | "uint64" | "double";

const SCALAR_TYPE: Record<Scalar, FieldDescriptorProtoJson["type"]> = {
  string: "TYPE_STRING",
  bool: "TYPE_BOOL",
  int32: "TYPE_INT32",
  uint32: "TYPE_UINT32",
  int64: "TYPE_INT64",
  uint64: "TYPE_UINT64",
  double: "TYPE_DOUBLE",
};

/** `name:type:number`, `repeated name:type:number`; a type starting with `.` names a message or enum. */
function field(spec: string, oneofIndex?: number): FieldDescriptorProtoJson {
  const repeated = spec.startsWith("repeated ");
  const [name, type, number] = (repeated ? spec.slice(9) : spec).split(":");
  const base: FieldDescriptorProtoJson = {
    name,
    number: Number(number),
    label: repeated ? "LABEL_REPEATED" : "LABEL_OPTIONAL",
    jsonName: name,
  };
  if (oneofIndex !== undefined) base.oneofIndex = oneofIndex;
  if (type in SCALAR_TYPE) return { ...base, type: SCALAR_TYPE[type as Scalar] };
  if (type.startsWith("enum")) return { ...base, type: "TYPE_ENUM", typeName: type.slice(4) };
  return { ...base, type: "TYPE_MESSAGE", typeName: type };
}

function message(
  name: string,
  fields: FieldDescriptorProtoJson[],
  extra: Partial<DescriptorProtoJson> = {},
): DescriptorProtoJson {
  return { name, field: fields, ...extra };
}

/** A map field `name` of `value` type: Triton writes them as `name { key: … value: … }`. */
function mapEntry(entry: string, value: string): DescriptorProtoJson {
  return message(entry, [field("key:string:1"), field(`value:${value}:2`)], {
    options: { mapEntry: true },
  });
}

function enumOf(name: string, values: string[], first = 0): EnumDescriptorProtoJson {
  return { name, value: values.map((value, i) => ({ name: value, number: first + i })) };
}

const DATA_TYPES = [
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

const MESSAGES: DescriptorProtoJson[] = [
  message(
    "ModelVersionPolicy",
    [
      field("latest:.inference.ModelVersionPolicy.Latest:1", 0),
      field("all:.inference.ModelVersionPolicy.All:2", 0),
      field("specific:.inference.ModelVersionPolicy.Specific:3", 0),
    ],
    {
      oneofDecl: [{ name: "policy_choice" }],
      nestedType: [
        message("Latest", [field("num_versions:uint32:1")]),
        message("All", []),
        message("Specific", [field("repeated versions:int64:1")]),
      ],
    },
  ),
  message(
    "ModelInput",
    [
      field("name:string:1"),
      field("data_type:enum.inference.DataType:2"),
      field("format:enum.inference.ModelInput.Format:3"),
      field("repeated dims:int64:4"),
    ],
    { enumType: [enumOf("Format", ["FORMAT_NONE", "FORMAT_NHWC", "FORMAT_NCHW"])] },
  ),
  message("ModelOutput", [
    field("name:string:1"),
    field("data_type:enum.inference.DataType:2"),
    field("repeated dims:int64:3"),
  ]),
  message(
    "ModelInstanceGroup",
    [
      field("name:string:1"),
      field("kind:enum.inference.ModelInstanceGroup.Kind:4"),
      field("count:int32:2"),
      field("repeated gpus:int32:3"),
    ],
    { enumType: [enumOf("Kind", ["KIND_AUTO", "KIND_GPU", "KIND_CPU", "KIND_MODEL"])] },
  ),
  message(
    "ModelQueuePolicy",
    [
      field("timeout_action:enum.inference.ModelQueuePolicy.TimeoutAction:1"),
      field("default_timeout_microseconds:uint64:2"),
      field("allow_timeout_override:bool:3"),
      field("max_queue_size:uint32:4"),
    ],
    { enumType: [enumOf("TimeoutAction", ["REJECT", "DELAY"])] },
  ),
  message("ModelDynamicBatching", [
    field("repeated preferred_batch_size:int32:1"),
    field("max_queue_delay_microseconds:uint64:2"),
    field("preserve_ordering:bool:3"),
    field("default_queue_policy:.inference.ModelQueuePolicy:6"),
  ]),
  message("ModelParameter", [field("string_value:string:1")]),
  message(
    "ModelWarmup",
    [
      field("name:string:1"),
      field("batch_size:uint32:2"),
      field("repeated inputs:.inference.ModelWarmup.InputsEntry:3"),
      field("count:uint32:4"),
    ],
    {
      nestedType: [
        message(
          "Input",
          [
            field("data_type:enum.inference.DataType:1"),
            field("repeated dims:int64:2"),
            field("zero_data:bool:3", 0),
            field("random_data:bool:4", 0),
          ],
          { oneofDecl: [{ name: "input_data_type" }] },
        ),
        mapEntry("InputsEntry", ".inference.ModelWarmup.Input"),
      ],
    },
  ),
  message("ModelResponseCache", [field("enable:bool:1")]),
  message("HybridaiFallback", [
    field("model:string:1"),
    field("repeated on:string:2"),
    field("url:string:3"),
    field("token_file:string:4"),
    field("timeout_ms:uint32:5"),
    field("circuit_breaker:.inference.HybridaiCircuitBreaker:6"),
  ]),
  message("HybridaiOutputDistribution", [
    field("name:string:1"),
    field("kind:string:2"),
    field("repeated buckets:double:3"),
  ]),
  message("HybridaiCircuitBreaker", [
    field("failure_rate_threshold:double:1"),
    field("latency_threshold_ms:double:2"),
    field("latency_quantile:double:3"),
    field("window_size:uint32:4"),
    field("minimum_requests:uint32:5"),
    field("open_duration_ms:uint32:6"),
    field("half_open_max_probes:uint32:7"),
  ]),
  message("HybridaiShadow", [
    field("model:string:1"),
    field("url:string:2"),
    field("token_file:string:3"),
    field("timeout_ms:uint32:4"),
    field("sample:double:5"),
    field("tolerance:double:6"),
    field("repeated class_outputs:string:7"),
    field("max_queue_size:uint32:8"),
    field("max_concurrency:uint32:9"),
    field("log_interval_ms:uint32:10"),
  ]),
  message("HybridaiRemoteStep", [
    field("url:string:1"),
    field("token_file:string:2"),
    field("timeout_ms:uint32:3"),
    field("circuit_breaker:.inference.HybridaiCircuitBreaker:4"),
  ]),
  message(
    "ModelEnsembling",
    [
      field("repeated step:.inference.ModelEnsembling.Step:1"),
      field("max_inflight_requests:uint32:2"),
    ],
    {
      nestedType: [
        message(
          "Step",
          [
            field("model_name:string:1"),
            field("model_version:int64:2"),
            field("repeated input_map:.inference.ModelEnsembling.Step.InputMapEntry:3"),
            field("repeated output_map:.inference.ModelEnsembling.Step.OutputMapEntry:4"),
            field("model_namespace:string:5"),
            field("on_failure:string:1001"),
            field("fallback_model:string:1002"),
            field("remote:.inference.HybridaiRemoteStep:1003"),
          ],
          {
            nestedType: [mapEntry("InputMapEntry", "string"), mapEntry("OutputMapEntry", "string")],
          },
        ),
      ],
    },
  ),
  message(
    "ModelConfig",
    [
      field("name:string:1"),
      field("platform:string:2"),
      field("backend:string:17"),
      field("version_policy:.inference.ModelVersionPolicy:3"),
      field("max_batch_size:int32:4"),
      field("repeated input:.inference.ModelInput:5"),
      field("repeated output:.inference.ModelOutput:6"),
      field("dynamic_batching:.inference.ModelDynamicBatching:11"),
      field("ensemble_scheduling:.inference.ModelEnsembling:15"),
      field("repeated instance_group:.inference.ModelInstanceGroup:7"),
      field("default_model_filename:string:8"),
      field("repeated parameters:.inference.ModelConfig.ParametersEntry:14"),
      field("repeated model_warmup:.inference.ModelWarmup:16"),
      field("response_cache:.inference.ModelResponseCache:24"),
      field("repeated execution_providers:string:1001"),
      field("fallback:.inference.HybridaiFallback:1002"),
      field("circuit_breaker:.inference.HybridaiCircuitBreaker:1003"),
      field("shadow:.inference.HybridaiShadow:1004"),
      field("repeated output_distribution:.inference.HybridaiOutputDistribution:1020"),
    ],
    { nestedType: [mapEntry("ParametersEntry", ".inference.ModelParameter")] },
  ),
];

function buildSchema(): DescMessage {
  const file = fromJson(FileDescriptorProtoSchema, {
    name: "hybridai/model_config.proto",
    package: "inference",
    syntax: "proto2",
    enumType: [enumOf("DataType", DATA_TYPES)],
    messageType: MESSAGES,
  });
  const registry = createFileRegistry(file, () => undefined);
  const schema = registry.getMessage("inference.ModelConfig");
  if (!schema) throw new Error("inference.ModelConfig is missing from the schema");
  return schema;
}

let cached: DescMessage | undefined;

/** The `inference.ModelConfig` message schema `config.pbtxt` files are read against. */
export function modelConfigSchema(): DescMessage {
  cached ??= buildSchema();
  return cached;
}
