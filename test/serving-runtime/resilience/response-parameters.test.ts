import { withResponseParameters } from "@hybridai/serving-runtime/src/resilience/response-parameters";
import { describe, expect, it } from "vitest";

const added = { fallback_endpoint: "https://cloud.example.com", fallback_trigger: "overload" };

describe("marking a relayed response", () => {
  it("adds a parameters object and leaves every other byte alone (64-bit integers too)", () => {
    const json =
      '{"model_name":"m","model_version":"3","outputs":[{"name":"y","datatype":"INT64","shape":[2],"data":[9007199254740993,-1.50]}]}';
    const marked = withResponseParameters(json, added);
    expect(marked).toBe(
      '{"parameters":{"fallback_endpoint":"https://cloud.example.com","fallback_trigger":"overload"},"model_name":"m","model_version":"3","outputs":[{"name":"y","datatype":"INT64","shape":[2],"data":[9007199254740993,-1.50]}]}',
    );
  });

  it("merges into existing parameters, skipping strings that look like structure", () => {
    const json =
      ' { "id" : "a\\"}{,", "parameters" : {"sequence_end": true, "fallback_trigger": "x"}, "outputs": [] } ';
    const marked = withResponseParameters(json, added);
    expect(JSON.parse(marked)).toEqual({
      id: 'a"}{,',
      parameters: {
        sequence_end: true,
        fallback_endpoint: "https://cloud.example.com",
        fallback_trigger: "overload",
      },
      outputs: [],
    });
    expect(marked.startsWith(' { "id" : "a\\"}{,", "parameters" : {')).toBe(true);
  });

  it("handles an empty object and deep nesting without recursion", () => {
    expect(withResponseParameters("{}", { a: "b" })).toBe('{"parameters":{"a":"b"}}');
    const deep = `{"outputs":${"[".repeat(20_000)}${"]".repeat(20_000)}}`;
    expect(withResponseParameters(deep, { a: "b" })).toBe(
      `{"parameters":{"a":"b"},"outputs":${"[".repeat(20_000)}${"]".repeat(20_000)}}`,
    );
  });

  it("refuses what is not a JSON object", () => {
    expect(() => withResponseParameters("<html>busy</html>", added)).toThrow(/expected '\{'/);
    expect(() => withResponseParameters('{"a":"open', added)).toThrow(/unterminated string/);
    expect(() => withResponseParameters('{"a":[1,2}', added)).toThrow();
    expect(() => withResponseParameters('{"a" 1}', added)).toThrow(/expected ':'/);
  });

  it("steps over scalar members before the parameters, and replaces parameters that are not an object", () => {
    expect(withResponseParameters('{"n": -1.5e3 ,"t":true, "z":null}', { a: "b" })).toBe(
      '{"parameters":{"a":"b"},"n": -1.5e3 ,"t":true, "z":null}',
    );
    expect(withResponseParameters('{"n":1,"parameters":null}', { a: "b" })).toBe(
      '{"n":1,"parameters":{"a":"b"}}',
    );
    expect(withResponseParameters('{"parameters":["x"]}', { a: "b" })).toBe(
      '{"parameters":{"a":"b"}}',
    );
    expect(withResponseParameters('{"parameters":"x"}', { a: "b" })).toBe(
      '{"parameters":{"a":"b"}}',
    );
  });

  it("names what it found where a value or the end was expected", () => {
    expect(() => withResponseParameters('{"a":}', added)).toThrow("unexpected '}'");
    expect(() => withResponseParameters('{"a":', added)).toThrow("unexpected 'end'");
    expect(() => withResponseParameters('{"a":{"b":[1]', added)).toThrow(
      "unterminated object or array",
    );
    expect(() => withResponseParameters('{"a":1', added)).toThrow(
      "expected '}' at offset 6, found 'end'",
    );
  });
});
