import {
  headerFieldBytes,
  MAX_MESSAGE_RANK,
  MAX_MESSAGE_TENSORS,
  screenInferRequest,
} from "@hybridai/serving-runtime/src/grpc/message-screen";
import { inferenceProtocol } from "@hybridai/serving-runtime/src/grpc/proto";
import { InferenceError } from "@hybridai/serving-runtime/src/protocol/errors";
import { describe, expect, it } from "vitest";

const method = (inferenceProtocol()["inference.GRPCInferenceService"] as Record<string, never>)
  .ModelInfer as {
  requestSerialize(value: unknown): Buffer;
  requestDeserialize(bytes: Buffer): Record<string, unknown>;
};

const encode = (request: unknown) => method.requestSerialize(request);

function refusal(bytes: Buffer): string | undefined {
  try {
    screenInferRequest(bytes);
    return undefined;
  } catch (error) {
    if (!(error instanceof InferenceError)) throw error;
    return `${error.kind}: ${error.message}`;
  }
}

describe("screenInferRequest (before protobuf decodes a ModelInferRequest)", () => {
  it("passes an ordinary request, and malformed bytes (the decoder reports those)", () => {
    const request = {
      model_name: "m",
      parameters: { timeout: { int64_param: 5 } },
      inputs: [
        { name: "x", datatype: "FP32", shape: [1, 3], parameters: { a: { bool_param: true } } },
      ],
      outputs: [{ name: "y" }],
      raw_input_contents: [Buffer.alloc(12)],
    };
    expect(refusal(encode(request))).toBeUndefined();
    expect(refusal(Buffer.from([0xff, 0xff, 0xff]))).toBeUndefined();
  });

  it("refuses too many inputs, outputs, dimensions or parameters, counting without decoding", () => {
    const input = { name: "", datatype: "FP32", shape: [1] };
    expect(refusal(encode({ inputs: new Array(MAX_MESSAGE_TENSORS + 1).fill(input) }))).toBe(
      `INVALID_ARGUMENT: the request has ${MAX_MESSAGE_TENSORS + 1} inputs; at most ${MAX_MESSAGE_TENSORS} are accepted`,
    );
    expect(
      refusal(encode({ outputs: new Array(MAX_MESSAGE_TENSORS + 1).fill({ name: "y" }) })),
    ).toMatch(/outputs; at most/);
    const rank = { ...input, shape: new Array(MAX_MESSAGE_RANK + 1).fill(300) };
    expect(refusal(encode({ inputs: [rank] }))).toMatch(
      new RegExp(`${MAX_MESSAGE_RANK + 1} dimensions in an input's shape`),
    );
    const parameters = Object.fromEntries(
      Array.from({ length: 65 }, (_, i) => [`p${i}`, { bool_param: true }]),
    );
    expect(refusal(encode({ parameters }))).toMatch(/65 request parameters; at most 64/);
    expect(refusal(encode({ inputs: [{ ...input, parameters }] }))).toMatch(
      /parameters on an input/,
    );
    expect(refusal(encode({ outputs: [{ name: "y", parameters }] }))).toMatch(
      /parameters on an output/,
    );
  });

  it("keeps the model name, version and id of a refused request, and nothing else", () => {
    const bytes = encode({
      model_name: "ranker",
      model_version: "2",
      id: "req-1",
      inputs: new Array(10).fill({ name: "x", datatype: "FP32", shape: [1] }),
    });
    const header = method.requestDeserialize(headerFieldBytes(bytes));
    expect(header).toMatchObject({ model_name: "ranker", model_version: "2", id: "req-1" });
    expect(header.inputs).toEqual([]);
  });
});
