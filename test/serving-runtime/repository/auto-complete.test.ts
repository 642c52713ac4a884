import {
  batchingBlocker,
  completeConfig,
  decideMaxBatchSize,
} from "@hybridai/serving-runtime/src/repository/auto-complete";
import { parseModelConfig } from "@hybridai/serving-runtime/src/repository/model-config";
import { describe, expect, it } from "vitest";

const tensor = (name: string, shape: number[]) => ({ name, datatype: "FP32" as const, shape });

describe("batchingBlocker", () => {
  it("lets a model batch only with inputs and a dynamic dimension 0 everywhere", () => {
    expect(batchingBlocker([tensor("x", [-1, 4])], [tensor("y", [-1, 2])])).toBeUndefined();
    expect(batchingBlocker([], [tensor("y", [3])])).toBe("the model has no inputs");
    expect(batchingBlocker([tensor("x", [-1, 4])], [tensor("y", [4])])).toBe(
      "output 'y' has shape [4], without a dynamic dimension 0",
    );
    expect(batchingBlocker([tensor("x", [2, 4])], [tensor("y", [-1])])).toBe(
      "input 'x' has shape [2,4], without a dynamic dimension 0",
    );
  });
});

describe("decideMaxBatchSize", () => {
  const open = parseModelConfig({}, "test");
  it("keeps the config's value, even 0", () => {
    expect(
      decideMaxBatchSize(parseModelConfig({ max_batch_size: 0 }, "t"), undefined, "auto"),
    ).toEqual({ kind: "fixed", value: 0, origin: "config" });
  });
  it("measures by default, or fills in --default-max-batch-size as Triton does", () => {
    expect(decideMaxBatchSize(open, undefined, "auto")).toEqual({ kind: "measure" });
    expect(decideMaxBatchSize(open, undefined, 4)).toEqual({
      kind: "fixed",
      value: 4,
      origin: "auto-complete: --default-max-batch-size 4",
    });
    expect(decideMaxBatchSize(open, undefined, 0)).toEqual({
      kind: "fixed",
      value: 0,
      origin: "--default-max-batch-size 0: batching disabled",
    });
  });
  it("does not batch a model that cannot", () => {
    expect(decideMaxBatchSize(open, "the model has no inputs", "auto")).toEqual({
      kind: "fixed",
      value: 0,
      origin: "auto-complete: no batching (the model has no inputs)",
    });
  });
});

describe("completeConfig", () => {
  it("adds dynamic_batching {} to a model whose batch size it filled in, and says so", () => {
    const { config, origins } = completeConfig(parseModelConfig({}, "t"), 16, "measured", false, {
      count: 2,
      kind: "KIND_CPU",
      origin: "default: two",
    });
    expect(config.max_batch_size).toBe(16);
    expect(config.instance_group).toEqual([{ count: 2, kind: "KIND_CPU" }]);
    expect(config.dynamic_batching).toEqual({
      max_queue_delay_microseconds: 0,
      preferred_batch_size: [],
    });
    expect(origins).toEqual({
      max_batch_size: "measured",
      "input, output": "model file",
      instance_group: "default: two",
      dynamic_batching: "auto-complete: dynamic_batching {} because the model batches",
    });
  });

  it("leaves a configured max_batch_size without a batcher as it is (Triton's default scheduler)", () => {
    const { config, origins } = completeConfig(
      parseModelConfig({ max_batch_size: 8, instance_group: [{ count: 2 }] }, "t"),
      8,
      "config",
      true,
    );
    expect(config.dynamic_batching).toBeUndefined();
    expect(origins.dynamic_batching).toBeUndefined();
    expect(origins["input, output"]).toBe("model file, narrowed by config");
    expect(origins.instance_group).toBe("config");
  });
});
