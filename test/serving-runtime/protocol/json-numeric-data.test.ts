import { decodeInferRequest } from "@hybridai/serving-runtime/src/protocol/infer-request";
import { decodeJsonData } from "@hybridai/serving-runtime/src/protocol/json-codec";
import {
  extractNumericData,
  NUMERIC_SCAN_MIN_BYTES,
} from "@hybridai/serving-runtime/src/protocol/json-numeric-data";
import type { ModelSignature } from "@hybridai/serving-runtime/src/protocol/tensor-spec";
import { describe, expect, it } from "vitest";

// The scanner that reads large numeric `data` arrays straight from a JSON body (issue 27): the
// same numbers as JSON.parse, bit for bit, and the same request or the same error as without it.

const COUNT = 5_000;

/** image FP32 [5000], ids INT64 [5000], flags BOOL [2]; no batching. */
const MODEL: ModelSignature = {
  name: "wide",
  version: "1",
  maxBatchSize: 0,
  inputs: [
    { name: "image", datatype: "FP32", shape: [COUNT] },
    { name: "ids", datatype: "INT64", shape: [COUNT] },
    { name: "flags", datatype: "BOOL", shape: [2] },
  ],
  outputs: [{ name: "y", datatype: "FP32", shape: [1] }],
};

/** Numbers of every form JSON has: decimals, long mantissas, exponents, negative zero, integers. */
function awkwardNumbers(count: number): string[] {
  const fixed = [
    "0",
    "-0",
    "-0.0",
    "0.1",
    "0.30000000000000004",
    "123456789012345678901234567890",
    "1e308",
    "2.5E-7",
    "-1.7976931348623157e308",
    "5e-324",
    "0.000000000000000000000001234",
    "9007199254740993",
    "1.0000000000000002",
    "-42",
    "3.14159265358979",
    "1E+2",
  ];
  let seed = 7;
  const out = [...fixed];
  while (out.length < count) {
    seed = (seed * 1103515245 + 12345) >>> 0;
    const digits = 1 + (seed % 9);
    out.push(`${seed % 3 === 0 ? "-" : ""}${(seed / 4294967296).toFixed(digits)}`);
  }
  return out;
}

function bodyOf(image: string, ids: string, extra = ""): Buffer {
  return Buffer.from(
    `{"id":"r","inputs":[{"name":"image","datatype":"FP32","shape":[${COUNT}],"data":[${image}]},` +
      `{"name":"ids","shape":[${COUNT}],"datatype":"INT64","data":[ ${ids} ]},` +
      `{"name":"flags","datatype":"BOOL","shape":[2],"data":[true,false]}]${extra}}`,
  );
}

const IMAGE = awkwardNumbers(COUNT);
const IDS = Array.from({ length: COUNT }, (_, i) => `${i * 7919 - 1_000_000}`);

function refusal(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error("accepted");
}

