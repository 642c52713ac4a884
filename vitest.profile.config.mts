import { defineConfig } from "vitest/config";
import base from "./vitest.config.mts";

// `npm run test:profile`: the whole suite as `npm test` runs it, plus a setup file recording each
// test file's CPU time (scripts/test-profile/record-usage.ts).
export default defineConfig({
  ...base,
  test: {
    ...base.test,
    setupFiles: [...(base.test?.setupFiles ?? []), "scripts/test-profile/record-usage.ts"],
  },
});
