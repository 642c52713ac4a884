import { defineConfig } from "vitest/config";
import base from "./vitest.config.mts";

// The tests Stryker runs against the accelerator catalog's mutants (`npm run test:mutation`).
export default defineConfig({
  ...base,
  test: { ...base.test, include: ["test/components/accelerators/**/*.test.ts"] },
});
