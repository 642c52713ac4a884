import { HybridAiConfigError } from "pulumi-hybridai";
import { expect } from "vitest";

/** The {@link HybridAiConfigError} `run` throws; fails the test when it throws nothing or another error. */
export function configErrorOf(run: () => unknown): HybridAiConfigError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(HybridAiConfigError);
    return error as HybridAiConfigError;
  }
  throw new Error("expected a HybridAiConfigError, nothing was thrown");
}
