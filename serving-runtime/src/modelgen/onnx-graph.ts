import { onnx } from "onnx-proto";

/** ONNX element types by the names used in this project (Open Inference Protocol datatypes). */
export const ONNX_ELEMENT_TYPE = {
  BOOL: onnx.TensorProto.DataType.BOOL,
  UINT8: onnx.TensorProto.DataType.UINT8,
  UINT16: onnx.TensorProto.DataType.UINT16,
  UINT32: onnx.TensorProto.DataType.UINT32,
  UINT64: onnx.TensorProto.DataType.UINT64,
  INT8: onnx.TensorProto.DataType.INT8,
  INT16: onnx.TensorProto.DataType.INT16,
  INT32: onnx.TensorProto.DataType.INT32,
  INT64: onnx.TensorProto.DataType.INT64,
  FP16: onnx.TensorProto.DataType.FLOAT16,
  FP32: onnx.TensorProto.DataType.FLOAT,
  FP64: onnx.TensorProto.DataType.DOUBLE,
  BYTES: onnx.TensorProto.DataType.STRING,
} as const;

/** A datatype name accepted by the graph builder. */
export type GraphDatatype = keyof typeof ONNX_ELEMENT_TYPE;

/** A graph input or output: name, element type and shape (a string or -1 marks a dynamic dim). */
export interface GraphValue {
  /** Tensor name. */
  name: string;
  /** Element type. */
  datatype: GraphDatatype;
  /** Dimensions; a string names a symbolic dimension, -1 an anonymous dynamic one. */
  shape: (number | string)[];
}

/** A constant tensor stored in the graph (weights). Float32 only; enough for generated models. */
export interface GraphInitializer {
  /** Tensor name, referenced by node inputs. */
  name: string;
  /** Dimensions. */
  dims: number[];
  /** Values, row-major. */
  values: Float32Array | number[];
  /** Element type; FP32 unless given (INT64 for shape tensors). */
  datatype?: "FP32" | "INT64";
}

/** One attribute value of a node. */
export type GraphAttribute = number | string | number[] | { floats: number[] } | { float: number };

/** One operator node. */
export interface GraphNode {
  /** ONNX operator type, e.g. `Add`, `Conv`, `Gemm`. */
  op: string;
  /** Input tensor names. */
  inputs: string[];
  /** Output tensor names. */
  outputs: string[];
  /** Attributes: integers, strings, integer lists, or `{ floats }` / `{ float }` for floats. */
  attributes?: Record<string, GraphAttribute>;
}

/** A whole single-graph model. */
export interface GraphSpec {
  /** Graph name. */
  name: string;
  /** Graph inputs. */
  inputs: GraphValue[];
  /** Graph outputs. */
  outputs: GraphValue[];
  /** Operator nodes in topological order. */
  nodes: GraphNode[];
  /** Constant tensors. */
  initializers?: GraphInitializer[];
  /** Default-domain opset; 17 unless given. */
  opset?: number;
}

function valueInfo(value: GraphValue): onnx.IValueInfoProto {
  return {
    name: value.name,
    type: {
      tensorType: {
        elemType: ONNX_ELEMENT_TYPE[value.datatype],
        shape: {
          dim: value.shape.map((d) =>
            typeof d === "string" ? { dimParam: d } : d < 0 ? {} : { dimValue: d },
          ),
        },
      },
    },
  };
}

function attribute(name: string, value: GraphAttribute): onnx.IAttributeProto {
  const T = onnx.AttributeProto.AttributeType;
  if (typeof value === "number") return { name, type: T.INT, i: value };
  if (typeof value === "string") return { name, type: T.STRING, s: Buffer.from(value) };
  if (Array.isArray(value)) return { name, type: T.INTS, ints: value };
  if ("floats" in value) return { name, type: T.FLOATS, floats: value.floats };
  return { name, type: T.FLOAT, f: value.float };
}

function initializer(init: GraphInitializer): onnx.ITensorProto {
  if (init.datatype === "INT64") {
    return {
      name: init.name,
      dims: init.dims,
      dataType: ONNX_ELEMENT_TYPE.INT64,
      int64Data: [...init.values],
    };
  }
  const values = init.values instanceof Float32Array ? init.values : Float32Array.from(init.values);
  return {
    name: init.name,
    dims: init.dims,
    dataType: ONNX_ELEMENT_TYPE.FP32,
    rawData: new Uint8Array(values.buffer, values.byteOffset, values.byteLength),
  };
}

/** Serializes a graph spec to ONNX model bytes that onnxruntime can load. */
export function buildOnnxModel(spec: GraphSpec): Uint8Array {
  const model: onnx.IModelProto = {
    irVersion: 8,
    producerName: "hybridai-modelgen",
    opsetImport: [{ domain: "", version: spec.opset ?? 17 }],
    graph: {
      name: spec.name,
      input: spec.inputs.map(valueInfo),
      output: spec.outputs.map(valueInfo),
      initializer: (spec.initializers ?? []).map(initializer),
      node: spec.nodes.map((node, index) => ({
        name: `${node.op.toLowerCase()}_${index}`,
        opType: node.op,
        input: node.inputs,
        output: node.outputs,
        attribute: Object.entries(node.attributes ?? {}).map(([k, v]) => attribute(k, v)),
      })),
    },
  };
  return onnx.ModelProto.encode(model).finish();
}
