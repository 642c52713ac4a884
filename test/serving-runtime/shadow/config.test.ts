import { parseModelConfigText } from "@hybridai/serving-runtime/src/repository/pbtxt";
import { ResilienceConfigError } from "@hybridai/serving-runtime/src/resilience/config";
import { parseShadowConfig } from "@hybridai/serving-runtime/src/shadow/config";
import { describe, expect, it } from "vitest";

describe("shadow configuration", () => {
  it("applies the defaults to a model shadow and to a url shadow", () => {
    expect(
      parseShadowConfig("ranker", { model: "ranker_v2", sample: 0.25 }, ["ranker_v2"]),
    ).toEqual({
      model: "ranker_v2",
      sample: 0.25,
      tolerance: 0.001,
      timeout_ms: 5000,
      max_queue_size: 32,
      max_concurrency: 2,
      log_interval_ms: 10_000,
    });
    const remote = parseShadowConfig("ranker", {
      url: "http://ranker-stable.serving.svc:8000/",
      sample: 1,
      token_file: "/t",
      timeout_ms: 800,
      class_outputs: ["scores"],
    });
    expect(remote.url).toBe("http://ranker-stable.serving.svc:8000");
    expect(remote.timeout_ms).toBe(800);
    expect(remote.class_outputs).toEqual(["scores"]);
  });

  it("refuses bad blocks, naming the key, the value and what is allowed", () => {
    const cases: [unknown, RegExp][] = [
      [
        { model: "b" },
        /shadow\.sample = undefined is invalid: sample must be a number from 0 to 1/,
      ],
      [{ model: "b", sample: 1.5 }, /shadow\.sample = 1\.5 is invalid: sample must be at most 1/],
      [{ sample: 1 }, /shadow = an object is invalid: name exactly one of model .* and url/],
      [{ model: "b", url: "http://x", sample: 1 }, /name exactly one of model/],
      [
        { model: "ranker", sample: 1 },
        /shadow\.model = "ranker" is invalid: a model cannot be its own shadow/,
      ],
      [
        { model: "ghost", sample: 1 },
        /shadow\.model = "ghost" is invalid: no such model in the repository; known models: ranker, b/,
      ],
      [
        { model: "b", sample: 1, token_file: "/t" },
        /shadow\.token_file = "\/t" is invalid: only a url shadow takes it/,
      ],
      [
        { url: "ftp://x", sample: 1 },
        /shadow\.url = "ftp:\/\/x" is invalid: url must start with http/,
      ],
      [
        { model: "b", sample: 1, tolerance: -1 },
        /shadow\.tolerance = -1 is invalid: tolerance must be at least 0/,
      ],
      [
        { model: "b", sample: 1, max_queue_size: 0 },
        /shadow\.max_queue_size = 0 is invalid: max_queue_size must be at least 1/,
      ],
      [{ model: "b", sample: 1, max_concurrency: 65 }, /max_concurrency must be at most 64/],
      [
        { model: "b", sample: 1, class_outputs: "scores" },
        /shadow\.class_outputs = "scores" is invalid: class_outputs must be a list of output names/,
      ],
      [
        { model: "b", sample: 1, mirror: true },
        /shadow\.mirror = true is invalid: unknown key; allowed keys are model, url, token_file, timeout_ms, sample, tolerance, class_outputs, max_queue_size, max_concurrency, log_interval_ms/,
      ],
    ];
    expect(cases.length).toBe(13);
    for (const [block, message] of cases) {
      expect(
        () => parseShadowConfig("ranker", block, ["ranker", "b"]),
        JSON.stringify(block),
      ).toThrow(message);
      expect(() => parseShadowConfig("ranker", block, ["ranker", "b"])).toThrow(
        ResilienceConfigError,
      );
    }
  });

  it("reads a shadow block from config.pbtxt", () => {
    const raw = parseModelConfigText(
      'shadow { url: "http://stable:8000" sample: 0.5 tolerance: 0.01 class_outputs: [ "scores" ] max_queue_size: 8 }',
    );
    expect(raw.shadow).toEqual({
      url: "http://stable:8000",
      sample: 0.5,
      tolerance: 0.01,
      class_outputs: ["scores"],
      max_queue_size: 8,
    });
    expect(parseShadowConfig("ranker", raw.shadow).max_queue_size).toBe(8);
  });
});