describe("extractNumericData", () => {
  it("reads every number exactly as JSON.parse does and leaves the rest of the body to it", () => {
    const body = bodyOf(IMAGE.join(","), IDS.join(" , "));
    const extracted = extractNumericData(body);
    expect(extracted).toBeDefined();
    const parsed = JSON.parse(body.toString()) as { inputs: { data: unknown[] }[] };
    const image = extracted?.data.get(0) as Float64Array;
    expect(image.length).toBe(COUNT);
    for (let i = 0; i < COUNT; i++) {
      if (!Object.is(image[i], parsed.inputs[0].data[i])) {
        throw new Error(`element ${i} (${IMAGE[i]}): ${image[i]} vs ${parsed.inputs[0].data[i]}`);
      }
    }
    expect(Array.from(extracted?.data.get(1) as Float64Array)).toEqual(parsed.inputs[1].data);
    // Booleans are not numbers: that array stays in the text.
    expect(extracted?.data.has(2)).toBe(false);
    expect(JSON.parse(extracted?.text as string)).toEqual({
      ...parsed,
      inputs: [
        { ...parsed.inputs[0], data: [] },
        { ...parsed.inputs[1], data: [] },
        parsed.inputs[2],
      ],
    });
  });

  it("leaves small bodies, and bodies whose keys it cannot be sure of, to JSON.parse", () => {
    const numbers = IDS.join(",");
    expect(extractNumericData(Buffer.from('{"inputs":[{"data":[1,2]}]}'))).toBeUndefined();
    expect(Buffer.byteLength(numbers)).toBeGreaterThan(NUMERIC_SCAN_MIN_BYTES);
    const escapedKey = Buffer.from(`{"inputs":[{"d\\u0061ta":[9],"data":[${numbers}]}]}`);
    expect(extractNumericData(escapedKey)).toBeUndefined();
    const twice = Buffer.from(`{"inputs":[{"data":[${numbers}],"data":[[1]]}]}`);
    expect(extractNumericData(twice)).toBeUndefined();
    const twoInputs = Buffer.from(`{"inputs":[{"data":[${numbers}]}],"inputs":[]}`);
    expect(extractNumericData(twoInputs)).toBeUndefined();
    const notAnObject = Buffer.from(`[{"inputs":[{"data":[${numbers}]}]}]`);
    expect(extractNumericData(notAnObject)).toBeUndefined();
  });

  it("takes only inputs[i].data: not nested arrays, strings, other keys or deeper objects", () => {
    const numbers = IDS.join(",");
    const body = Buffer.from(
      `{"parameters":{"data":[${numbers}]},"inputs":[7,{"name":"a","parameters":{"data":[1]},"data":[[1,2],[3,4]]},` +
        `{"name":"b","data":["1",2]},{"name":"c","data":[${numbers}]}],"outputs":[{"data":[1]}]}`,
    );
    const extracted = extractNumericData(body);
    expect([...(extracted?.data.keys() ?? [])]).toEqual([3]);
    const parsed = JSON.parse(body.toString());
    parsed.inputs[3].data = [];
    expect(JSON.parse(extracted?.text as string)).toEqual(parsed);
  });

  it("leaves malformed numbers to JSON.parse", () => {
    for (const bad of ["01", "1.", ".5", "+1", "1e", "--1", "1,,2", "1,]", "0x10", "NaN"]) {
      const body = Buffer.from(`{"inputs":[{"data":[${IDS.join(",")},${bad}]}]}`);
      expect(extractNumericData(body)?.data.size ?? 0).toBe(0);
    }
  });
});

describe("decodeInferRequest with the numeric scanner", () => {
  it("decodes a large JSON body to the same tensors as JSON.parse and decodeJsonData", () => {
    const body = bodyOf(IMAGE.join(","), IDS.join(","));
    const request = decodeInferRequest(body, undefined, MODEL);
    const parsed = JSON.parse(body.toString()) as { inputs: { data: unknown[] }[] };
    expect(request.inputs[0].data).toEqual(
      decodeJsonData("image", "FP32", parsed.inputs[0].data, [COUNT]),
    );
    expect(request.inputs[1].data).toEqual(
      decodeJsonData("ids", "INT64", parsed.inputs[1].data, [COUNT]),
    );
    expect(request.inputs[2].data).toEqual(new Uint8Array([1, 0]));
  });

  it("refuses with the messages the request always got", () => {
    const fraction = IDS.map((id, i) => (i === 17 ? "0.5" : id)).join(",");
    expect(
      refusal(() => decodeInferRequest(bodyOf(IMAGE.join(","), fraction), undefined, MODEL)),
    ).toBe("input 'ids' (INT64): element 17 is 0.5; expected an integer");
    const short = IDS.slice(1).join(",");
    expect(
      refusal(() => decodeInferRequest(bodyOf(IMAGE.join(","), short), undefined, MODEL)),
    ).toBe(
      `input 'ids': its shape has ${COUNT} elements but 'data' holds ${COUNT - 1}; the number of elements must equal the product of the shape`,
    );
    const truncated = bodyOf(IMAGE.join(","), IDS.join(",")).subarray(0, -1);
    expect(refusal(() => decodeInferRequest(truncated, undefined, MODEL))).toBe(
      refusal(() => JSON.parse(truncated.toString())).replace(
        /^/,
        "malformed JSON in request body: ",
      ) +
        '; send an inference request object like {"inputs":[{"name":…,"shape":[…],"datatype":…,"data":[…]}]}',
    );
  });
});
