// Mutation testing of the accelerator catalog (`npm run test:mutation`, second half); see
// stryker.config.mjs. Its tests import the library entry point, whose import graph reaches the
// Pulumi provider SDKs: vitest's related-file search over that graph takes minutes, so the
// (fast) accelerator tests simply all run.
/** @type {import("@stryker-mutator/api/core").PartialStrykerOptions} */
export default {
  testRunner: "vitest",
  vitest: { configFile: "vitest.mutation-accelerators.config.mts", related: false },
  mutate: ["components/accelerators/**/*.ts"],
  coverageAnalysis: "perTest",
  concurrency: 2,
  timeoutMS: 20_000,
  dryRunTimeoutMinutes: 30,
  reporters: ["clear-text", "progress", "html", "json"],
  htmlReporter: { fileName: "reports/mutation/accelerators.html" },
  jsonReporter: { fileName: "reports/mutation/accelerators.json" },
  thresholds: { high: 90, low: 80, break: null },
  tempDirName: ".stryker-tmp-accelerators",
};
