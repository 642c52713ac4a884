import { defineConfig } from "vitest/config";
import base from "./vitest.config.mts";

// The tests Stryker runs against the serving runtime's mutants (`npm run test:mutation`):
// everything that exercises its source in this process. Tests that spawn the compiled CLI
// (cli, tooling, onnxruntime-stderr) run dist/, which Stryker does not mutate, and the
// Dockerfile, pull and sync tests reach none of the mutated folders, so they are left out.
export default defineConfig({
  ...base,
  test: {
    ...base.test,
    include: ["test/serving-runtime/**/*.test.ts"],
    exclude: [
      "test/serving-runtime/cli.test.ts",
      "test/serving-runtime/tooling.test.ts",
      "test/serving-runtime/onnxruntime-stderr.test.ts",
      "test/serving-runtime/dockerfile.test.ts",
      "test/serving-runtime/pull/**",
      "test/serving-runtime/sync/**",
    ],
  },
});
