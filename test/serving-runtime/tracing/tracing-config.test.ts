import { describe, expect, it } from "vitest";
import { parseCommandLine } from "../../../serving-runtime/src/options";
import { resolveTracing } from "../../../serving-runtime/src/tracing/tracing-config";

const serve = (argv: string[], env: NodeJS.ProcessEnv = {}) => {
  const command = parseCommandLine(["--model-repository", "/models", ...argv], env);
  if (command.kind !== "serve") throw new Error("expected serve");
  return command.options.tracing;
};

describe("tracing configuration", () => {
  it("is off by default, and off with OTEL_SDK_DISABLED or OTEL_TRACES_EXPORTER=none", () => {
    expect(serve([])).toBeUndefined();
    const endpoint = { OTEL_EXPORTER_OTLP_ENDPOINT: "http://collector:4318" };
    expect(serve([], { ...endpoint, OTEL_SDK_DISABLED: "true" })).toBeUndefined();
    expect(serve([], { ...endpoint, OTEL_TRACES_EXPORTER: "none" })).toBeUndefined();
  });

  it("reads the standard variables: endpoint (+ /v1/traces), traces endpoint as is, sampler", () => {
    expect(serve([], { OTEL_EXPORTER_OTLP_ENDPOINT: "http://collector:4318/" })).toEqual({
      tracesUrl: "http://collector:4318/v1/traces",
      serviceName: undefined,
      settings: { trace_level: "TIMESTAMPS", trace_rate: 1, trace_count: -1, log_frequency: 0 },
      parentBased: true,
    });
    const env = {
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: "https://otlp.example.com/custom/traces",
      OTEL_TRACES_SAMPLER: "traceidratio",
      OTEL_TRACES_SAMPLER_ARG: "0.01",
    };
    expect(serve([], env)).toMatchObject({
      tracesUrl: "https://otlp.example.com/custom/traces",
      settings: { trace_rate: 100 },
      parentBased: false,
    });
    expect(
      serve([], {
        OTEL_EXPORTER_OTLP_ENDPOINT: "http://c:4318",
        OTEL_TRACES_SAMPLER: "parentbased_always_off",
      }),
    ).toMatchObject({ settings: { trace_level: "OFF" }, parentBased: true });
  });

  it("flags win over the variables", () => {
    const env = { OTEL_EXPORTER_OTLP_ENDPOINT: "http://env:4318", OTEL_TRACES_SAMPLER_ARG: "0.5" };
    expect(
      serve(
        [
          "--trace-endpoint",
          "http://flag:4318",
          "--trace-sample-rate",
          "0.1",
          "--trace-service-name",
          "edge-7",
        ],
        { ...env, OTEL_TRACES_SAMPLER: "parentbased_traceidratio" },
      ),
    ).toMatchObject({
      tracesUrl: "http://flag:4318/v1/traces",
      serviceName: "edge-7",
      settings: { trace_level: "TIMESTAMPS", trace_rate: 10 },
    });
    expect(
      serve(["--trace-endpoint", "http://flag:4318", "--trace-sample-rate", "0"]),
    ).toMatchObject({
      settings: { trace_level: "OFF" },
    });
  });

  it("names the flag or variable that is wrong", () => {
    expect(() => serve(["--trace-endpoint", "collector:4318"])).toThrow(
      /--trace-endpoint: 'collector:4318' must be an http:\/\/ or https:\/\/ URL/,
    );
    expect(() => serve(["--trace-endpoint", "not a url"])).toThrow(
      /--trace-endpoint: 'not a url' is not a URL/,
    );
    expect(() => serve(["--trace-sample-rate", "2"])).toThrow(
      /--trace-sample-rate '2': expected at most 1/,
    );
    const endpoint = { OTEL_EXPORTER_OTLP_ENDPOINT: "http://c:4318" };
    expect(() => serve([], { ...endpoint, OTEL_TRACES_SAMPLER: "jaeger_remote" })).toThrow(
      /OTEL_TRACES_SAMPLER: 'jaeger_remote' is not supported/,
    );
    expect(() => serve([], { ...endpoint, OTEL_EXPORTER_OTLP_PROTOCOL: "grpc" })).toThrow(
      /OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' is not supported; the runtime exports http\/protobuf/,
    );
    expect(() => serve([], { ...endpoint, OTEL_TRACES_EXPORTER: "zipkin" })).toThrow(
      /OTEL_TRACES_EXPORTER: 'zipkin' is not supported/,
    );
    expect(() =>
      resolveTracing(
        {},
        { ...endpoint, OTEL_TRACES_SAMPLER: "traceidratio", OTEL_TRACES_SAMPLER_ARG: "x" },
      ),
    ).toThrow(/OTEL_TRACES_SAMPLER_ARG: 'x' must be a number from 0 to 1/);
  });
});
