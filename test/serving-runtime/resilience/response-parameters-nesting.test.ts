import { withResponseParameters } from "@hybridai/serving-runtime/src/resilience/response-parameters";
import { describe, expect, it } from "vitest";

// Strings inside nested values may hold brackets, braces and quotes; they must not end the value.

describe("marking a response whose nested strings look like structure", () => {
  it("steps over brackets and escaped quotes inside strings of nested values", () => {
    const json =
      '{"outputs":[{"name":"y]}","datatype":"BYTES","data":["\\"[{","}]"]}],"model_name":"m"}';
    expect(withResponseParameters(json, { a: "b" })).toBe(
      `{"parameters":{"a":"b"},${json.slice(1)}`,
    );
    const withParameters = '{"outputs":[{"name":"]"}],"parameters":{"note":"}{"}}';
    expect(JSON.parse(withResponseParameters(withParameters, { a: "b" }))).toEqual({
      outputs: [{ name: "]" }],
      parameters: { note: "}{", a: "b" },
    });
  });
});
